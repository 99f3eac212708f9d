/**
 * Binary consensus in rounds of two phases, after Ben-Or (1983), for n > 2f crash faults, as a pure
 * core: reports in, broadcasts and a decision out.
 *
 * Round r: phase 1, broadcast your preference x and wait for n - f reports; a value reported by more
 * than n/2 becomes your proposal, else '?'. Phase 2, broadcast the proposal and wait for n - f; f + 1
 * proposals of v decide v; one proposal of v makes v your preference; none, and `tieBreak` says:
 * - `keep`: keep x. Deterministic and fully asynchronous: FLP (1985) says a scheduler can keep it
 *   from deciding for ever, and the flp story's adversary does.
 * - `coin`: a fair coin (Ben-Or). Gives up determinism; decides with probability 1.
 * - `coordinator`: adopt the phase-1 report of round r's coordinator (node r mod n), which phase 1
 *   then also waits for unless a failure detector suspects the coordinator. Gives up pure
 *   asynchrony: the detector must not suspect a live coordinator forever (Chandra-Toueg's eventually
 *   accurate detector).
 */
export type Bit = 0 | 1;
export type Proposal = Bit | '?';
export type TieBreak = 'keep' | 'coin' | 'coordinator';

export type BenOrMessage =
  | { type: 'bo_report'; round: number; phase: 1; value: Bit }
  | { type: 'bo_report'; round: number; phase: 2; value: Proposal }
  | { type: 'bo_decided'; value: Bit };

export interface BenOrEffects {
  broadcast(msg: BenOrMessage): void;
  random(): number;
  enteredRound(round: number): void;
  decided(value: Bit, round: number): void;
}

export class BenOr {
  private round = 0;
  private phase: 1 | 2 = 1;
  private x: Bit;
  private decision: Bit | undefined;
  /** Reports by round, phase and sender; rounds ahead of ours wait here. */
  private readonly reports = new Map<string, Map<string, Proposal>>();
  private readonly suspected = new Set<number>();

  constructor(
    readonly id: string,
    private readonly nodes: readonly string[],
    private readonly f: number,
    input: Bit,
    private readonly tieBreak: TieBreak,
    private readonly fx: BenOrEffects,
  ) {
    if (nodes.length <= 2 * f) throw new Error(`ben-or needs n > 2f (n ${nodes.length}, f ${f})`);
    this.x = input;
  }

  get decided(): Bit | undefined {
    return this.decision;
  }

  get currentRound(): number {
    return this.round;
  }

  coordinatorOf(round: number): string {
    return this.nodes[round % this.nodes.length];
  }

  start(): void {
    this.enter(1);
  }

  onMessage(from: string, m: BenOrMessage): void {
    if (this.decision !== undefined) return;
    if (m.type === 'bo_decided') return this.decide(m.value);
    if (m.round < this.round || (m.round === this.round && m.phase < this.phase)) return; // late: that step is over
    const key = `${m.round}/${m.phase}`;
    let got = this.reports.get(key);
    if (got === undefined) this.reports.set(key, (got = new Map()));
    got.set(from, m.value);
    this.advance();
  }

  /** The failure detector suspects round `round`'s coordinator: phase 1 stops waiting for it. */
  suspectCoordinator(round: number): void {
    this.suspected.add(round);
    this.advance();
  }

  private enter(round: number): void {
    this.reports.delete(`${this.round}/1`);
    this.reports.delete(`${this.round}/2`);
    this.round = round;
    this.phase = 1;
    this.fx.enteredRound(round);
    this.fx.broadcast({ type: 'bo_report', round, phase: 1, value: this.x });
  }

  private advance(): void {
    const quorum = this.nodes.length - this.f;
    while (this.decision === undefined) {
      const got = this.reports.get(`${this.round}/${this.phase}`);
      if (got === undefined || got.size < quorum) return;
      if (this.phase === 1) {
        const coordinator = this.coordinatorOf(this.round);
        if (this.tieBreak === 'coordinator' && !got.has(coordinator) && !this.suspected.has(this.round)) return;
        const proposal = ([0, 1] as const).find((v) => count(got, v) * 2 > this.nodes.length) ?? '?';
        this.phase = 2;
        this.fx.broadcast({ type: 'bo_report', round: this.round, phase: 2, value: proposal });
        continue;
      }
      const p1 = this.reports.get(`${this.round}/1`);
      const backed = ([0, 1] as const).find((v) => count(got, v) > 0);
      if (backed !== undefined && count(got, backed) >= this.f + 1) return this.decide(backed);
      if (backed !== undefined) this.x = backed;
      else if (this.tieBreak === 'coin') this.x = this.fx.random() < 0.5 ? 0 : 1;
      else if (this.tieBreak === 'coordinator') {
        const c = p1?.get(this.coordinatorOf(this.round));
        if (c === 0 || c === 1) this.x = c;
      }
      this.enter(this.round + 1);
    }
  }

  private decide(v: Bit): void {
    if (this.decision !== undefined) return;
    this.decision = v;
    this.x = v;
    this.fx.broadcast({ type: 'bo_decided', value: v });
    this.fx.decided(v, this.round);
  }
}

function count(got: Map<string, Proposal>, v: Proposal): number {
  let n = 0;
  for (const x of got.values()) if (x === v) n++;
  return n;
}
