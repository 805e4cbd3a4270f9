// The services' logger asks a built service to read its source map (scripts/code-cache.ts) before it
// writes an error's stack, so that a stack logged in the first seconds points at the sources too.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.ts';
import { offerSourceMaps } from './source-maps.ts';

afterEach(() => {
  offerSourceMaps(undefined);
  vi.restoreAllMocks();
});

describe('createLogger', () => {
  it('asks for the source map before it reads the stack of an error it logs', () => {
    const order: string[] = [];
    offerSourceMaps(() => order.push('source map read'));
    const error = new Error('boom');
    const stack = error.stack;
    Object.defineProperty(error, 'stack', { get: () => (order.push('stack read'), stack) });
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));

    createLogger('test').error({ err: error }, 'failed');

    expect(order[0]).toBe('source map read');
    expect(order).toContain('stack read');
    expect(JSON.parse(written.join(''))).toMatchObject({ err: { type: 'Error', message: 'boom', stack }, msg: 'failed' });
  });

  it('logs errors as before where nothing offers a source map (tests, tsx)', () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    createLogger('test').warn({ err: new TypeError('bad') }, 'odd');
    expect(JSON.parse(written.join(''))).toMatchObject({ err: { type: 'TypeError', message: 'bad' } });
  });
});
