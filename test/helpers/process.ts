import type { ChildProcess } from 'node:child_process';

/** Resolves once a child process prints `marker` (stdout or stderr); fails if it exits or times out first. */
export function waitForOutput(child: ChildProcess, marker: string, name: string, timeoutMs: number): Promise<void> {
  let output = '';
  return new Promise<void>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`${name} did not start in ${timeoutMs / 1000} s:\n${output.slice(-2000)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes(marker)) {
        clearTimeout(timer);
        done();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${name} exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
}

/** Stops a child process and waits for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
