/**
 * One node of a Maelstrom test: a child process of any program, spoken to in JSON lines on its
 * stdin and stdout. Its stderr is the node's log (kept in a file, its last lines kept for messages).
 * It can be killed (SIGKILL: its state is lost), paused (SIGSTOP) and resumed (SIGCONT), and started
 * again, which is how the nemesis crashes and pauses real programs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, statSync, type WriteStream } from 'node:fs';
import { lineBytesMax, validateEnvelope, type Message } from './protocol.js';

/** Lines of a node's stderr kept for error messages. */
const stderrLinesKept = 20;

/** The program cannot be run: a message that names it and why. */
export class NodeBinaryError extends Error {
  override readonly name = 'NodeBinaryError';
}

export function isNodeBinaryError(e: unknown): e is NodeBinaryError {
  return e instanceof NodeBinaryError;
}

/** Refuse, before anything starts, a --bin that does not exist or cannot be executed. */
export function checkBinary(bin: string): void {
  let st;
  try {
    st = statSync(bin);
  } catch (e) {
    throw new NodeBinaryError(`--bin ${bin}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (st.isDirectory()) throw new NodeBinaryError(`--bin ${bin}: is a directory, not a program`);
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new NodeBinaryError(`--bin ${bin}: not executable (chmod +x ${bin}, and start it with a #! line)`);
  }
}

export interface NodeProcessEvents {
  onMessage(msg: Message): void;
  /** The node printed something that is not a Maelstrom message: the test cannot go on with it. */
  onBadOutput(id: string, line: string, expected: string): void;
  /** The process ended without being asked to. */
  onExit(id: string, code: number | null, signal: NodeJS.Signals | null): void;
  /** A whole line the node wrote on stderr (its log). */
  onStderrLine?(id: string, line: string): void;
}

export class NodeProcess {
  private child: ChildProcess | undefined;
  private partial = '';
  private readonly stderrTail: string[] = [];
  private stderrPartial = '';
  private log: WriteStream | undefined;
  /** Killed or stopped on purpose: its exit is not a failure. */
  private expectingExit = false;
  paused = false;
  startedCount = 0;

  constructor(
    readonly id: string,
    private readonly bin: string,
    private readonly args: readonly string[],
    private readonly logFile: string | undefined,
    private readonly events: NodeProcessEvents,
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  start(): void {
    if (this.child !== undefined) return;
    this.partial = '';
    this.expectingExit = false;
    this.paused = false;
    this.startedCount++;
    if (this.logFile !== undefined && this.log === undefined) this.log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(this.bin, [...this.args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.onStdout(chunk));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => this.onStderr(chunk));
    child.stdin!.on('error', () => {});
    child.on('error', (e) => {
      this.remember(`(could not start: ${e.message})`);
    });
    // 'close', not 'exit': by then stderr has been read to its end, so the message has the whole traceback.
    child.on('close', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (!this.expectingExit) this.events.onExit(this.id, code, signal);
    });
  }

  send(msg: Message): void {
    const c = this.child;
    if (c === undefined || c.stdin === null || c.stdin.destroyed) return;
    c.stdin.write(JSON.stringify(msg) + '\n');
  }

  /** SIGKILL: the process and everything it held in memory are gone. */
  async kill(): Promise<void> {
    const c = this.child;
    if (c === undefined) return;
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) => c.once('close', () => resolve()));
    if (this.paused) c.kill('SIGCONT');
    c.kill('SIGKILL');
    await exited;
    this.child = undefined;
    this.paused = false;
  }

  pause(): void {
    if (this.child === undefined || this.paused) return;
    this.child.kill('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    if (this.child === undefined || !this.paused) return;
    this.child.kill('SIGCONT');
    this.paused = false;
  }

  /** Close stdin and wait for the process to exit; kill it if it does not within graceMs. */
  async stop(graceMs = 2_000): Promise<void> {
    const c = this.child;
    if (c !== undefined) {
      this.expectingExit = true;
      const exited = new Promise<void>((resolve) => c.once('close', () => resolve()));
      if (this.paused) c.kill('SIGCONT');
      c.stdin?.end();
      const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
      c.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
      this.child = undefined;
    }
    await new Promise<void>((resolve) => (this.log === undefined ? resolve() : this.log.end(() => resolve())));
    this.log = undefined;
  }

  /** The last lines of the node's stderr, for a message about it. */
  stderr(): string {
    return [...this.stderrTail, this.stderrPartial].filter((l) => l !== '').join('\n');
  }

  private onStdout(chunk: string): void {
    let text = this.partial + chunk;
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      const line = text.slice(0, nl).trim();
      text = text.slice(nl + 1);
      if (line === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        this.events.onBadOutput(this.id, line, 'one JSON message per line');
        continue;
      }
      const bad = validateEnvelope(parsed);
      if (bad !== undefined) this.events.onBadOutput(this.id, line, bad);
      else this.events.onMessage(parsed as Message);
    }
    if (text.length > lineBytesMax) {
      this.events.onBadOutput(this.id, text.slice(0, 200), `lines of at most ${lineBytesMax} bytes`);
      text = '';
    }
    this.partial = text;
  }

  private onStderr(chunk: string): void {
    this.log?.write(chunk);
    const lines = (this.stderrPartial + chunk).split('\n');
    this.stderrPartial = lines.pop() ?? '';
    for (const l of lines) {
      this.remember(l);
      this.events.onStderrLine?.(this.id, l);
    }
  }

  private remember(line: string): void {
    this.stderrTail.push(line.length > 500 ? line.slice(0, 500) + '...' : line);
    if (this.stderrTail.length > stderrLinesKept) this.stderrTail.shift();
  }
}
