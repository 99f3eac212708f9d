/**
 * A table keyed by positive integer ids handed out in increasing order (timer ids): a Map for the
 * ids that are live now, without the churn of one.
 *
 * Why not a Map: timers are set and cleared on every operation of a run, and a V8 Map keeps a hole
 * for each deleted entry until it rehashes into a new table, and rehashes into a smaller one when
 * half of it is empty. A table of a few live timers with a steady stream through it was rebuilt
 * every few operations: a seventh of what a simulated M/M/c queue allocated. Here the slots are
 * reused in place (open addressing, linear probing, deletion by backward shift: no tombstones) and
 * the table only ever grows, to twice the most ids live at once. Ids given out in order land in
 * consecutive slots (the slot is the id's low bits), so probes are short. Ids are kept as float64: a
 * node that runs for weeks sets more than 2^31 timers.
 */
const EMPTY = 0;
const CAPACITY_MIN = 16;

export class IdTable<V> {
  private ids = new Float64Array(CAPACITY_MIN);
  private values: (V | undefined)[] = new Array<V | undefined>(CAPACITY_MIN).fill(undefined);
  private mask = CAPACITY_MIN - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): V | undefined {
    const i = this.slotOf(id);
    return i < 0 ? undefined : this.values[i];
  }

  has(id: number): boolean {
    return this.slotOf(id) >= 0;
  }

  /** Add or replace the value of `id` (a positive safe integer). */
  set(id: number, value: V): void {
    if (!(id > 0 && Number.isSafeInteger(id))) throw new RangeError(`IdTable: id must be a positive safe integer, got ${id}`);
    const ids = this.ids;
    let i = id & this.mask;
    for (; ; i = (i + 1) & this.mask) {
      const at = ids[i];
      if (at === id) {
        this.values[i] = value;
        return;
      }
      if (at === EMPTY) break;
    }
    ids[i] = id;
    this.values[i] = value;
    // At most half full: probes stay short even when ids are not consecutive.
    if (++this.count * 2 > ids.length) this.grow();
  }

  /** Remove `id`; whether it was there. */
  delete(id: number): boolean {
    let i = this.slotOf(id);
    if (i < 0) return false;
    const ids = this.ids;
    const values = this.values;
    const mask = this.mask;
    // Backward-shift deletion: move later entries of the probe run into the hole when their home
    // slot lies at or before it, so that every lookup still finds its id before an empty slot.
    for (let j = (i + 1) & mask; ids[j] !== EMPTY; j = (j + 1) & mask) {
      const home = ids[j] & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        ids[i] = ids[j];
        values[i] = values[j];
        i = j;
      }
    }
    ids[i] = EMPTY;
    values[i] = undefined;
    this.count--;
    return true;
  }

  /** The values, in no particular order. */
  *valuesInAnyOrder(): IterableIterator<V> {
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== EMPTY) yield this.values[i] as V;
  }

  /** The ids, in no particular order. */
  *idsInAnyOrder(): IterableIterator<number> {
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== EMPTY) yield ids[i];
  }

  clear(): void {
    this.ids.fill(EMPTY);
    this.values.fill(undefined);
    this.count = 0;
  }

  private slotOf(id: number): number {
    if (id === EMPTY) return -1;
    const ids = this.ids;
    for (let i = id & this.mask; ; i = (i + 1) & this.mask) {
      const at = ids[i];
      if (at === id) return i;
      if (at === EMPTY) return -1;
    }
  }

  private grow(): void {
    const oldIds = this.ids;
    const oldValues = this.values;
    const capacity = oldIds.length * 2;
    this.ids = new Float64Array(capacity);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    for (let i = 0; i < oldIds.length; i++) {
      const id = oldIds[i];
      if (id === EMPTY) continue;
      let j = id & this.mask;
      while (this.ids[j] !== EMPTY) j = (j + 1) & this.mask;
      this.ids[j] = id;
      this.values[j] = oldValues[i];
    }
  }
}
