/**
 * A register of reads and writes whose written values are all distinct, decided without a search
 * (after Misra's and Gibbons and Korach's results on atomic registers), in O(n log n).
 *
 * With distinct values a read names the write it saw, and in any linearization the operations form
 * blocks: a write followed by the reads of its value, until the next write (the reads of the initial
 * null come first, before any write). So the history is linearizable exactly when
 * - no read of v completes before the write of v is invoked, every value read was written (or is the
 *   initial null), and
 * - the blocks can be ordered so that real time is respected: block A must precede block B when some
 *   operation of A completes before some operation of B is invoked, that is when
 *   first(A) < last(B), with first = the earliest completion in the block and last = the latest
 *   invocation. Such an order exists unless two blocks must each precede the other (a cycle of these
 *   constraints always contains such a pair: take the block of the cycle that completes first).
 */
/** What this needs of an operation (the checker's Op has it; no import, so no cycle). */
interface Op {
  f: string;
  value: unknown;
  call: number;
  ret: number;
  info: boolean;
}

interface Block {
  /** undefined: the initial null. */
  write: Op | undefined;
  reads: Op[];
  first: number;
  last: number;
  firstOp: Op | undefined;
  lastOp: Op | undefined;
}

export interface RegisterOrderViolation<O extends Op = Op> {
  stuck: O;
  /** Operations that real time forces before `stuck`, in that order. */
  linearized: O[];
  /** The value the register holds when `stuck` would have to take effect (its canonical JSON). */
  state: string;
}

/**
 * Whether the fast path applies: only ok reads and writes (info writes allowed), values distinct, no
 * write of null (it would be indistinguishable from the initial value).
 */
export function isDistinctValueRegister(ops: readonly Op[], keyOf: (v: unknown) => string): boolean {
  const written = new Set<string>();
  for (const op of ops) {
    if (op.f === 'read' && !op.info) continue;
    if (op.f !== 'write') return false;
    const k = keyOf(op.value);
    if (k === 'null' || written.has(k)) return false;
    written.add(k);
  }
  return true;
}

/** undefined when linearizable; otherwise the operation no order can explain. */
export function checkDistinctValueRegister<O extends Op>(ops: readonly O[], keyOf: (v: unknown) => string): RegisterOrderViolation<O> | undefined {
  const initial: Block = { write: undefined, reads: [], first: -Infinity, last: -Infinity, firstOp: undefined, lastOp: undefined };
  const blocks = new Map<string, Block>();
  for (const op of ops) if (op.f === 'write') blocks.set(keyOf(op.value), { write: op, reads: [], first: op.ret, last: op.call, firstOp: op, lastOp: op });
  for (const op of ops) {
    if (op.f !== 'read') continue;
    const k = keyOf(op.value);
    const block = k === 'null' ? initial : blocks.get(k);
    if (block === undefined) return { stuck: op, linearized: [], state: 'null' };
    if (block.write !== undefined && op.ret < block.write.call) return { stuck: op, linearized: [], state: 'null' };
    block.reads.push(op);
    // The initial block precedes every write (first = -Infinity); it still must not follow one.
    if (block !== initial && op.ret < block.first) {
      block.first = op.ret;
      block.firstOp = op;
    }
    if (op.call > block.last) {
      block.last = op.call;
      block.lastOp = op;
    }
  }
  const all = [initial, ...blocks.values()];
  // Sorted by first; prefix maxima of last (the best two, so that a block never pairs with itself).
  all.sort((a, b) => a.first - b.first);
  const firsts = all.map((b) => b.first);
  const bestLast: number[] = [];
  const secondLast: number[] = [];
  let best = -1;
  let second = -1;
  for (let i = 0; i < all.length; i++) {
    if (best < 0 || all[i].last > all[best].last) {
      second = best;
      best = i;
    } else if (second < 0 || all[i].last > all[second].last) second = i;
    bestLast.push(best);
    secondLast.push(second);
  }
  for (let j = 0; j < all.length; j++) {
    const b = all[j];
    // The blocks that must precede b: first(a) < last(b).
    const count = lowerBound(firsts, b.last);
    if (count === 0) continue;
    let a = bestLast[count - 1];
    if (a === j) a = secondLast[count - 1];
    if (a < 0 || !(b.first < all[a].last)) continue;
    return explain(all[a], b, keyOf) as RegisterOrderViolation<O>;
  }
  return undefined;
}

/** The index of the first element not below x (firsts is sorted ascending). */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Blocks a and b must each precede the other. Told from the later of their latest invocations: that
 * operation began after the other block's earliest completion, which itself began after this block's
 * earliest completion, so the other block's value overwrote this one before it.
 */
function explain(a: Block, b: Block, keyOf: (v: unknown) => string): RegisterOrderViolation {
  // A read of the initial null that began after a write completed is the one to tell.
  const [late, early] = a.write === undefined ? [a, b] : b.write === undefined ? [b, a] : a.last >= b.last ? [a, b] : [b, a];
  const stuck = late.lastOp!;
  const order: Op[] = [];
  const add = (o: Op | undefined) => {
    if (o !== undefined && o !== stuck && !order.includes(o)) order.push(o);
  };
  add(late.write);
  add(late.firstOp);
  add(early.write);
  add(early.firstOp);
  return { stuck, linearized: order, state: early.write === undefined ? 'null' : keyOf(early.write.value) };
}
