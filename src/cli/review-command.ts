/**
 * `pillars review`, as the command line declares it; what it does (review.ts) is loaded when it runs.
 */
import { Command } from 'commander';
import type { Review } from '../platform/review.js';

export function reviewCommand(out: { color: boolean }, setExit: (review: Review) => void): Command {
  return new Command('review')
    .description("The seeds' 5-minute architecture review of a system described by its five pillars: each checklist question pass, warn or fail with the reason read from the spec, then the seeds' advice on when to use which pattern.")
    .argument('<system.yaml>', 'the system spec (copy examples/ecommerce.yaml to start)')
    .option('--json <file>', 'write the review as JSON (every item with its pillar, verdict and reason)')
    .option('-q, --quiet', 'print nothing; use the exit code and --json')
    // A command added with addCommand does not inherit these: usage errors must reach main as bad input (exit 2).
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      [
        '',
        'Checklist, per pillar: work (load balancing strategy, scaling triggers, batch vs stream); state',
        '(partitioning scheme, replication factor, backup strategy); truth (consistency model, conflict',
        'resolution, transaction boundaries); control (health checks, deployment strategy, rollback plan,',
        'kill switch); intelligence (auto-recovery, anomaly detection, learning from failures).',
        'Advice (warnings only): a load balancer under 100 req/s, sharding under 100 GB, consensus above',
        '1000 writes/s per group, a service mesh under 10 services, chaos engineering under $1M/hour, ...',
        '',
        'Exit code: 0 when no item fails (warnings allowed), 1 when one fails, 2 on bad input (the message',
        'names the file and the field; an unknown pattern lists the known ones).',
        'Example: pillars review examples/ecommerce.yaml --json review.json',
      ].join('\n'),
    )
    .action(async (file: string, o: { json?: string; quiet?: boolean }) => setExit((await import('./review.js')).reviewFile(file, o, out)));
}
