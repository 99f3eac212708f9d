/**
 * An I/O failure of a disk, real (FileDisk) or simulated (SimDisk): ENOSPC, EIO and the like, as
 * opposed to a misuse of the Disk API. A host that catches one stops its member rather than serve on
 * from a disk that failed (kv-node.ts, and the simulator's World).
 */

/** The operation that failed, for a DiskError. */
export type DiskOp = 'open' | 'append' | 'write' | 'truncate' | 'remove' | 'read' | 'list' | 'fsync' | 'rename';

/** An I/O failure of the disk (ENOSPC, EIO, EACCES...), as opposed to a misuse of the API. */
export class DiskError extends Error {
  constructor(
    /** The errno name from the OS ('ENOSPC', 'EIO', 'EACCES'), or 'EIO' when the OS gave none. */
    readonly code: string,
    /** The file of the Disk the operation was about ('.' for the directory itself). */
    readonly file: string,
    readonly op: DiskOp,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DiskError';
  }
}

export function isDiskError(e: unknown): e is DiskError {
  return e instanceof DiskError;
}

