import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLNamedType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import { responseCacheKeys, type Viewer } from '@supergraph/service-kit';
import type { GatewayContext } from './context.ts';
import type { GatewayRedis } from './redis.ts';

/**
 * Whole-response cache in Redis, shared by every replica (ADR 0008). The policy is what the
 * subgraphs' @cacheControl hints make of the response: PUBLIC responses are shared, PRIVATE ones
 * kept per user, anything with max-age 0 (the default for fields without hints), errors, and
 * mutations are never cached. Each entry is indexed under the entities it contains, so the
 * subgraph that changes an entity can purge it (service-kit's response-cache purger).
 */
interface CachedResponse {
  data: Record<string, unknown>;
  storedAt: number;
  maxAge: number;
  scope: 'PUBLIC' | 'PRIVATE';
}

export function responseCachePlugin(redis: GatewayRedis, prefix: string, registry: Registry): ApolloServerPlugin<GatewayContext> {
  const keys = responseCacheKeys(prefix);
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
  const hits = counter('response_cache_hits_total', 'Responses served from the response cache');
  const misses = counter('response_cache_misses_total', 'Cacheable queries not found in the response cache');
  const stores = counter('response_cache_stores_total', 'Responses written to the response cache');

  return {
    async requestDidStart() {
      let hash: string | null = null;
      let servedAge: number | null = null;
      return {
        async responseForOperation(context) {
          if (context.operation?.operation !== 'query') return null;
          hash = createHash('sha256')
            .update(JSON.stringify([context.source, context.request.operationName ?? null, context.request.variables ?? {}]))
            .digest('hex');
          const viewer = context.contextValue.viewer;
          const candidates = [keys.entry('pub', hash), ...(viewer ? [keys.entry(`priv:${viewer.id}`, hash)] : [])];
          try {
            for (const value of await redis.client.mget(...candidates)) {
              if (!value) continue;
              const cached = JSON.parse(value) as CachedResponse;
              const age = Math.floor((Date.now() - cached.storedAt) / 1000);
              if (age >= cached.maxAge) continue;
              hits.inc();
              servedAge = age;
              context.overallCachePolicy.replace({ maxAge: cached.maxAge - age, scope: cached.scope });
              return { http: { status: 200, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: cached.data } } };
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
          if (!hash || context.response.body.kind !== 'single' || context.contextValue.sharedExecution) return;
          const result = context.response.body.singleResult;
          if (result.errors?.length || !result.data) return;
          const policy = context.overallCachePolicy.policyIfCacheable();
          if (!policy || !context.document || !context.operation) return;
          const scope = policy.scope === 'PRIVATE' ? 'PRIVATE' : 'PUBLIC';
          const viewer: Viewer | null = context.contextValue.viewer;
          if (scope === 'PRIVATE' && !viewer) return;
          const key = keys.entry(scope === 'PRIVATE' ? `priv:${viewer!.id}` : 'pub', hash);
          const entry: CachedResponse = { data: result.data, storedAt: Date.now(), maxAge: policy.maxAge, scope };
          try {
            const transaction = redis.client.multi().set(key, JSON.stringify(entry), 'EX', policy.maxAge);
            for (const tag of entityTags(context.schema, context.document, context.operation, result.data)) {
              const tagKey = keys.tag(tag);
              transaction.sadd(tagKey, key).expire(tagKey, policy.maxAge, 'NX').expire(tagKey, policy.maxAge, 'GT');
            }
            await transaction.exec();
            stores.inc();
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
    if ('id' in fields) tags.add(typeof object.id === 'string' ? `id:${object.id}` : `type:${type.name}`);
    walk(object, type, fields, selectionSet);
  };
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
