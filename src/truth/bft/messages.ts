/**
 * PBFT's messages (Castro & Liskov, OSDI 1999, §4), with what authenticates each.
 *
 * Signed statements (they travel inside proofs, so a third party must be able to check them):
 * PRE-PREPARE, PREPARE, CHECKPOINT, VIEW-CHANGE, NEW-VIEW. Point-to-point MACs (never forwarded):
 * COMMIT, REPLY, and the state transfer. A client REQUEST carries an authenticator (one MAC per
 * replica), so the primary can forward it inside a pre-prepare and every backup checks its own MAC.
 *
 * Each signed statement is signed over `statementDigest(...)`, a digest of its fields without the
 * signature, tagged with its kind so that one statement can never pass for another.
 */
import type { NodeId } from '../../runtime/context.js';
import type { Operation } from '../../runtime/client-protocol.js';
import type { KvResult, KvSnapshot } from '../kv.js';
import { digestOf, type Digest } from './crypto.js';

/** ⟨REQUEST, o, t, c⟩: client c's t-th operation. c is "<client node>/<workload client>". */
export interface PbftRequest {
  c: string;
  t: number;
  op: Operation;
  /** Every request of c below this t has been answered: replicas may forget their replies. */
  ackedBelow?: number;
}

/** A request with its client's authenticator over digestOf(req). */
export interface AuthRequest {
  req: PbftRequest;
  auth: Record<NodeId, string>;
}

/** ⟨PRE-PREPARE, v, n, d⟩ signed by the primary of view v. */
export interface PrePrepare {
  v: number;
  n: number;
  d: Digest;
  sig: string;
}

/** ⟨PREPARE, v, n, d, i⟩ signed by backup i. */
export interface Prepare {
  v: number;
  n: number;
  d: Digest;
  i: NodeId;
  sig: string;
}

/** ⟨CHECKPOINT, n, d, i⟩ signed by i: its state after executing n has digest d. */
export interface Checkpoint {
  n: number;
  d: Digest;
  i: NodeId;
  sig: string;
}

/** A prepared certificate (§4.2): the pre-prepare, its request (null: the null request), 2f matching prepares. */
export interface PreparedCert {
  pp: PrePrepare;
  m: AuthRequest | null;
  prepares: Prepare[];
}

/** ⟨VIEW-CHANGE, v+1, n, C, P, i⟩ signed by i (§4.4). */
export interface ViewChange {
  v: number;
  /** The sequence number of i's last stable checkpoint... */
  n: number;
  /** ...and its proof: 2f + 1 checkpoint messages (empty for the initial state, n = 0). */
  C: Checkpoint[];
  /** A prepared certificate for each request prepared at i with sequence number above n. */
  P: PreparedCert[];
  i: NodeId;
  sig: string;
}

/** One pre-prepare of a NEW-VIEW's O, with its request. */
export interface ProposedSlot {
  pp: PrePrepare;
  m: AuthRequest | null;
}

/** ⟨NEW-VIEW, v+1, V, O⟩ signed by the new primary. */
export interface NewView {
  v: number;
  V: ViewChange[];
  O: ProposedSlot[];
  sig: string;
}

/** What a replica's state is, for a checkpoint's digest and for state transfer. */
export interface ServiceState {
  kv: KvSnapshot;
}

export type PbftMessage =
  | { type: 'pbft_request'; m: AuthRequest }
  | { type: 'pbft_pre_prepare'; pp: PrePrepare; m: AuthRequest | null }
  | { type: 'pbft_prepare'; p: Prepare }
  | { type: 'pbft_commit'; v: number; n: number; d: Digest; i: NodeId; mac: string }
  | { type: 'pbft_checkpoint'; c: Checkpoint }
  | { type: 'pbft_view_change'; vc: ViewChange }
  | { type: 'pbft_new_view'; nv: NewView }
  | { type: 'pbft_reply'; v: number; t: number; c: string; i: NodeId; r: KvResult; mac: string }
  | { type: 'pbft_fetch_state'; n: number; i: NodeId; mac: string }
  | { type: 'pbft_state'; n: number; state: ServiceState; i: NodeId; mac: string };

export type PbftMessageType = PbftMessage['type'];

const pbftTypes: ReadonlySet<string> = new Set<PbftMessageType>([
  'pbft_request',
  'pbft_pre_prepare',
  'pbft_prepare',
  'pbft_commit',
  'pbft_checkpoint',
  'pbft_view_change',
  'pbft_new_view',
  'pbft_reply',
  'pbft_fetch_state',
  'pbft_state',
]);

export function isPbftMessage(msg: unknown): msg is PbftMessage {
  return typeof msg === 'object' && msg !== null && pbftTypes.has((msg as { type?: unknown }).type as string);
}

/** The digest of the null request (§4.4: it goes through the protocol like others and does nothing). */
export const nullDigest: Digest = digestOf({ null: true });

export const requestDigest = (m: AuthRequest | null): Digest => (m === null ? nullDigest : digestOf(m.req));

/** The identity of a request, for de-duplication: client and timestamp. */
export const requestKey = (req: PbftRequest): string => `${req.c}#${req.t}`;

/** The node that speaks for client c (its MAC keys are that node's). */
export const clientNode = (c: string): NodeId => {
  const k = c.indexOf('/');
  return k < 0 ? c : c.slice(0, k);
};

// The digests that signatures and MACs cover: each tagged with its kind.
export const prePrepareDigest = (pp: { v: number; n: number; d: Digest }) => digestOf({ k: 'pre-prepare', v: pp.v, n: pp.n, d: pp.d });
export const prepareDigest = (p: { v: number; n: number; d: Digest; i: NodeId }) => digestOf({ k: 'prepare', v: p.v, n: p.n, d: p.d, i: p.i });
export const commitDigest = (c: { v: number; n: number; d: Digest; i: NodeId }) => digestOf({ k: 'commit', v: c.v, n: c.n, d: c.d, i: c.i });
export const checkpointDigest = (c: { n: number; d: Digest; i: NodeId }) => digestOf({ k: 'checkpoint', n: c.n, d: c.d, i: c.i });
export const viewChangeDigest = (vc: Omit<ViewChange, 'sig'>) => digestOf({ k: 'view-change', v: vc.v, n: vc.n, C: vc.C, P: vc.P, i: vc.i });
export const newViewDigest = (nv: Omit<NewView, 'sig'>) => digestOf({ k: 'new-view', v: nv.v, V: nv.V, O: nv.O });
export const replyDigest = (r: { v: number; t: number; c: string; i: NodeId; r: KvResult }) => digestOf({ k: 'reply', v: r.v, t: r.t, c: r.c, i: r.i, r: r.r });
export const fetchDigest = (f: { n: number; i: NodeId }) => digestOf({ k: 'fetch-state', n: f.n, i: f.i });
export const stateDigest = (s: ServiceState) => digestOf(s);
export const stateMessageDigest = (m: { n: number; state: ServiceState; i: NodeId }) => digestOf({ k: 'state', n: m.n, d: stateDigest(m.state), i: m.i });
