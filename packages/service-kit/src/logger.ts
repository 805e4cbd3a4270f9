import { pino, type Logger } from 'pino';
import { sourceMapsNow } from './source-maps.ts';

export type { Logger };

/** An error's stack points at the TypeScript sources, also in a built service's first seconds (source-maps.ts). */
const errorWithMappedStack = (error: Error) => {
  sourceMapsNow();
  return pino.stdSerializers.err(error);
};

/** JSON logs on stdout, one logger per service, named so mixed streams stay readable. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: service, level, base: { service }, serializers: { err: errorWithMappedStack } });
}
