import { type DestinationStream, type Logger, pino } from 'pino';

/** Paths never written to a log line, whatever logs them. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
  'req.headers["x-gitlab-token"]',
  'headers.authorization',
  'authorization',
  'token',
  'accessToken',
  'webhookSecret',
  'privateKey',
  'secret',
  '*.token',
  '*.accessToken',
  '*.webhookSecret',
  '*.privateKey',
  '*.secret',
];

export function createLogger(
  name: string,
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  const options = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
