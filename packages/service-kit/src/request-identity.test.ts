import { describe, expect, it } from 'vitest';
import { privateWhenIdentityReadPlugin, withViewer } from './request-identity.ts';

const viewer = { id: 'u1', role: 'USER' as const };

/** What Apollo Server does with each request's context, then its cache policy. */
async function request(context: object) {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(context)), context) as { viewer: unknown };
  const hints: unknown[] = [];
  await privateWhenIdentityReadPlugin().requestDidStart!({ contextValue: copy, overallCachePolicy: { restrict: (hint: unknown) => hints.push(hint) } } as never);
  return { context: copy, hints };
}

describe('the request identity', () => {
  it('marks the response private when a resolver reads the viewer, signed in or not', async () => {
    for (const who of [viewer, null]) {
      const { context, hints } = await request(withViewer({ db: 'db' }, who));
      expect(hints).toEqual([]);
      expect(context.viewer).toEqual(who);
      expect(hints).toEqual([{ scope: 'PRIVATE' }]);
    }
  });

  it('marks it private even when the viewer was read before the request started', async () => {
    const context = withViewer({}, viewer);
    void (context as { viewer: unknown }).viewer;
    expect((await request(context)).hints).toEqual([{ scope: 'PRIVATE' }]);
  });

  it('leaves a response that never read the viewer alone', async () => {
    const { context, hints } = await request(withViewer({ loaders: {} }, viewer));
    expect(Object.keys(context)).toEqual(['loaders']);
    expect(hints).toEqual([]);
  });

  it('refuses a context that brings its own viewer, which would bypass the marking', () => {
    expect(() => withViewer({ viewer }, viewer)).toThrow(/must not set `viewer`/);
  });
});
