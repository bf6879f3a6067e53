import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU milliseconds (user + system) used so far by `pid`, or by every process whose command is `comm`, with their exited children. */
export function cpuMs(select: { pid: number } | { comm: string }): number {
  const pids = 'pid' in select ? [String(select.pid)] : readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    if ('comm' in select && comm !== select.comm) continue;
    const fields = stat.slice(close + 2).split(' ');
    // utime, stime, and cutime, cstime: a process's exited children (Postgres backends whose
    // connection closed) count too, so the sum only grows.
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks * TICK_MS;
}
