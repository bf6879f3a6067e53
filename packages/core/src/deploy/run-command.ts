import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  output: string;
  timedOut: boolean;
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
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, options.timeoutMs ?? 600_000);
    if (options.input && child.stdin) options.input.pipe(child.stdin);
    child.stdout?.on('data', (chunk: Buffer) => options.log.add(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => options.log.add(chunk.toString('utf8')));
    child.on('error', (error) => {
      options.log.add(`${error.message}\n`);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: options.log.toString(), timedOut });
    });
  });
}
