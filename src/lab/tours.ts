/**
 * Guided tours: each pillar's main stories told beside their run, in the seeds' own words. A tour
 * is data: a story, a variant and a seed, and stops, each at a virtual time, on the first trace
 * record that matches a pattern, or at the run's end; the lab pauses at each and shows what the
 * seeds say of that moment. src/lab/tours.test.ts runs every tour to its last stop and finds every
 * quote, verbatim, in the seeds.
 */

/**
 * A trace record's fields to match: a value is matched exactly, `{ min }` / `{ max }` bounds a
 * number. A dotted name reaches inside (`msg.type`).
 */
export type RecordPattern = Readonly<Record<string, string | number | boolean | { min?: number; max?: number }>>;

/** Where a stop is: once the run has reached a virtual time, on a record, or at the run's end. */
export type StopAt = { ms: number } | { on: RecordPattern } | { end: true };

export interface TourQuote {
  /** The seed file it is taken from (in the seeds' folder), where it appears verbatim. */
  seed: string;
  text: string;
}

export interface TourStop {
  title: string;
  at: StopAt;
  /** The seeds' words for this moment. */
  quotes: readonly TourQuote[];
  /** What the run shows at this moment, in the lab's words. */
  say: string;
}

export interface Tour {
  /** The name in the address: `?tour=split-brain`. */
  name: string;
  title: string;
  pillar: 'work' | 'state' | 'truth' | 'control' | 'intelligence';
  story: string;
  variant: string;
  seed: number;
  /** The variant a reader should put beside it (compare mode) once the tour is done. */
  compareWith?: string;
  stops: readonly TourStop[];
}

/** The seed files quoted, as a reader knows them. */
export const SEED_TITLES: Readonly<Record<string, string>> = {
  '003_13591edd1af25966.txt': 'Pillar 2: Distribution of State',
  '004_b066a815fa30cba0.txt': 'Podcast episode 4: Distribution Fundamentals',
  '002_dacb73b3e71d4228.txt': 'The 5 Pillars: Your Distributed Systems Survival Kit',
};

const EPISODE = '004_b066a815fa30cba0.txt';
const STATE = '003_13591edd1af25966.txt';
const PILLARS = '002_dacb73b3e71d4228.txt';
const q = (seed: string, ...texts: string[]): TourQuote[] => texts.map((text) => ({ seed, text }));

export const TOURS: readonly Tour[] = [
  {
    name: 'split-brain',
    title: 'Split brain: 43 seconds, two primaries',
    pillar: 'truth',
    story: 'split-brain',
    variant: 'naive',
    seed: 1,
    compareWith: 'fixed',
    stops: [
      {
        title: 'The partition',
        at: { on: { kind: 'fault', fault: 'partition' } },
        quotes: q(EPISODE, 'T+00:00:00  43-second network partition'),
        say: 'At 5 s dc-east (n1 n2 n3) and dc-west (n4 n5) lose each other for 43 s: the dashed red lines. n1 is the primary; its copies to n4 and n5 are dropped from now on.',
      },
      {
        title: 'A second primary',
        at: { on: { kind: 'log', event: 'promote' } },
        quotes: q(EPISODE, 'T+00:00:15  West Coast: "No, I\'M the primary!"', 'T+00:00:20  BOTH ACCEPT WRITES'),
        say: 'n4 has heard nothing from n1 for its failover timeout and promotes itself. Both sides now acknowledge increments to their own clients.',
      },
      {
        title: 'The heal',
        at: { on: { kind: 'fault', fault: 'heal' } },
        quotes: q(EPISODE, 'T+00:00:43  Network restored', 'T+00:00:44  TWO DIVERGENT REALITIES EXIST'),
        say: 'The link returns after 43 s. One history wins: the increments the other primary acknowledged while cut off are overwritten, though their clients were told they succeeded.',
      },
      {
        title: 'The verdict',
        at: { end: true },
        quotes: [...q(EPISODE, 'Reality: They happen EVERY DAY somewhere'), ...q(STATE, 'Add external arbitrator (witness node)')],
        say: 'no-lost-increments fails with how many acknowledged increments were lost, and linearizable with the operation no order explains. Put the fixed variant (Raft) beside it: the minority cannot commit, and nothing acknowledged is lost.',
      },
    ],
  },
  {
    name: 'raft',
    title: 'Raft: a leader, a majority, and a disk that had not synced',
    pillar: 'truth',
    story: 'raft-chaos',
    variant: 'naive-crash-before-fsync',
    seed: 1,
    compareWith: 'fixed-crash-before-fsync',
    stops: [
      {
        title: 'A leader',
        // A leader's first act is an append to every follower: the election is won.
        at: { on: { kind: 'send', 'msg.type': 'append' } },
        quotes: q(EPISODE, 'Candidate: "I want to be leader for term 42"', 'Result: 2/3 votes = NEW LEADER'),
        say: "n1's election timer fired first: it asked the others for their votes, a majority granted them, and it leads term 1. Its first append tells the followers so (the stage shows each node's role and term).",
      },
      {
        title: 'A write, acknowledged',
        at: { on: { kind: 'log', event: 'outcome', status: 'ok' } },
        quotes: q(EPISODE, '[WAIT FOR MAJORITY ACK]', 'SUCCESS returned to client'),
        say: "A client's write is answered: the leader waited for a majority. But in this variant a follower acknowledges an entry before its disk has synced it (20-50 ms on these disks), so for those milliseconds the majority holds it in memory only.",
      },
      {
        title: 'The power goes',
        at: { ms: 3000 },
        quotes: [...q(PILLARS, 'Hard drives fail. Always.'), ...q(STATE, 'Networks partition, nodes crash, disks fail')],
        say: 'All five servers lose power at once, for 500 ms, under full load: whatever their disks had not synced is gone, acknowledged or not. It happens four more times, every 3 s.',
      },
      {
        title: 'A new leader',
        at: { on: { kind: 'send', 'msg.type': 'append', t: { min: 3500 } } },
        quotes: q(EPISODE, 'Result: 2/3 votes = NEW LEADER'),
        say: "Back from their disks, the servers elect a leader for a new term, and it rebuilds the followers' logs from its own: an entry acknowledged before a power cut that no majority had synced is not in it, nor ever will be.",
      },
      {
        title: 'Linearizable fails',
        at: { ms: 7250 },
        quotes: q(EPISODE, 'Raft provides strong consistency but requires majority agreement for every write'),
        say: 'After the second power cut (6 s) the checker finds a read no order of the acknowledged operations explains: k0 was written 1208, 1209 and 1213, each acknowledged just before the cut, and a read after it answers 1203, an older value. Those writes went with the power (the red row in Checks, with the operation and the longest order found). Put fixed-crash-before-fsync beside it: the same power cuts, but a node answers only once its disk has the entry, and nothing acknowledged is lost.',
      },
    ],
  },
  {
    name: 'atm-race',
    title: 'Three ATMs, one balance',
    pillar: 'state',
    story: 'atm-race',
    variant: 'naive',
    seed: 1,
    compareWith: 'fixed',
    stops: [
      {
        title: 'The account opens',
        at: { on: { kind: 'log', event: 'outcome', node: 'c1', id: 1 } },
        quotes: q(EPISODE, 'THE SETUP: One account, Two ATMs, Physics wins'),
        say: 'The balance of acct is written: $1000, acknowledged.',
      },
      {
        title: 'Three withdrawals at once',
        at: { ms: 1500 },
        quotes: q(EPISODE, 'NYC Customer:  "Withdraw $800"', 'LA Customer:   "Withdraw $800"', 'Tokyo Customer: "Withdraw $800"'),
        say: 'At 1.5 s three ATMs (c1 c2 c3) each ask for $800. In the naive design each reads the balance, checks it and debits it, in separate steps.',
      },
      {
        title: 'All three approved',
        at: { on: { kind: 'log', event: 'outcome', node: 'c3', id: 1, status: 'ok' } },
        quotes: q(EPISODE, 'All ATMs think: "$1000 - $800 = $200 left, approved!"'),
        say: 'Every ATM read $1000 before any debit landed: the third withdrawal is approved too.',
      },
      {
        title: 'The balance',
        at: { on: { kind: 'log', event: 'outcome', node: 'c1', id: 3 } },
        quotes: q(EPISODE, 'Bank: "We just created $1400 out of thin air"'),
        say: 'A read of acct answers -1400.',
      },
      {
        title: 'The verdict',
        at: { end: true },
        quotes: q(EPISODE, 'Physics: "No, you just discovered eventual consistency"'),
        say: 'balance-floor fails (final balance -1400, 3 approved) and so does linearizable. The fixed variant makes each withdrawal one command agreed by Raft: one approved, $200 left.',
      },
    ],
  },
  {
    name: 'thundering-herd',
    title: 'A thousand cron jobs and a retry storm',
    pillar: 'work',
    story: 'thundering-herd',
    variant: 'naive',
    seed: 1,
    compareWith: 'fixed',
    stops: [
      {
        title: 'The herd',
        at: { ms: 10 },
        quotes: q(EPISODE, '12:00:00.000 - Cron triggers on 1000 servers', '12:00:00.001 - 1000 simultaneous database connections', '12:00:00.010 - Database connection pool: 100 (max)'),
        say: 'A thousand clients each send one query in the same 10 ms to a database that runs 100 at a time, 50 ms each.',
      },
      {
        title: 'The retry storm',
        at: { on: { kind: 'send', 'msg.attempt': 2 } },
        quotes: q(EPISODE, '12:00:00.100 - Retry storm begins'),
        say: 'The first client gives up after 200 ms and asks again at once. Its first copy is still queued: the database will run both, and nobody waits for the first.',
      },
      {
        title: 'Jobs that never finish',
        at: { on: { kind: 'log', event: 'outcome', status: 'info' } },
        quotes: q(EPISODE, '12:00:05.000 - Complete system failure'),
        say: 'A client has tried ten times and stops: its job never finished. The queue has outgrown the timeout, so most of them end this way.',
      },
      {
        title: 'The verdict',
        at: { end: true },
        quotes: q(EPISODE, 'Cost: $50K/minute in lost transactions'),
        say: 'ops_info counts the jobs that never finished. The fixed variant admits 100 waiting queries, refuses the rest at once, and its clients back off with full jitter: every job completes.',
      },
    ],
  },
  {
    name: 'knight-capital',
    title: 'Knight Capital and the kill switch',
    pillar: 'control',
    story: 'knight-capital',
    variant: 'rate-kill-switch',
    seed: 1,
    compareWith: 'naive',
    stops: [
      {
        title: 'The old code wakes',
        at: { on: { kind: 'send', from: 'n8', 'msg.type': 'child_order' } },
        quotes: q(EPISODE, '45 Minutes. $440 Million. One Forgotten Server.', '- 1 server forgotten', '- Old test code activated = INFINITE BUY ORDERS'),
        say: 'n8, the router the deploy missed, routes its first parent order and sends child orders that never stop: its retired loop never learns the parent was filled.',
      },
      {
        title: 'The kill switch',
        at: { on: { kind: 'log', event: 'halt' } },
        quotes: q(EPISODE, 'The only question is whether you built the kill switch.'),
        say: 'The gateway sees n8 send more than 20 orders in a second and halts it. In the naive variant the operators stop it after 45 minutes, ≈$440 M later.',
      },
      {
        title: 'The verdict',
        at: { end: true },
        quotes: q(EPISODE, 'DAMAGE: $440,000,000 | TIME TO KILL: 45 minutes | SERVERS INVOLVED: 1/8'),
        say: 'loss_usd and time_to_stop_ms hold. Put naive beside it to watch the other one bleed.',
      },
    ],
  },
  {
    name: 'flash-crash',
    title: 'The flash crash: algorithms that sell to each other',
    pillar: 'intelligence',
    story: 'flash-crash',
    variant: 'naive',
    seed: 1,
    compareWith: 'fixed',
    stops: [
      {
        title: 'One large seller',
        at: { on: { kind: 'log', event: 'big-order' } },
        quotes: q(EPISODE, 'The 2010 Flash Crash in 5 seconds:'),
        say: 'At 20 s one seller starts to sell 15,000 contracts, 500 a tick, whatever the price.',
      },
      {
        title: 'The spiral',
        at: { ms: 23_000 },
        quotes: q(EPISODE, 'In just 5 seconds, coordinated algorithmic trading turned a small market movement into the largest single-day point decline in Dow Jones history.'),
        say: "Each algorithm's sells push the next past its threshold, and market makers quote less as volatility rises: three seconds in, the index is deep in its fall (about 9% at the bottom).",
      },
      {
        title: 'The verdict',
        at: { end: true },
        quotes: q(EPISODE, 'AFTER:  "Our AI created a $50M/minute death spiral"'),
        say: 'fall_pct fails. The fixed exchange sees that the algorithms\' orders predict the next tick but not the fundamental value, halts for 5 s a second into the spiral, and the fall stays near 2.5%.',
      },
    ],
  },
  {
    name: 'herd-stampede',
    title: 'A herd stampede: five models wrong together',
    pillar: 'intelligence',
    story: 'herd-stampede',
    variant: 'naive',
    seed: 1,
    compareWith: 'fixed',
    stops: [
      {
        title: 'The world changes',
        at: { on: { kind: 'log', event: 'forecasts', bad: { min: 1 } } },
        quotes: q(EPISODE, 'All models trained on same data make same mistakes:', '2008: All risk models said "SAFE!" together'),
        say: 'The lockdown: five models fitted on 2019 with the same features are wrong together, by half, and averaging them changes nothing.',
      },
      {
        title: 'The verdict',
        at: { end: true },
        quotes: q(EPISODE, 'Market crashed when models were all wrong together'),
        say: 'error_after_pct and members_failing_after fail. The fixed ensemble mixes members that learn from recent outcomes, and their median recovers within seconds.',
      },
    ],
  },
];

/** The tour of that name, or an error that lists them. */
export function tourNamed(name: string): Tour {
  const t = TOURS.find((x) => x.name === name);
  if (t === undefined) throw new Error(`tour: no tour named ${name} (${TOURS.map((x) => x.name).join(', ')})`);
  return t;
}
