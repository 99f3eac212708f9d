/**
 * Prose for a terminal: lines wrapped at word boundaries to its width, so a terminal's own hard wrap
 * never breaks a word in two. Tables are not prose: they are written as they are.
 */

/** Narrower than this, wrapping hurts more than it helps (a word or two a line). */
const WRAP_COLUMNS_MIN = 40;

/**
 * The width to wrap at: the terminal's, or $COLUMNS when the output is not a terminal (as `ls` and
 * `git` honour it); undefined, no wrapping, when neither says, so that piped output keeps whole lines.
 */
export function terminalColumns(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const columns = stream.isTTY === true && stream.columns !== undefined && stream.columns > 0 ? stream.columns : Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? Math.max(WRAP_COLUMNS_MIN, columns) : undefined;
}

const visibleLength = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;

/**
 * Each line of `text` wrapped at spaces to `columns`; a continuation is indented two more than its
 * line's own indent, so it reads as part of that line. A word longer than the width stays whole.
 */
export function wrapProse(text: string, columns: number | undefined = terminalColumns()): string {
  if (columns === undefined) return text;
  return text.split('\n').map((line) => wrapLine(line, columns)).join('\n');
}

/** A unit stays with its number: "30 s" never ends one line and starts the next. */
const UNIT = /^(ms|s|min|h|KB|MB|GB|B|USD|%)[,.;:)]*$/;

function unbreakable(words: string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    if (out.length > 0 && UNIT.test(w) && /\d$/.test(out[out.length - 1])) out[out.length - 1] += ` ${w}`;
    else out.push(w);
  }
  return out;
}

function wrapLine(line: string, columns: number): string {
  if (visibleLength(line) <= columns) return line;
  const indent = /^ */.exec(line)![0];
  const hanging = indent + '  ';
  const out: string[] = [];
  let current = indent;
  let width = indent.length;
  for (const word of unbreakable(line.slice(indent.length).split(/ +/))) {
    const w = visibleLength(word);
    const atStart = current.trim() === '';
    if (!atStart && width + 1 + w > columns) {
      out.push(current);
      current = hanging + word;
      width = hanging.length + w;
    } else {
      current += atStart ? word : ` ${word}`;
      width += atStart ? w : 1 + w;
    }
  }
  out.push(current);
  return out.join('\n');
}

/** A heading and its description as one paragraph: the description's own line breaks are the YAML's, not the reader's. */
export function paragraph(name: string, description: string | undefined): string {
  const text = description?.trim().replace(/\s+/g, ' ') ?? '';
  return text === '' ? name : `${name} — ${text}`;
}
