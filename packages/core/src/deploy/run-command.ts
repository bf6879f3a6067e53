import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  output: string;
  timedOut: boolean;
  /** Killed because the surrounding `withCancellation` signal aborted. */
  cancelled: boolean;
}

const cancellation = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `work` so that every command it starts (directly or through helpers
 * such as git's) is killed, with its whole process group, when `signal` aborts.
 */
export function withCancellation<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return cancellation.run(signal, work);
}

/** Process groups still running; killed when this process exits, so no command outlives the worker. */
const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) killGroup(pid);
});

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Keeps the last `limit` characters of a growing log, noting what was cut. */
export class BoundedLog {
  private text = '';
  private dropped = 0;
  private readonly limit: number;
  private readonly secrets: string[];
  constructor(limit = 64 * 1024, secrets: string[] = []) {
    this.limit = limit;
    this.secrets = secrets;
  }
  add(chunk: string): void {
    let clean = chunk;
    for (const secret of this.secrets) if (secret) clean = clean.split(secret).join('[redacted]');
    this.text += clean;
    if (this.text.length > this.limit) {
      this.dropped += this.text.length - this.limit;
      this.text = this.text.slice(this.text.length - this.limit);
    }
  }
  toString(): string {
    return this.dropped > 0 ? `[… ${this.dropped} earlier characters dropped]\n${this.text}` : this.text;
  }
}

/** Runs a program (no shell unless asked), streaming its output into a bounded, redacted log. */
export function runCommand(
  command: string,
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    log: BoundedLog;
    input?: NodeJS.ReadableStream;
  },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const pid = child.pid;
    if (pid) running.add(pid);
    let timedOut = false;
    let cancelled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid) killGroup(pid);
    }, options.timeoutMs ?? 600_000);
    const signal = cancellation.getStore();
    const cancel = () => {
      cancelled = true;
      if (pid) killGroup(pid);
    };
    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
    if (options.input && child.stdin) options.input.pipe(child.stdin);
    child.stdout?.on('data', (chunk: Buffer) => options.log.add(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => options.log.add(chunk.toString('utf8')));
    child.on('error', (error) => {
      options.log.add(`${error.message}\n`);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
      if (pid) running.delete(pid);
      resolve({ code, output: options.log.toString(), timedOut, cancelled });
    });
  });
}
