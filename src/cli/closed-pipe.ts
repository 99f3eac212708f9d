/**
 * `pillars sweep --help | head`: the reader closes the pipe early and the next write fails with
 * EPIPE. That is the reader saying it has seen enough, not an error of ours: stop at once and quietly,
 * as a C program killed by SIGPIPE does, instead of printing Node's unhandled 'error' stack trace.
 */

/** Exit quietly when the reader of `stream` goes away; any other stream error still surfaces. */
export function exitQuietlyWhenReaderCloses(stream: NodeJS.WriteStream, exit: (code: number) => never = process.exit): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    // The run's verdict is not known yet when output stops early; keep one already decided.
    if (e.code === 'EPIPE') exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw e;
  });
}
