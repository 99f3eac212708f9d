/** The loader hooks record-loads.ts registers: each module resolved is appended to the file. */
import { appendFileSync } from 'node:fs';

let file: string | undefined;

export function initialize(data: { file?: string }): void {
  file = data.file;
}

type Resolved = { url: string };
type NextResolve = (specifier: string, context: unknown) => Promise<Resolved>;

export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<Resolved> {
  const resolved = await next(specifier, context);
  if (file !== undefined) appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
