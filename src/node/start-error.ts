/** The node cannot start as configured: the CLI prints the message and exits 2. */
export class NodeStartError extends Error {
  override readonly name = 'NodeStartError';
}

export function isNodeStartError(e: unknown): e is NodeStartError {
  return e instanceof NodeStartError;
}
