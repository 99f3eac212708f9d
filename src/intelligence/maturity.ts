/**
 * The seeds' intelligence maturity ladder: what a system does about trouble on its own. Story
 * systems report the level a variant reaches as the gauge `maturity_level`, and every report shows it.
 */
export const maturityLevels = [
  { level: 0, name: 'none', means: 'nobody is told' },
  { level: 1, name: 'alerting', means: 'wakes a person at 3am ("CPU > 80%")' },
  { level: 2, name: 'reactive', means: 'responds to current conditions (scales on metrics)' },
  { level: 3, name: 'predictive', means: 'acts before problems occur (scales before the spike)' },
  { level: 4, name: 'self-healing', means: 'fixes problems without waking anyone' },
  { level: 5, name: 'self-optimizing', means: 'improves over time, learns from every incident' },
] as const;

/** "L3 predictive" for a level (rounded and clamped to the ladder). */
export function maturityLabel(level: number): string {
  const l = maturityLevels[Math.max(0, Math.min(5, Math.round(level)))];
  return `L${l.level} ${l.name}`;
}
