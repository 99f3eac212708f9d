/**
 * The shopping-cart story as a system (Dynamo's example): replicas of a cart that accept adds and
 * removes anywhere and copy their state to each other. How concurrent updates are settled:
 *
 * - lww: the cart is one value, last write wins by wall clock: of two concurrent adds at two
 *   replicas, one cart overwrites the other and an item is lost.
 * - mv: a multi-value register, as in Dynamo: concurrent carts are kept as siblings; each update
 *   first merges the siblings it sees (their union) and writes the result over them. No add is
 *   lost, but a removed item that survives in a sibling comes back in the union, and siblings pile
 *   up while updates race.
 * - or-set: an observed-remove set: every add is kept, a remove deletes exactly the adds it saw.
 *
 * A remove takes out the smallest item the replica sees and answers with it. Reads answer the cart
 * (for mv: the list of sibling carts, for the client to reconcile) and count the siblings.
 */
import { z } from 'zod';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { lwwRegister, mvRegister, type LwwRegister, type MvRegister } from '../../state/crdt/registers.js';
import { orSet, type ORSet } from '../../state/crdt/sets.js';

export const cartReplicasConfigSchema = z.object({ resolution: z.enum(['lww', 'mv', 'or-set']) }).strict();
export type CartReplicasConfig = z.infer<typeof cartReplicasConfigSchema>;

type Cart = LwwRegister<string[]> | MvRegister<string[]> | ORSet;
type Msg = { type: 'cart'; state: Cart };

/** Distinct items in numeric order (then by text): each item's number parsed once, not per comparison. */
const sortedItems = (xs: Iterable<string>): string[] =>
  [...new Set(xs)]
    .map((x) => [Number(x), x] as const)
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([, x]) => x);

export class CartReplicas implements Process {
  private cart: Cart;

  constructor(
    private readonly ctx: Context,
    private readonly config: CartReplicasConfig,
  ) {
    this.cart = config.resolution === 'lww' ? lwwRegister.empty<string[]>() : config.resolution === 'mv' ? mvRegister.empty<string[]>() : orSet.empty();
  }

  /** The items this replica shows, and how many siblings it holds. */
  private view(): { items: string[]; siblings: number } {
    switch (this.config.resolution) {
      case 'lww':
        return { items: lwwRegister.value(this.cart as LwwRegister<string[]>) ?? [], siblings: 1 };
      case 'mv': {
        const carts = mvRegister.value(this.cart as MvRegister<string[]>);
        // One sibling is a cart this code wrote: already sorted and distinct.
        return { items: carts.length === 1 ? carts[0] : sortedItems(carts.flat()), siblings: carts.length };
      }
      case 'or-set':
        return { items: sortedItems(orSet.value(this.cart as ORSet)), siblings: 1 };
    }
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    const m = msg as Msg;
    if (m.type !== 'cart') return;
    this.cart = this.merge(this.cart, m.state);
  }

  private merge(a: Cart, b: Cart): Cart {
    switch (this.config.resolution) {
      case 'lww':
        return lwwRegister.merge(a as LwwRegister<string[]>, b as LwwRegister<string[]>);
      case 'mv':
        return mvRegister.merge(a as MvRegister<string[]>, b as MvRegister<string[]>);
      case 'or-set':
        return orSet.merge(a as ORSet, b as ORSet);
    }
  }

  /** Replace the cart's items (lww, mv: `seen`, the items this replica shows now) or apply the change (or-set). */
  private update(change: { add?: string; remove?: string }, seen: readonly string[]): void {
    const r = this.config.resolution;
    if (r === 'or-set') {
      let s = this.cart as ORSet;
      if (change.add !== undefined) s = orSet.add(s, this.ctx.id, change.add);
      if (change.remove !== undefined) s = orSet.remove(s, change.remove);
      this.cart = s;
      return;
    }
    const items = new Set(seen);
    if (change.add !== undefined) items.add(change.add);
    if (change.remove !== undefined) items.delete(change.remove);
    const next = sortedItems(items);
    this.cart = r === 'lww' ? lwwRegister.set(this.cart as LwwRegister<string[]>, next, [this.ctx.now(), 0], this.ctx.id) : mvRegister.set(this.cart as MvRegister<string[]>, next, this.ctx.id);
  }

  private onClient(client: NodeId, req: ClientRequest): void {
    const { items, siblings } = this.view();
    this.ctx.metrics.observe('siblings', siblings);
    if (req.op.f === 'read') {
      // Siblings go to the client as they are (a list of carts) for it to reconcile, as Dynamo's do.
      const value = this.config.resolution === 'mv' ? mvRegister.value(this.cart as MvRegister<string[]>) : items;
      return this.ctx.send(client, clientReply(req, 'ok', value));
    }
    let answer: unknown;
    if (req.op.f === 'write') {
      this.update({ add: String(req.op.value) }, items);
    } else if (req.op.f === 'delete') {
      answer = items[0] ?? null;
      if (items.length > 0) this.update({ remove: items[0] }, items);
    } else {
      return this.ctx.send(client, clientReply(req, 'fail', undefined, `unsupported operation ${req.op.f}`));
    }
    this.ctx.send(client, clientReply(req, 'ok', answer));
    for (const p of this.ctx.peers) this.ctx.send(p, { type: 'cart', state: this.cart } satisfies Msg);
  }
}

export const cartReplicas = (ctx: Context, config: CartReplicasConfig): Process => new CartReplicas(ctx, config);
