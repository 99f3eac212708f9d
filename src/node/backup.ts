/**
 * Backups of a running cluster, and new clusters seeded from them (as etcd's `snapshot save` and
 * `snapshot restore`).
 *
 * A backup is the leader's consistent copy of the store: it confirms its leadership (ReadIndex), so
 * the copy holds every write acknowledged before it was asked, and sends it as the bytes of a
 * snapshot file (one checksummed record). The backup directory holds those bytes and a small JSON
 * description with their SHA-256.
 *
 * A restore writes that snapshot into the data directory of every node of a new cluster, with a
 * hard state at its term and index. The new nodes start from it with an empty log after it; their
 * cluster has a new secret, so nothing of the old cluster can talk to them.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FileDisk } from '../adapters/file-disk.js';
import { decodeSnapshotFile, RaftStorage, type KvSnapshot, type Snapshot } from '../truth/index.js';
import { leaderOf, readClusterDir } from './members.js';

export const backupSnapshotFile = 'snapshot.pillars';
export const backupInfoFile = 'backup.json';

export interface BackupInfo {
  index: number;
  term: number;
  keys: number;
  bytes: number;
  sha256: string;
  /** The node that took it (the leader then). */
  from: string;
  takenAt: string;
}

/** What went wrong, in one line naming the file or node, and the option it came from: the CLI prints it and exits 2. */
export class BackupError extends Error {
  constructor(
    readonly option: '--data' | '<backup-dir>',
    message: string,
  ) {
    super(message);
  }
}

export function isBackupError(e: unknown): e is BackupError {
  return e instanceof BackupError;
}

/** Write a file and make it durable (the directory too), or fail naming it. */
function writeDurably(file: string, bytes: Uint8Array): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const keysOf = (snap: Snapshot) => (snap.data as KvSnapshot | undefined)?.data?.length ?? 0;

/** Ask the leader of the cluster in `clusterDir` for a backup and save it in `backupDir`. */
export async function backupCluster(clusterDir: string, backupDir: string): Promise<BackupInfo> {
  const c = readClusterDir(clusterDir);
  if (existsSync(backupDir) && readdirSync(backupDir).length > 0) throw new BackupError('<backup-dir>', `${backupDir}: an empty or new directory for the backup (it holds files)`);
  // The leader takes it; a node that stopped leading meanwhile names the next one.
  let answer: { node: string; bytes: Uint8Array } | undefined;
  let why = 'no node answered';
  for (let attempt = 0; attempt < 3 && answer === undefined; attempt++) {
    const leader = await leaderOf(c);
    const res = await fetch(`http://${leader.host}:${leader.http}/admin/backup`, { method: 'POST', headers: { authorization: `Bearer ${c.secret}` }, signal: AbortSignal.timeout(30_000) });
    if (res.status === 200) answer = { node: leader.id, bytes: new Uint8Array(await res.arrayBuffer()) };
    else why = `${leader.id}: ${((await res.json()) as { error?: string }).error ?? res.status}`;
  }
  if (answer === undefined) throw new BackupError('--data', `${clusterDir}: no backup taken (${why})`);
  const snap = decodeSnapshotFile(answer.bytes, `the backup sent by ${answer.node}`);
  mkdirSync(backupDir, { recursive: true });
  writeDurably(join(backupDir, backupSnapshotFile), answer.bytes);
  const info: BackupInfo = { index: snap.index, term: snap.term, keys: keysOf(snap), bytes: answer.bytes.length, sha256: createHash('sha256').update(answer.bytes).digest('hex'), from: answer.node, takenAt: new Date().toISOString() };
  writeDurably(join(backupDir, backupInfoFile), Buffer.from(JSON.stringify(info, null, 2) + '\n'));
  fsyncDir(backupDir);
  return info;
}

/** Read a backup back, checking its bytes against their description. */
export function readBackup(backupDir: string): { info: BackupInfo; snapshot: Snapshot } {
  const infoFile = join(backupDir, backupInfoFile);
  let info: BackupInfo;
  try {
    info = JSON.parse(readFileSync(infoFile, 'utf8')) as BackupInfo;
  } catch (e) {
    throw new BackupError('<backup-dir>', `${infoFile}: a backup description written by pillars cluster backup (${(e as NodeJS.ErrnoException).code ?? 'not JSON'})`);
  }
  const file = join(backupDir, backupSnapshotFile);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new BackupError('<backup-dir>', `${file}: the backup's snapshot (${(e as NodeJS.ErrnoException).code})`);
  }
  const sum = createHash('sha256').update(bytes).digest('hex');
  if (sum !== info.sha256) throw new BackupError('<backup-dir>', `${file}: bytes whose SHA-256 is the one in ${backupInfoFile} (${info.sha256.slice(0, 12)}...), got ${sum.slice(0, 12)}...`);
  try {
    return { info, snapshot: decodeSnapshotFile(bytes, file) };
  } catch (e) {
    throw new BackupError('<backup-dir>', (e as Error).message);
  }
}

/**
 * Seed the data directories n1..nN of a new cluster in `dataDir` with a backup: each gets the
 * snapshot and a hard state at its term and index, durable before this returns.
 */
export async function restoreCluster(backupDir: string, dataDir: string, nodes: number): Promise<BackupInfo> {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) throw new BackupError('--data', `${dataDir}: an empty or new directory for the restored cluster (it holds files)`);
  const { info, snapshot } = readBackup(backupDir);
  for (let i = 1; i <= nodes; i++) {
    const dir = join(dataDir, `n${i}`);
    mkdirSync(dir, { recursive: true });
    const disk = new FileDisk(dir);
    const storage = new RaftStorage(disk);
    // An empty directory: restore() finds nothing and opens the first segment.
    storage.restore();
    const files = [...storage.writeSnapshot(snapshot), ...storage.append({ term: snapshot.term, vote: undefined, commit: snapshot.index }, [])];
    await Promise.all(files.map((f) => new Promise<void>((done) => disk.fsync(f, done))));
    await disk.close();
  }
  fsyncDir(dataDir);
  return info;
}
