import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLNamedType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import { responseCacheKeys, type Viewer } from '@supergraph/service-kit';
import type { GatewayContext } from './context.ts';
import type { GatewayRedis } from './redis.ts';
import type { RequestHandler } from 'express';
import { postedDocument } from './request-params.ts';
import type { RecordRequest } from './request-metrics.ts';

interface CachedMeta {
  storedAt: number;
  maxAge: number;
  scope: 'PUBLIC' | 'PRIVATE';
  /** The operation's name as Apollo resolved it, for the request metrics of an edge hit. */
  operationName: string | null;
}

/**
 * An entry is its metadata as one JSON line, then the response body exactly as it is sent (with
 * Apollo's closing newline). Read as bytes, a hit at the edge writes the stored body without
 * decoding, parsing, serialising or encoding an 87 KB answer again: decoding Redis' reply to a
 * string and encoding it back for the socket were about 17 % of a hit's CPU (ADR 0019).
 */
const encodeEntry = (meta: CachedMeta, data: Record<string, unknown>) => `${JSON.stringify(meta)}\n${JSON.stringify({ data })}\n`;

function decodeEntry(value: Buffer): { meta: CachedMeta; body: Buffer; age: number } | null {
  const newline = value.indexOf(10);
  if (newline < 0 || value[0] !== 0x7b) return null; // an entry of an older format: a miss, replaced by the next store
  const meta = JSON.parse(value.subarray(0, newline).toString()) as CachedMeta;
  if (typeof meta.storedAt !== 'number') return null;
  const age = Math.floor((Date.now() - meta.storedAt) / 1000);
  return age < meta.maxAge ? { meta, body: value.subarray(newline + 1), age } : null;
}

/**
 * What identifies a cached response: the supergraph it was executed on (a deploy that changes the
 * schema starts afresh: an edge hit skips validation), the document, the operation chosen and the variables.
 */
export const responseCacheHash = (supergraph: string, source: string, operationName: string | null | undefined, variables: unknown) =>
  createHash('sha256')
    .update(JSON.stringify([supergraph, source, operationName ?? null, variables ?? {}]))
    .digest('hex');

/** A look-up that missed: its hash, and the purge generation read with it. */
export interface ResponseCacheLookup {
  hash: string;
  generation: number;
}

type CacheKeys = ReturnType<typeof responseCacheKeys>;

/** A private entry belongs to one identity, role included: what an ADMIN token was answered is not a USER token's. */
const privateScope = (viewer: Viewer) => `priv:${viewer.role}:${viewer.id}` as const;

/** The live entries a caller may be answered from, then the purge generation (responseCacheKeys). */
const lookupKeys = (keys: CacheKeys, hash: string, viewer: Viewer | null) => [
  keys.entry('pub', hash),
  ...(viewer ? [keys.entry(privateScope(viewer), hash)] : []),
  keys.generation,
];

const generationOf = (value: Buffer | null | undefined) => (value ? Number(value.toString()) : 0);

/**
 * KEYS: the entry, then each tag's set and its purge mark; ARGV: the purge generation the request
 * read before it executed, the entry, its TTL. Stores nothing (0) when one of the tags was purged
 * after that read: the answer may hold what the purge was for, read before the change (ADR 0008).
 */
const STORE_SCRIPT = `
local read = tonumber(ARGV[1])
for i = 2, #KEYS, 2 do
  local purged = redis.call('GET', KEYS[i + 1])
  if purged and tonumber(purged) > read then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
for i = 2, #KEYS, 2 do
  redis.call('SADD', KEYS[i], KEYS[1])
  redis.call('EXPIRE', KEYS[i], ARGV[3], 'NX')
  redis.call('EXPIRE', KEYS[i], ARGV[3], 'GT')
end
return 1`;

/** Stores an entry under its tags unless one of them was purged since `generation` was read; true if stored. */
async function storeResponse(
  client: GatewayRedis['client'],
  keys: CacheKeys,
  entry: { key: string; value: string; maxAge: number; tags: Iterable<string>; generation: number },
): Promise<boolean> {
  const tagKeys = keys.tagsAndMarks(entry.tags);
  return Number(await client.eval(STORE_SCRIPT, 1 + tagKeys.length, entry.key, ...tagKeys, entry.generation, entry.value, entry.maxAge)) === 1;
}

export interface ResponseCacheMetrics {
  hits: Counter;
  misses: Counter;
  stores: Counter;
  refusedStores: Counter;
}

export function responseCacheMetrics(registry: Registry): ResponseCacheMetrics {
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
  return {
    hits: counter('response_cache_hits_total', 'Responses served from the response cache'),
    misses: counter('response_cache_misses_total', 'Cacheable queries not found in the response cache'),
    stores: counter('response_cache_stores_total', 'Responses written to the response cache'),
    refusedStores: counter('response_cache_stale_stores_refused_total', 'Responses not stored because an entity in them was purged while they executed'),
  };
}

/**
 * A hit answered before Apollo runs (ADR 0019): after authentication, rate limits, the persisted
 * operation rules and the document limits, a request whose document, operation name and variables
 * have a live entry (the public one, or the caller's own private one) gets the stored body as it
 * is. An entry exists only for a query that passed validation and executed without errors, so
 * skipping Apollo skips nothing that could refuse it. Anything else (automatic persisted queries,
 * a GET, no entry, Redis unavailable) goes on to Apollo; after a miss here, it does not look again.
 */
export function edgeResponseCache(redis: GatewayRedis, prefix: string, supergraph: () => string, metrics: ResponseCacheMetrics, recordRequest: RecordRequest): RequestHandler {
  const keys = responseCacheKeys(prefix);
  return async (req, res, next) => {
    const document = postedDocument(req);
    if (!document) return next();
    const accepted = req.accepts(['application/json', 'application/graphql-response+json']);
    if (!accepted) return next(); // Apollo answers what it cannot negotiate
    const startedAt = performance.now();
    const hash = responseCacheHash(supergraph(), document.query, document.operationName, document.variables);
    const viewer = (res.locals.viewer as Viewer | null | undefined) ?? null;
    let values: Array<Buffer | null>;
    try {
      values = await redis.client.mgetBuffer(...lookupKeys(keys, hash, viewer));
    } catch (error) {
      redis.failed('response_cache_get', error);
      return next();
    }
    const generation = values.pop();
    res.locals.responseCacheChecked = { hash, generation: generationOf(generation) } satisfies ResponseCacheLookup;
    for (const value of values) {
      const entry = value ? decodeEntry(value) : null;
      if (!entry) continue;
      metrics.hits.inc();
      res.status(200);
      res.setHeader('content-type', `${accepted}; charset=utf-8`);
      res.setHeader('cache-control', `${entry.meta.scope === 'PRIVATE' ? 'private' : 'public'}, max-age=${entry.meta.maxAge - entry.age}`);
      res.setHeader('age', String(entry.age));
      res.setHeader('content-length', entry.body.length);
      res.end(entry.body);
      recordRequest(entry.meta.operationName, 'ok', startedAt);
      return;
    }
    next();
  };
}

/**
 * Whole-response cache in Redis, shared by every replica (ADR 0008). The policy is what the
 * subgraphs' @cacheControl hints make of the response: PUBLIC responses are shared, PRIVATE ones
 * kept per user, anything with max-age 0 (the default for fields without hints), errors, and
 * mutations are never cached. Each entry is indexed under the entities it contains, so the
 * subgraph that changes an entity can purge it (service-kit's response-cache purger). Hits are
 * answered at the edge (edgeResponseCache); this plugin looks up only what the edge could not
 * (an APQ hash sent without its document), and stores.
 */
export function responseCachePlugin(redis: GatewayRedis, prefix: string, supergraph: () => string, metrics: ResponseCacheMetrics): ApolloServerPlugin<GatewayContext> {
  const keys = responseCacheKeys(prefix);
  const { hits, misses, stores, refusedStores } = metrics;

  return {
    async requestDidStart() {
      let hash: string | null = null;
      /** The purge generation read before executing; null: unknown, so nothing is stored. */
      let generation: number | null = null;
      let servedAge: number | null = null;
      return {
        async responseForOperation(context) {
          if (context.operation?.operation !== 'query') return null;
          hash = responseCacheHash(supergraph(), context.source, context.request.operationName, context.request.variables);
          const checked = context.contextValue.responseCacheChecked;
          if (checked?.hash === hash) {
            generation = checked.generation;
            misses.inc();
            return null;
          }
          try {
            const values = await redis.client.mgetBuffer(...lookupKeys(keys, hash, context.contextValue.viewer));
            generation = generationOf(values.pop());
            for (const value of values) {
              const entry = value ? decodeEntry(value) : null;
              if (!entry) continue;
              hits.inc();
              servedAge = entry.age;
              context.overallCachePolicy.replace({ maxAge: entry.meta.maxAge - entry.age, scope: entry.meta.scope });
              const { data } = JSON.parse(entry.body.toString()) as { data: Record<string, unknown> };
              return { http: { status: 200, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data } } };
            }
          } catch (error) {
            redis.failed('response_cache_get', error);
            return null;
          }
          misses.inc();
          return null;
        },
        async willSendResponse(context) {
          if (servedAge !== null) {
            context.response.http.headers.set('age', String(servedAge));
            return;
          }
          // A coalesced answer is the result its leader stores already.
          if (!hash || generation === null || context.response.body.kind !== 'single' || context.contextValue.sharedExecution) return;
          const result = context.response.body.singleResult;
          if (result.errors?.length || !result.data) return;
          const policy = context.overallCachePolicy.policyIfCacheable();
          if (!policy || !context.document || !context.operation) return;
          const scope = policy.scope === 'PRIVATE' ? 'PRIVATE' : 'PUBLIC';
          const viewer: Viewer | null = context.contextValue.viewer;
          if (scope === 'PRIVATE' && !viewer) return;
          const key = keys.entry(scope === 'PRIVATE' ? privateScope(viewer!) : 'pub', hash);
          const value = encodeEntry({ storedAt: Date.now(), maxAge: policy.maxAge, scope, operationName: context.operationName ?? null }, result.data);
          const tags = entityTags(context.schema, context.document, context.operation, result.data);
          try {
            if (await storeResponse(redis.client, keys, { key, value, maxAge: policy.maxAge, tags, generation })) stores.inc();
            else refusedStores.inc();
          } catch (error) {
            redis.failed('response_cache_set', error);
          }
        },
      };
    },
  };
}

/**
 * The entities a response holds: `id:<id>` for each object of a type with an `id` field whose id
 * was selected, `type:<Type>` for one whose id was not (purged with any entity of that type).
 * Walks the data along the operation's selections, typed by the schema.
 */
export function entityTags(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, data: Record<string, unknown>): Set<string> {
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const tags = new Set<string>();
  // By names, not instanceof: the gateway's schema comes from graphql's CommonJS copy.
  const fieldsOf = (type: GraphQLNamedType) => ('getFields' in type && 'getInterfaces' in type ? (type.getFields() as Record<string, { type: unknown }>) : {});

  const visit = (value: unknown, type: GraphQLNamedType, selectionSet: SelectionSetNode) => {
    if (Array.isArray(value)) return value.forEach((item) => visit(item, type, selectionSet));
    if (!value || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    const fields = fieldsOf(type);
    if ('id' in fields) {
      // Under the keys its `id` field was selected as (an alias included), never a key that merely reads `id`.
      const ids = idKeys(selectionSet).map((key) => object[key]).filter((id): id is string => typeof id === 'string');
      if (ids.length === 0) tags.add(`type:${type.name}`);
      for (const id of ids) tags.add(`id:${id}`);
    }
    walk(object, type, fields, selectionSet);
  };
  const idKeys = (selectionSet: SelectionSetNode): string[] =>
    selectionSet.selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === 'id' ? [selection.alias?.value ?? 'id'] : [];
      const nested = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value)?.selectionSet;
      return nested ? idKeys(nested) : [];
    });
  const walk = (object: Record<string, unknown>, type: GraphQLNamedType, fields: Record<string, { type: unknown }>, selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) walk(object, type, fields, selection.selectionSet);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(object, type, fields, fragment.selectionSet);
      } else if (selection.selectionSet) {
        const field = fields[selection.name.value];
        const fieldType = field && schema.getType(String(field.type).replace(/[[\]!]/g, ''));
        if (fieldType) visit(object[selection.alias?.value ?? selection.name.value], fieldType, selection.selectionSet);
      }
    }
  };
  const root = schema.getQueryType();
  if (root) walk(data, root, fieldsOf(root), operation.selectionSet);
  return tags;
}
