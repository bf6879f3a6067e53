import type { Logger } from './log.ts';

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits. A second signal, or a
 * stop that hangs past the grace period, exits at once.
 */
export function onShutdown(log: Logger, stop: () => Promise<void>, graceMs = 30_000): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handle);
  process.once('SIGINT', handle);
}

/** Tells a supervising `ocore start` (over IPC) that a service is listening. */
export function announceReady(service: string, url: string): void {
  process.send?.({ type: 'ready', service, url });
}
