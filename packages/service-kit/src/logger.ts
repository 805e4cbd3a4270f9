import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout, one logger per service, named so mixed streams stay readable. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: service, level, base: { service } });
}
