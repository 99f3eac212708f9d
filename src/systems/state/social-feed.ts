/**
 * The social-comments story as a system: the seed's "cause-effect relationships preserved: social
 * media comments". Three replicas of one store in three regions, and three people using it, each on
 * their own region's replica:
 *
 * - the poster (`poster`) writes post-0, post-1, ... every postEveryMs;
 * - the replier (`replier`) reads each post in turn and, once it sees it, writes its reply;
 * - the reader (`reader`) reads each reply in turn and, once it sees it, reads the post it answers:
 *   a reply visible before its post is an anomaly, counted once per reply.
 *
 * The store at three levels: `eventual` (each region's writes shipped to the others in order, applied
 * on arrival), `causal` (the same, but a write waits at each replica until its dependencies are
 * there: the COPS-style CausalStore of the state pillar), `linearizable` (one copy, at `leader`:
 * every read and write is a round trip to it, and each sees the one current state).
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { CausalStore, type CausalWrite, type LogEntry, type VersionVector } from '../../state/index.js';

export const socialFeedConfigSchema = z
  .object({
    level: z.enum(['eventual', 'causal', 'linearizable']),
    poster: nodeRef().default('n1'),
    replier: nodeRef().default('n2'),
    reader: nodeRef().default('n3'),
    /** linearizable: the node that holds the one copy. */
    leader: nodeRef().default('n2'),
    postEveryMs: z.number().positive().default(50),
    postsMax: z.number().int().positive().default(100),
    /** How often the replier and the reader look for the next post or reply. */
    pollEveryMs: z.number().positive().default(5),
    statusEveryMs: z.number().positive().default(200),
    resendAfterMs: z.number().positive().default(500),
  })
  .strict();
export type SocialFeedConfig = z.infer<typeof socialFeedConfigSchema>;

/** What a post or reply holds: who wrote it and when (the writer's clock), for the visibility delay. */
interface Item {
  by: string;
  atMs: number;
}

type Msg =
  | { type: 'sf_entries'; entries: LogEntry<CausalWrite<Item>>[] }
  | { type: 'sf_status'; delivered: VersionVector }
  | { type: 'sf_op'; id: number; key: string; value?: Item }
  | { type: 'sf_op_reply'; id: number; value: Item | null };

type Done = (value: Item | undefined) => void;

export class SocialFeed implements Process {
  private readonly replica: CausalStore<Item> | undefined;
  /** linearizable, on the leader: the one copy. */
  private readonly single = new Map<string, Item>();
  private readonly waiting = new Map<number, Done>();
  private opIdLast = 0;
  private posted = 0;
  private nextReply = 0;
  private nextRead = 0;
  private busy = false;

  constructor(
    private readonly ctx: Context,
    private readonly config: SocialFeedConfig,
  ) {
    if (config.level !== 'linearizable') this.replica = new CausalStore<Item>(ctx.id, ctx.peers, config.level);
  }

  start(): void {
    const { ctx, config } = this;
    ctx.metrics.count('social_anomalies', 0);
    if (this.replica !== undefined) ctx.setTimer(config.statusEveryMs, () => this.sendStatus());
    if (ctx.id === config.poster) ctx.setTimer(config.postEveryMs, () => this.post());
    if (ctx.id === config.replier || ctx.id === config.reader) ctx.setTimer(config.pollEveryMs, () => this.poll());
  }

  private sendStatus(): void {
    this.ctx.setTimer(this.config.statusEveryMs, () => this.sendStatus());
    for (const p of this.ctx.peers) this.ctx.send(p, { type: 'sf_status', delivered: this.replica!.status() } satisfies Msg);
  }

  // The people.

  private post(): void {
    if (this.posted >= this.config.postsMax) return;
    this.ctx.setTimer(this.config.postEveryMs, () => this.post());
    this.write(`post-${this.posted++}`, () => this.ctx.metrics.count('social_posts'));
  }

  private poll(): void {
    this.ctx.setTimer(this.config.pollEveryMs, () => this.poll());
    if (this.busy) return;
    this.busy = true;
    if (this.ctx.id === this.config.replier) this.replyToNextPost();
    else this.readNextReply();
  }

  private replyToNextPost(): void {
    const j = this.nextReply;
    this.read(`post-${j}`, (post) => {
      if (post === undefined) return (this.busy = false);
      this.write(`reply-${j}`, () => {
        this.ctx.metrics.count('social_replies');
        this.nextReply = j + 1;
        this.busy = false;
      });
    });
  }

  private readNextReply(): void {
    const k = this.nextRead;
    this.read(`reply-${k}`, (reply) => {
      if (reply === undefined) return (this.busy = false);
      this.ctx.metrics.count('social_replies_read');
      this.ctx.metrics.observe('social_reply_visible_ms', this.ctx.now() - reply.atMs);
      this.read(`post-${k}`, (post) => {
        // The reply is here and the post it answers is not: effect before cause.
        if (post === undefined) {
          this.ctx.metrics.count('social_anomalies');
          this.ctx.log('reply_before_post', { reply: `reply-${k}`, by: reply.by });
        }
        this.nextRead = k + 1;
        this.busy = false;
      });
    });
  }

  // The store, as the people see it: local for eventual and causal, a round trip for linearizable.

  private read(key: string, done: Done): void {
    const started = this.ctx.now();
    // The reader's reads are the ones timed: the replier sits beside the linearizable leader.
    const timed: Done = (v) => {
      if (this.ctx.id === this.config.reader) this.ctx.metrics.observe('social_read_ms', this.ctx.now() - started);
      done(v);
    };
    if (this.replica !== undefined) return timed(this.replica.read(key));
    this.remote(key, undefined, timed);
  }

  private write(key: string, done: () => void): void {
    const started = this.ctx.now();
    const value: Item = { by: this.ctx.id, atMs: started };
    // The poster's writes are the ones timed, for the same reason.
    const timed = () => {
      if (this.ctx.id === this.config.poster) this.ctx.metrics.observe('social_write_ms', this.ctx.now() - started);
      done();
    };
    if (this.replica === undefined) return this.remote(key, value, timed);
    const entry = this.replica.write(key, value, started);
    for (const p of this.ctx.peers) this.ctx.send(p, { type: 'sf_entries', entries: [entry] } satisfies Msg);
    timed();
  }

  private remote(key: string, value: Item | undefined, done: Done): void {
    if (this.ctx.id === this.config.leader) return done(this.serve(key, value));
    const id = ++this.opIdLast;
    this.waiting.set(id, done);
    this.ctx.send(this.config.leader, { type: 'sf_op', id, key, value } satisfies Msg);
  }

  /** The leader applies a read or a write to the one copy. */
  private serve(key: string, value: Item | undefined): Item | undefined {
    if (value !== undefined) this.single.set(key, value);
    return this.single.get(key);
  }

  onMessage(from: NodeId, msg: unknown): void {
    const m = msg as Msg;
    switch (m.type) {
      case 'sf_entries':
        this.replica?.receive(m.entries);
        return;
      case 'sf_status': {
        const missing = this.replica?.peerStatus(from, m.delivered, this.ctx.now(), this.config.resendAfterMs) ?? [];
        if (missing.length > 0) this.ctx.send(from, { type: 'sf_entries', entries: missing } satisfies Msg);
        return;
      }
      case 'sf_op':
        this.ctx.send(from, { type: 'sf_op_reply', id: m.id, value: this.serve(m.key, m.value) ?? null } satisfies Msg);
        return;
      case 'sf_op_reply': {
        const done = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        done?.(m.value ?? undefined);
        return;
      }
    }
  }
}

export const socialFeed = (ctx: Context, config: SocialFeedConfig): Process => new SocialFeed(ctx, config);
