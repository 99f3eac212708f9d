/**
 * Paxos ballots: a round number and the proposer that owns it. Two proposers never share a ballot
 * (the node breaks the tie), so an acceptor's promise to one ballot is a promise against all others.
 */
import type { NodeId } from '../../runtime/context.js';
import { compareOrdinal } from '../../runtime/ordinal.js';

export interface Ballot {
  readonly round: number;
  readonly node: NodeId;
}

/** Below every real ballot: what an acceptor has promised before it promised anything. */
export const zeroBallot: Ballot = Object.freeze({ round: 0, node: '' });

export function compareBallots(a: Ballot, b: Ballot): number {
  return a.round !== b.round ? a.round - b.round : compareOrdinal(a.node, b.node);
}

export const ballotText = (b: Ballot): string => `${b.round}.${b.node}`;

/** The smallest ballot of `node` above `seen`. */
export function ballotAbove(seen: Ballot, node: NodeId): Ballot {
  return { round: seen.round + 1, node };
}
