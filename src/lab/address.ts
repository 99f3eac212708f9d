/**
 * What the lab's address asks for (`?story=raft-chaos&variant=fixed&seed=1&speed=max&faults=[...]`),
 * checked against what the page offers: a shared address that names a story, a variant, a seed, a
 * speed or a fault the page does not have is told in one message naming the field and what was
 * expected, rather than silently run as something else. No DOM here: the page shows what this says.
 */
import { z } from 'zod';
import type { Fault } from '../scenario/index.js';
import { faultSchema } from '../scenario/schema.js';

/** The speeds offered, in virtual ms per wall second, slowest first; `max`: as fast as the simulator goes. */
export const LAB_SPEEDS: readonly { value: string; label: string }[] = [
  { value: '2', label: '2 ms/s' },
  { value: '10', label: '10 ms/s' },
  { value: '50', label: '50 ms/s' },
  { value: '250', label: '250 ms/s' },
  { value: '1000', label: '1 s/s' },
  { value: '5000', label: '5 s/s' },
  { value: 'max', label: 'as fast as it goes' },
];

/** A story as the address is checked against it: its name and its variants' names. */
export interface OfferedStory {
  name: string;
  variants: readonly string[];
}

/**
 * The first thing the address asks for that the page does not offer, said as `field: what was
 * expected (got ...)`; undefined when all of it is offered. A tour's address names its own story.
 */
export function addressProblem(params: URLSearchParams, stories: readonly OfferedStory[], tours: readonly string[]): string | undefined {
  const list = (xs: readonly string[]) => (xs.length > 8 ? `${xs.slice(0, 8).join(', ')}, ...` : xs.join(', '));
  const tour = params.get('tour');
  if (tour !== null && tour !== '' && !tours.includes(tour)) return `tour: one of ${list(tours)} (got "${tour}")`;
  const storyName = params.get('story');
  const story = stories.find((s) => s.name === storyName);
  if (storyName !== null && story === undefined) return `story: one of the ${stories.length} stories of scenarios/, e.g. ${list(stories.map((s) => s.name))} (got "${storyName}")`;
  for (const field of ['variant', 'with']) {
    const v = params.get(field);
    if (v !== null && story !== undefined && !story.variants.includes(v)) return `${field}: a variant of ${story.name}: ${list(story.variants)} (got "${v}")`;
  }
  const seed = params.get('seed');
  if (seed !== null && !/^\d+$/.test(seed)) return `seed: a whole number >= 0 (got "${seed}")`;
  const speed = params.get('speed');
  if (speed !== null && !LAB_SPEEDS.some((s) => s.value === speed)) return `speed: one of ${LAB_SPEEDS.map((s) => s.value).join(', ')} (virtual ms per second, or max) (got "${speed}")`;
  const pauseOnRed = params.get('pauseOnRed');
  if (pauseOnRed !== null && pauseOnRed !== '0' && pauseOnRed !== '1') return `pauseOnRed: 1 (pause when a check turns red) or 0 (got "${pauseOnRed}")`;
  const mode = params.get('mode');
  if (mode !== null && mode !== 'one' && mode !== 'compare') return `mode: one or compare (got "${mode}")`;
  return undefined;
}

/** The hand faults an address carries (`faults=[{"at":1250,"crash":"n1"}]`), checked as a scenario's faults are. */
export function faultsFromAddress(text: string | null): Fault[] {
  if (text === null || text === '') return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`faults in the address: a JSON list of faults, e.g. [{"at":1250,"crash":"n1"}] (got ${text.slice(0, 80)})`);
  }
  const parsed = z.array(faultSchema).safeParse(raw);
  if (!parsed.success) throw new Error(`faults in the address: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  return parsed.data as Fault[];
}
