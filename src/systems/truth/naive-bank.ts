/**
 * The naive bank of the ATM story: every ATM reads the balance from a shared ledger, checks it,
 * then debits it, in three steps with network round trips between them. Withdrawals that run at the
 * same time all pass the check against the same balance, and every debit lands: $1000, three
 * withdrawals of $800, a balance of -$1400.
 *
 * The node named by `ledger` keeps the balances; the others are ATMs. Clients may read and write
 * accounts through any ATM (the ATM relays to the ledger) and withdraw with transfer {to, amount}.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';

export const naiveBankConfigSchema = z
  .object({
    /** A client on the ledger would withdraw without a network round trip between read and debit: no race to show. */
    ledger: nodeRef({ reserved: 'the ledger keeps the balances; clients talk to the ATMs' }).default('n1'),
  })
  .strict();
export type NaiveBankConfig = z.infer<typeof naiveBankConfigSchema>;

type LedgerRequest =
  | { type: 'ledger_read'; id: number; key: string }
  | { type: 'ledger_set'; id: number; key: string; value: number }
  | { type: 'ledger_add'; id: number; key: string; delta: number };
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

interface LedgerReply {
  type: 'ledger_reply';
  id: number;
  value: number | null;
}

export class NaiveBank implements Process {
  private readonly balances = new Map<string, number>();
  private idNext = 1;
  private readonly waiting = new Map<number, (value: number | null) => void>();

  constructor(
    private readonly ctx: Context,
    private readonly config: NaiveBankConfig,
  ) {}

  private get isLedger(): boolean {
    return this.ctx.id === this.config.ledger;
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    const m = msg as LedgerRequest | LedgerReply;
    if (m.type === 'ledger_reply') {
      const k = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      k?.(m.value);
    } else if (this.isLedger) {
      this.ctx.send(from, { type: 'ledger_reply', id: m.id, value: this.applyLedger(m) } satisfies LedgerReply);
    }
  }

  private applyLedger(m: LedgerRequest): number | null {
    if (m.type === 'ledger_set') this.balances.set(m.key, m.value);
    else if (m.type === 'ledger_add') this.balances.set(m.key, (this.balances.get(m.key) ?? 0) + m.delta);
    return this.balances.get(m.key) ?? null;
  }

  /** One round trip to the ledger (or a local call on the ledger itself). */
  private ledger(req: WithoutId<LedgerRequest>, then: (value: number | null) => void): void {
    const full = { ...req, id: this.idNext++ } as LedgerRequest;
    if (this.isLedger) return then(this.applyLedger(full));
    this.waiting.set(full.id, then);
    this.ctx.send(this.config.ledger, full);
  }

  private onClient(client: NodeId, req: ClientRequest): void {
    const key = req.op.key ?? '';
    const reply = (status: 'ok' | 'fail', value?: unknown, error?: string) => this.ctx.send(client, clientReply(req, status, value, error));
    switch (req.op.f) {
      case 'read':
        return this.ledger({ type: 'ledger_read', key }, (v) => reply('ok', v));
      case 'write':
        return this.ledger({ type: 'ledger_set', key, value: Number(req.op.value) }, () => reply('ok'));
      case 'transfer': {
        const { to, amount } = req.op.value as { to: string; amount: number };
        // Read, check, debit: three steps, and nothing stops another ATM between them.
        return this.ledger({ type: 'ledger_read', key }, (balance) => {
          if ((balance ?? 0) < amount) return reply('fail', undefined, 'insufficient funds');
          this.ledger({ type: 'ledger_add', key, delta: -amount }, () => this.ledger({ type: 'ledger_add', key: to, delta: amount }, () => reply('ok')));
        });
      }
      default:
        return reply('fail', undefined, `unsupported operation ${req.op.f}`);
    }
  }
}

export const naiveBank = (ctx: Context, config: NaiveBankConfig): Process => new NaiveBank(ctx, config);
