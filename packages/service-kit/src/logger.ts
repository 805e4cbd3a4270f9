import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * A built service reads its source map a few seconds after it starts, not before (scripts/code-cache.ts):
 * an error logged sooner asks for it first, so that its stack points at the TypeScript sources.
 */
const SOURCE_MAPS_NOW = Symbol.for('supergraph.sourceMapsNow');
const errorWithMappedStack = (error: Error) => {
  (globalThis as Record<symbol, (() => void) | undefined>)[SOURCE_MAPS_NOW]?.();
  return pino.stdSerializers.err(error);
};

/** JSON logs on stdout, one logger per service, named so mixed streams stay readable. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: service, level, base: { service }, serializers: { err: errorWithMappedStack } });
}
