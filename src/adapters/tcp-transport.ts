/**
 * The real network between nodes: TCP, length-prefixed MessagePack frames, authenticated peers.
 *
 * Messages are encoded by the peer codec (peer-codec.ts), the one the simulator's links use too.
 *
 * Each node dials every peer once and sends on that connection only; what it receives arrives on the
 * connections its peers dialled. One direction per connection keeps ordering simple (a peer's
 * messages arrive in the order it sent them, as on one simulated link without reordering) and needs
 * no arbitration between two nodes dialling each other at once.
 *
 * Who may talk: a connection carries nothing until both ends proved they hold the cluster secret
 * (HMAC-SHA256 over a fresh nonce of the other side, compared in constant time), and the dialler
 * said which known peer it is. A stranger without the secret can neither join nor inject a message.
 *
 *   acceptor -> dialler   { t: 'challenge', nonce }
 *   dialler  -> acceptor  { t: 'hello', from, to, nonce, mac: HMAC(secret, hello|nonceA|from|to) }
 *   acceptor -> dialler   { t: 'welcome', mac: HMAC(secret, welcome|nonceD|to|from) }
 *
 * Limits: a frame above `frameBytesMax` closes the connection; a peer's send queue holds at most
 * `sendQueueBytesMax`: beyond it messages are dropped and counted, which the protocols above tolerate
 * (Raft retransmits) and which keeps a slow or dead peer from eating the node's memory (back-pressure
 * from the socket: while it will not take more, frames wait in the queue). A lost connection is
 * redialled with exponential backoff and jitter.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { NodeId } from '../runtime/context.js';
import { decodePeerMessage, encodePeerMessage } from '../runtime/peer-codec.js';

export interface PeerAddress {
  host: string;
  port: number;
}

export interface TransportLimits {
  /** A frame (one message) larger than this closes the connection: a snapshot must fit. */
  frameBytesMax: number;
  /** Bytes waiting for one peer at most, connected or not; more are dropped. */
  sendQueueBytesMax: number;
  /**
   * Until the other side has proved the secret, a frame larger than this closes the connection:
   * handshake frames are a few hundred bytes, and a stranger must not make us buffer frameBytesMax.
   */
  handshakeFrameBytesMax: number;
  /** A peer that has not finished the handshake within this is cut off. */
  handshakeTimeoutMs: number;
  redialDelayMinMs: number;
  redialDelayMaxMs: number;
}

export const transportDefaults: TransportLimits = {
  frameBytesMax: 256 * 1024 * 1024,
  sendQueueBytesMax: 64 * 1024 * 1024,
  handshakeFrameBytesMax: 4 * 1024,
  handshakeTimeoutMs: 5_000,
  redialDelayMinMs: 50,
  redialDelayMaxMs: 2_000,
};

export interface TransportOptions {
  id: NodeId;
  listen: PeerAddress;
  peers: ReadonlyMap<NodeId, PeerAddress>;
  /** The cluster secret every peer holds. */
  secret: Uint8Array;
  onMessage: (from: NodeId, msg: unknown) => void;
  /** Connection events for the node's log (connected, lost, refused strangers). */
  onEvent?: (event: string, fields: Record<string, unknown>) => void;
  limits?: Partial<TransportLimits>;
}

export interface PeerStats {
  connected: boolean;
  sentMessages: number;
  sentBytes: number;
  droppedMessages: number;
  queuedBytes: number;
  receivedMessages: number;
}

const HEADER_BYTES = 4;
const NONCE_BYTES = 16;

type Handshake =
  | { t: 'challenge'; nonce: Uint8Array }
  | { t: 'hello'; from: NodeId; to: NodeId; nonce: Uint8Array; mac: Uint8Array }
  | { t: 'welcome'; mac: Uint8Array };

/** Reassembles length-prefixed frames from a byte stream. */
class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Starts at the handshake's limit; raised (with `authenticated`) once the other side proved the secret. */
  constructor(
    private frameBytesMax: number,
    private readonly authenticatedFrameBytesMax: number,
  ) {}

  /** Frames after this one may be as large as the transport allows (read by the loop in push). */
  authenticated(): void {
    this.frameBytesMax = this.authenticatedFrameBytesMax;
  }

  /** Feed bytes; returns the complete frames, or an error text when a frame is too large. */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): string | undefined {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= HEADER_BYTES) {
      const head = this.chunks[0].length >= HEADER_BYTES ? this.chunks[0] : this.flatten();
      const size = head.readUInt32BE(0);
      if (size > this.frameBytesMax) return `frame of ${size} bytes above the limit of ${this.frameBytesMax}`;
      if (this.buffered < HEADER_BYTES + size) return undefined;
      const all = this.chunks.length === 1 ? this.chunks[0] : this.flatten();
      onFrame(all.subarray(HEADER_BYTES, HEADER_BYTES + size));
      const rest = all.subarray(HEADER_BYTES + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return undefined;
  }

  private flatten(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }
}

function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, HEADER_BYTES);
  return out;
}

function mac(secret: Uint8Array, ...parts: (string | Uint8Array)[]): Buffer {
  const h = createHmac('sha256', secret);
  for (const p of parts) h.update(p).update('|');
  return h.digest();
}

function sameMac(a: unknown, b: Buffer): boolean {
  return a instanceof Uint8Array && a.length === b.length && timingSafeEqual(a, b);
}

/** One peer we send to: its connection (when up), its queue, its redial schedule. */
class OutboundPeer {
  socket: Socket | undefined;
  ready = false;
  queue: Buffer[] = [];
  queuedBytes = 0;
  redialDelayMs: number;
  redialTimer: ReturnType<typeof setTimeout> | undefined;
  flushScheduled = false;
  /** No longer a member: its connection is not redialled. */
  removed = false;
  stats: PeerStats = { connected: false, sentMessages: 0, sentBytes: 0, droppedMessages: 0, queuedBytes: 0, receivedMessages: 0 };

  constructor(
    readonly id: NodeId,
    readonly address: PeerAddress,
    limits: TransportLimits,
  ) {
    this.redialDelayMs = limits.redialDelayMinMs;
  }
}

export class TcpTransport {
  private readonly limits: TransportLimits;
  private readonly out = new Map<NodeId, OutboundPeer>();
  private readonly inbound = new Set<Socket>();
  private readonly received = new Map<NodeId, number>();
  private server: Server | undefined;
  private closed = false;

  /** The peers this node talks to and accepts: the configured ones, then as membership changes. */
  private readonly known: Map<NodeId, PeerAddress>;
  private started = false;

  constructor(private readonly opts: TransportOptions) {
    this.limits = { ...transportDefaults, ...opts.limits };
    this.known = new Map(opts.peers);
    for (const [id, address] of opts.peers) if (id !== opts.id) this.out.set(id, new OutboundPeer(id, address, this.limits));
  }

  /** A member joined, or listens elsewhere now: accept it, and dial it from now on. */
  addPeer(id: NodeId, address: PeerAddress): void {
    if (id === this.opts.id) return;
    const had = this.out.get(id);
    if (had !== undefined && had.address.host === address.host && had.address.port === address.port) return;
    if (had !== undefined) this.removePeer(id);
    this.known.set(id, address);
    const p = new OutboundPeer(id, address, this.limits);
    this.out.set(id, p);
    this.event('peer_added', { peer: id, address: `${address.host}:${address.port}` });
    if (this.started && !this.closed) this.dial(p);
  }

  /** A member left: stop dialling it and refuse it from now on. */
  removePeer(id: NodeId): void {
    const p = this.out.get(id);
    this.known.delete(id);
    if (p === undefined) return;
    this.out.delete(id);
    if (p.redialTimer !== undefined) clearTimeout(p.redialTimer);
    p.removed = true;
    p.socket?.destroy();
    this.event('peer_removed', { peer: id });
  }

  /** Whether `id` is a peer this node talks to now. */
  hasPeer(id: NodeId): boolean {
    return this.known.has(id);
  }

  /** Listen for peers and start dialling them. Resolves once listening (port 0 picks a free one). */
  async start(): Promise<PeerAddress> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.listen.port, this.opts.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    this.started = true;
    for (const p of this.out.values()) this.dial(p);
    return typeof addr === 'object' && addr !== null ? { host: addr.address, port: addr.port } : this.opts.listen;
  }

  /** Queue a message for a peer; never blocks, never throws for a peer that is down. */
  send(to: NodeId, msg: unknown): void {
    const p = this.out.get(to);
    if (p === undefined || this.closed) return;
    const bytes = frame(encodePeerMessage(msg));
    if (p.queuedBytes + bytes.length > this.limits.sendQueueBytesMax) {
      p.stats.droppedMessages++;
      return;
    }
    p.queue.push(bytes);
    p.queuedBytes += bytes.length;
    if (p.ready && !p.flushScheduled) {
      // Everything a node sends in one turn of the event loop leaves in one write.
      p.flushScheduled = true;
      setImmediate(() => this.flush(p));
    }
  }

  stats(): Record<NodeId, PeerStats> {
    const out: Record<NodeId, PeerStats> = {};
    for (const [id, p] of this.out) out[id] = { ...p.stats, connected: p.ready, queuedBytes: p.queuedBytes, receivedMessages: this.received.get(id) ?? 0 };
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.out.values()) {
      if (p.redialTimer !== undefined) clearTimeout(p.redialTimer);
      p.socket?.destroy();
    }
    for (const s of this.inbound) s.destroy();
    const server = this.server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private event(event: string, fields: Record<string, unknown>): void {
    this.opts.onEvent?.(event, fields);
  }

  private flush(p: OutboundPeer): void {
    p.flushScheduled = false;
    const s = p.socket;
    if (!p.ready || s === undefined || p.queue.length === 0) return;
    // Back-pressure: while the socket's own buffer is full, frames stay in our bounded queue.
    if (s.writableNeedDrain) return;
    const batch = p.queue.length === 1 ? p.queue[0] : Buffer.concat(p.queue, p.queuedBytes);
    p.stats.sentMessages += p.queue.length;
    p.stats.sentBytes += batch.length;
    p.queue = [];
    p.queuedBytes = 0;
    s.write(batch);
  }

  // --- dialling (we send) -----------------------------------------------------------------

  private dial(p: OutboundPeer): void {
    if (this.closed) return;
    const socket = connect({ host: p.address.host, port: p.address.port });
    socket.setNoDelay(true);
    p.socket = socket;
    const reader = this.frameReader();
    const nonce = randomBytes(NONCE_BYTES);
    const handshake = setTimeout(() => socket.destroy(new Error('handshake timed out')), this.limits.handshakeTimeoutMs);
    socket.on('data', (chunk) => {
      const err = reader.push(chunk, (f) => {
        let m: Handshake;
        try {
          m = decodePeerMessage(f) as Handshake;
        } catch {
          return void socket.destroy(new Error('undecodable handshake'));
        }
        if (m.t === 'challenge' && m.nonce instanceof Uint8Array) {
          const hello: Handshake = { t: 'hello', from: this.opts.id, to: p.id, nonce, mac: mac(this.opts.secret, 'hello', m.nonce, this.opts.id, p.id) };
          socket.write(frame(encodePeerMessage(hello)));
        } else if (m.t === 'welcome' && sameMac(m.mac, mac(this.opts.secret, 'welcome', nonce, p.id, this.opts.id))) {
          clearTimeout(handshake);
          reader.authenticated();
          p.ready = true;
          p.stats.connected = true;
          p.redialDelayMs = this.limits.redialDelayMinMs;
          this.event('peer_connected', { peer: p.id });
          this.flush(p);
        } else {
          // The other side does not hold our secret, or is not who we dialled.
          this.event('peer_auth_failed', { peer: p.id, side: 'dialler' });
          socket.destroy();
        }
      });
      if (err !== undefined) socket.destroy(new Error(err));
    });
    socket.on('drain', () => this.flush(p));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(handshake);
      if (p.ready) this.event('peer_disconnected', { peer: p.id });
      p.ready = false;
      p.stats.connected = false;
      p.socket = undefined;
      if (this.closed || p.removed) return;
      // Full jitter keeps a cluster that lost a node from redialling it in lockstep.
      const delay = p.redialDelayMs * (0.5 + Math.random() / 2);
      p.redialDelayMs = Math.min(this.limits.redialDelayMaxMs, p.redialDelayMs * 2);
      p.redialTimer = setTimeout(() => this.dial(p), delay);
    });
  }

  private frameReader(): FrameReader {
    return new FrameReader(Math.min(this.limits.handshakeFrameBytesMax, this.limits.frameBytesMax), this.limits.frameBytesMax);
  }

  // --- accepting (we receive) -------------------------------------------------------------

  private accept(socket: Socket): void {
    if (this.closed) return void socket.destroy();
    socket.setNoDelay(true);
    this.inbound.add(socket);
    const reader = this.frameReader();
    const nonce = randomBytes(NONCE_BYTES);
    let peer: NodeId | undefined;
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const handshake = setTimeout(() => {
      this.event('peer_auth_failed', { remote, reason: 'no handshake' });
      socket.destroy();
    }, this.limits.handshakeTimeoutMs);
    socket.write(frame(encodePeerMessage({ t: 'challenge', nonce } satisfies Handshake)));
    socket.on('data', (chunk) => {
      const err = reader.push(chunk, (f) => {
        if (socket.destroyed) return;
        let m: unknown;
        try {
          m = decodePeerMessage(f);
        } catch {
          this.event('peer_bad_frame', { remote, peer });
          return void socket.destroy();
        }
        if (peer !== undefined) {
          this.received.set(peer, (this.received.get(peer) ?? 0) + 1);
          this.opts.onMessage(peer, m);
          return;
        }
        const h = m as Handshake;
        const known = h.t === 'hello' && typeof h.from === 'string' && this.known.has(h.from) && h.from !== this.opts.id && h.to === this.opts.id;
        if (!known || !sameMac(h.mac, mac(this.opts.secret, 'hello', nonce, h.from, this.opts.id)) || !(h.nonce instanceof Uint8Array)) {
          this.event('peer_auth_failed', { remote, claimed: h?.t === 'hello' ? h.from : undefined, reason: known ? 'wrong secret' : 'not a peer of this cluster' });
          return void socket.destroy();
        }
        clearTimeout(handshake);
        reader.authenticated();
        peer = h.from;
        socket.write(frame(encodePeerMessage({ t: 'welcome', mac: mac(this.opts.secret, 'welcome', h.nonce, this.opts.id, h.from) } satisfies Handshake)));
      });
      if (err !== undefined) {
        this.event('peer_bad_frame', { remote, peer, reason: err });
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(handshake);
      this.inbound.delete(socket);
    });
  }
}
