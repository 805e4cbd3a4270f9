import type { ApolloServerPlugin } from '@apollo/server';
import type { Viewer } from './identity.ts';

/**
 * The caller's identity as a subgraph's resolvers read it: `ctx.viewer`. Reading it marks the
 * whole response PRIVATE (`cache-control: private`; the gateway then never stores it in, or serves
 * it from, the shared cache), whatever the field and its @cacheControl hints. An answer that
 * depends on who asks is therefore never shared, by construction: a new field that reads the
 * viewer cannot forget to say so (issue 9, ADR 0008).
 */
const IDENTITY = Symbol('request identity');

class RequestIdentity {
  private read = false;
  private markPrivate: (() => void) | null = null;

  constructor(private readonly viewer: Viewer | null) {}

  get(): Viewer | null {
    this.read = true;
    this.markPrivate?.();
    return this.viewer;
  }

  /** Called when the request's cache policy exists (it may be read earlier, while building loaders). */
  attach(markPrivate: () => void): void {
    this.markPrivate = markPrivate;
    if (this.read) markPrivate();
  }
}

type WithIdentity = { [IDENTITY]: RequestIdentity };

// On the prototype, not the object: Apollo Server shallow-copies each request's context
// (Object.assign), which would read an own getter once and keep a plain value.
const contextPrototype = Object.defineProperty({}, 'viewer', {
  get(this: WithIdentity) {
    return this[IDENTITY].get();
  },
  enumerable: false,
});

/** A subgraph's request context with `viewer` behind the read that marks the response private. */
export function withViewer<C extends object>(context: C, viewer: Viewer | null): C & { readonly viewer: Viewer | null } {
  if (Object.hasOwn(context, 'viewer')) throw new Error('A request context must not set `viewer` itself: the service kit provides it');
  return Object.assign(Object.create(contextPrototype) as object, context, { [IDENTITY]: new RequestIdentity(viewer) }) as unknown as C & { readonly viewer: Viewer | null };
}

/** Connects each request's identity to its cache policy (Apollo's cache-control plugin writes the header). */
export function privateWhenIdentityReadPlugin(): ApolloServerPlugin<object> {
  return {
    async requestDidStart({ contextValue, overallCachePolicy }) {
      (contextValue as Partial<WithIdentity>)[IDENTITY]?.attach(() => overallCachePolicy.restrict({ scope: 'PRIVATE' }));
    },
  };
}
