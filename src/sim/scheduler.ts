/**
 * The event scheduler on virtual time.
 *
 * A binary min-heap ordered by (time, seq). `seq` is a counter assigned at scheduling, so two events
 * at the same virtual time run in the order they were scheduled: a total order that depends on what
 * the program did, never on the seed or on the heap's internals.
 */

export interface SimEvent {
  time: number;
  seq: number;
  /** Set by cancel(); a cancelled event is skipped when it reaches the top (lazy deletion). */
  cancelled: boolean;
  run(): void;
}

/**
 * Compaction waits for this many cancelled events (and for them to be half the heap): amortised O(1),
 * since a compaction costs O(heap). Low, because cancelled events are most of the heap otherwise (a
 * client's timeouts are cleared long before they are due), and every push and pop sifts through them.
 */
const COMPACT_MIN = 32;

export class Scheduler {
  private readonly heap: SimEvent[] = [];
  private seqNext = 0;
  /** Virtual time in milliseconds: the time of the event being run (or last run). */
  now = 0;
  /** Events run so far (cancelled ones excluded). */
  executed = 0;
  /**
   * Cancelled events still in the heap (an estimate: an event cancelled after it left the heap counts
   * until the next compaction). A client's timeout is typically cleared long before it is due; without
   * compaction every such timer would sit in the heap until its time came, making the heap, its sifts
   * and the garbage collector's work proportional to all the timeouts ever set.
   */
  private cancelledInHeap = 0;

  get pending(): number {
    return this.heap.length;
  }

  /** Schedule `fn` at absolute virtual time `time` (clamped to now: the past cannot be scheduled). */
  at(time: number, fn: () => void): SimEvent {
    const ev: SimEvent = { time: time < this.now ? this.now : time, seq: 0, cancelled: false, run: fn };
    this.push(ev);
    return ev;
  }

  after(delayMs: number, fn: () => void): SimEvent {
    return this.at(this.now + (delayMs > 0 ? delayMs : 0), fn);
  }

  /** Insert a prepared event object (hot paths reuse their own event shapes). */
  push(ev: SimEvent): void {
    ev.seq = this.seqNext++;
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    // Sift up.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = h[p];
      if (pe.time < ev.time || (pe.time === ev.time && pe.seq < ev.seq)) break;
      h[i] = pe;
      i = p;
    }
    h[i] = ev;
  }

  cancel(ev: SimEvent): void {
    if (ev.cancelled) return;
    ev.cancelled = true;
    this.cancelledInHeap++;
    if (this.cancelledInHeap >= COMPACT_MIN && 2 * this.cancelledInHeap > this.heap.length) this.compact();
  }

  /**
   * Drop the cancelled events and rebuild the heap in O(n) (Floyd: sift down every parent, the last
   * first). The order events run in is the total order of (time, seq), so the heap's shape does not
   * matter: the run is the same with or without compaction.
   */
  private compact(): void {
    // In place: runUntil may be holding the array while an event it runs cancels others.
    const h = this.heap;
    let n = 0;
    for (let i = 0; i < h.length; i++) if (!h[i].cancelled) h[n++] = h[i];
    h.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(h[i], i);
    this.cancelledInHeap = 0;
  }

  /** Time of the next live event, or Infinity. */
  peekTime(): number {
    const h = this.heap;
    while (h.length > 0 && h[0].cancelled) this.popCancelled();
    return h.length > 0 ? h[0].time : Infinity;
  }

  /** Run events until the queue is empty or the next event is later than `untilMs`. Returns events run. */
  runUntil(untilMs: number, maxEvents = Infinity): number {
    let n = 0;
    const h = this.heap;
    while (h.length > 0 && n < maxEvents) {
      const top = h[0];
      if (top.time > untilMs) break;
      this.pop();
      if (top.cancelled) {
        if (this.cancelledInHeap > 0) this.cancelledInHeap--;
        continue;
      }
      this.now = top.time;
      // Counted before it runs: an event that throws (an invariant violation) still ran.
      this.executed++;
      n++;
      top.run();
    }
    if (this.now < untilMs && (h.length === 0 || h[0].time > untilMs) && untilMs !== Infinity) this.now = untilMs;
    return n;
  }

  private popCancelled(): void {
    this.pop();
    if (this.cancelledInHeap > 0) this.cancelledInHeap--;
  }

  private pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (last === undefined || h.length === 0) return top;
    // Sift the last element down from the root.
    this.siftDown(last, 0);
    return top;
  }

  /** Place `ev` at slot `i` or below, moving the earlier of each pair of children up past it. */
  private siftDown(ev: SimEvent, i: number): void {
    const h = this.heap;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let ce = h[l];
      if (r < n) {
        const re = h[r];
        if (re.time < ce.time || (re.time === ce.time && re.seq < ce.seq)) {
          c = r;
          ce = re;
        }
      }
      if (ev.time < ce.time || (ev.time === ce.time && ev.seq < ce.seq)) break;
      h[i] = ce;
      i = c;
    }
    h[i] = ev;
  }
}
