/**
 * Raft's vocabulary: log entries, the state that must be durable, and the messages between peers
 * (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm", Figure 2; pre-vote and
 * check-quorum from Ongaro's thesis, §9.6 and §6.2; ReadIndex from §6.4).
 */
import type { NodeId } from '../../runtime/context.js';

export interface Entry {
  term: number;
  index: number;
  /** The command; undefined for the no-op a new leader appends to commit entries of older terms. */
  data: unknown;
}

/** What must be on disk before a node answers anyone: its term, its vote, and (as a hint) the commit index. */
export interface HardState {
  term: number;
  vote: NodeId | undefined;
  commit: number;
}

export type Message =
  | { type: 'pre_vote'; term: number; lastLogIndex: number; lastLogTerm: number }
  | { type: 'pre_vote_resp'; term: number; reject: boolean }
  /** transfer: the campaign was asked for by the leader (timeout_now), so voters skip their leader lease. */
  | { type: 'vote'; term: number; lastLogIndex: number; lastLogTerm: number; transfer?: boolean }
  | { type: 'vote_resp'; term: number; reject: boolean }
  | { type: 'append'; term: number; prevLogIndex: number; prevLogTerm: number; entries: Entry[]; commit: number }
  /**
   * index: on success, the last index now matching the leader; on reject, the index that was refused. hint: the follower's last index.
   * boot: which start of the follower answers (RaftConfig.boot): a new one tells the leader to forget what the old one acknowledged.
   */
  | { type: 'append_resp'; term: number; reject: boolean; index: number; hint: number; boot?: number }
  | { type: 'heartbeat'; term: number; commit: number; context: number }
  | { type: 'heartbeat_resp'; term: number; context: number; boot?: number }
  /** InstallSnapshot (§7): the leader sends its state machine when a follower needs compacted entries. */
  | { type: 'snapshot'; term: number; snapshot: Snapshot }
  /**
   * InstallSnapshot in chunks (RaftConfig.snapshotChunkBytes): bytes [offset, offset + bytes.length)
   * of the snapshot at `index` (of term `snapTerm`) encoded as a snapshot file of `total` bytes whose
   * CRC-32C is `crc` (which names this encoding: a chunk of another is never appended to it).
   * `conf`: the membership as of `index`, which the follower takes on without decoding the file.
   */
  | { type: 'snapshot_chunk'; term: number; index: number; snapTerm: number; crc: number; total: number; offset: number; bytes: Uint8Array; conf?: ConfState }
  /** The follower holds the first `received` bytes of that snapshot: the leader sends on from there (one chunk in flight). */
  | { type: 'snapshot_chunk_resp'; term: number; index: number; crc: number; received: number }
  /** Leadership transfer (thesis §3.10): the leader tells an up-to-date follower to campaign now. */
  | { type: 'timeout_now'; term: number };

export type MessageType = Message['type'];

/** The state machine as of `index` (of term `term`), as opaque data the host knows how to restore. */
export interface Snapshot {
  index: number;
  term: number;
  data: unknown;
  /** The membership as of `index`. */
  conf?: ConfState;
}

/** Which snapshot a file received in chunks is (the leader's file of `total` bytes whose CRC-32C is `crc`). */
export interface ReceivedSnapshotHead {
  index: number;
  term: number;
  crc: number;
  total: number;
  conf?: ConfState;
}

/** Bytes [offset, offset + bytes.length) of that file, to append to what the host holds of it. */
export interface SnapshotChunk extends ReceivedSnapshotHead {
  offset: number;
  bytes: Uint8Array;
}

export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
  /** Where members added with an address listen for their peers (absent when none was given). */
  addresses?: Record<NodeId, string>;
}

/**
 * One membership change at a time (thesis §4.1): add or remove a voter, add a learner (it receives
 * the log but neither votes nor counts toward a quorum), or promote a learner to voter.
 */
export interface ConfChange {
  type: 'add-voter' | 'remove-voter' | 'add-learner';
  node: NodeId;
  /**
   * Where the node listens for its peers (host:port), replicated with the change so that every
   * member, and every member restarted from a snapshot, can reach it (etcd keeps peer URLs so).
   */
  address?: string;
}

/** The data of a log entry that changes the membership. */
export interface ConfChangeCommand {
  confChange: ConfChange;
}

export function isConfChange(data: unknown): data is ConfChangeCommand {
  return typeof data === 'object' && data !== null && 'confChange' in data;
}

export interface Outbound {
  to: NodeId;
  msg: Message;
}

/** A linearizable read may proceed once `index` is applied (ReadIndex, thesis §6.4). */
export interface ReadState {
  context: number;
  index: number;
}

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/**
 * Everything the host must do, in this order: persist `snapshot`, `hardState` and `entries` (fsync) and
 * call persisted(); send `messages`; apply `committed` and call applied(); serve `readStates` once their
 * index is applied. advance() is persisted() and applied() together (Raft.ready explains the protocol).
 */
export interface Ready {
  /** A snapshot received from the leader: persist it, restore the state machine from it, before the rest. */
  snapshot: Snapshot | undefined;
  /**
   * Chunks of a snapshot being received, to append to its file in this order (before `snapshot`):
   * the core keeps none of their bytes. A chunk at offset 0 starts the file over.
   */
  snapshotChunks: SnapshotChunk[];
  /**
   * `snapshot` is the file these chunks made, whole and checked (its `data` is undefined): install
   * that file as it is, and load the state machine from it.
   */
  snapshotReceived: ReceivedSnapshotHead | undefined;
  hardState: HardState | undefined;
  entries: Entry[];
  messages: Outbound[];
  committed: Entry[];
  readStates: ReadState[];
}

export interface ReadyOptions {
  /** The host's storage is still writing an earlier Ready: hand out only what needs no storage. */
  storageBusy?: boolean;
  /** Hand out at most this many committed entries to apply (the rest in later Readies). */
  applyEntriesMax?: number;
}

export function isRaftMessage(msg: unknown): msg is Message {
  if (typeof msg !== 'object' || msg === null) return false;
  switch ((msg as { type?: unknown }).type) {
    case 'pre_vote':
    case 'pre_vote_resp':
    case 'vote':
    case 'vote_resp':
    case 'append':
    case 'append_resp':
    case 'heartbeat':
    case 'heartbeat_resp':
    case 'timeout_now':
    case 'snapshot':
    case 'snapshot_chunk':
    case 'snapshot_chunk_resp':
      return true;
    default:
      return false;
  }
}
