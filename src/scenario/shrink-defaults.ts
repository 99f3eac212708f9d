/** The default budget of candidate runs of a shrink; it imports nothing, so a command's help can quote it. */
export const shrinkRunsMaxDefault = 2_000;
