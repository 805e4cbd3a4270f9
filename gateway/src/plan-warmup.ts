import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { QueryPlan, QueryPlanner } from '@apollo/query-planner';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '@supergraph/service-kit';

/**
 * Query plan warm-up: every operation of the persisted lists is planned as soon as a supergraph
 * is loaded, so the first real request after a deploy does not pay for planning.
 *
 * @apollo/gateway has no public API for this; it keeps plans in `queryPlanStore` under
 * sha256(query text), or sha256(that hash + operation name) when the request names its
 * operation. We fill the store under both keys. Those internals are pinned with the
 * federation family (ADR 0001); the warm-up test fails if they change.
 */
interface GatewayInternals {
  queryPlanStore: { set(key: string, plan: QueryPlan): Promise<void>; get(key: string): Promise<QueryPlan | undefined>; keys(): string[] };
  queryPlanner: QueryPlanner;
  apiSchema: Schema;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function planStoreKeys(documentText: string, operationName: string): string[] {
  const queryHash = sha256(documentText);
  return [queryHash, createHash('sha256').update(queryHash).update(operationName).digest('hex')];
}

export function queryPlanMetrics(gateway: ApolloGateway, registry: Registry) {
  const internals = gateway as unknown as GatewayInternals;
  const lookups = new Counter({ name: 'query_plan_cache_lookups_total', help: 'Query plan look-ups by the gateway, by result (hit, miss)', labelNames: ['result'], registers: [registry] });
  // The store is created once with the gateway (loads only clear it), so wrapping it once counts every look-up.
  const store = internals.queryPlanStore;
  const get = store.get.bind(store);
  store.get = async (key) => {
    const plan = await get(key);
    lookups.inc({ result: plan ? 'hit' : 'miss' });
    return plan;
  };
  new Gauge({
    name: 'query_plan_cache_entries',
    help: 'Query plans the gateway holds',
    registers: [registry],
    collect() {
      this.set(internals.queryPlanStore?.keys().length ?? 0);
    },
  });
  return new Gauge({ name: 'query_plans_warmed', help: 'Operations planned ahead at the last supergraph load', registers: [registry] });
}

export async function warmQueryPlans(gateway: ApolloGateway, documents: Iterable<string>, log: Logger): Promise<number> {
  const internals = gateway as unknown as GatewayInternals;
  let planned = 0;
  for (const text of new Set(documents)) {
    const document = parse(text);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const only = operations.length === 1 ? operations[0] : undefined;
    if (!only?.name) continue; // only single named operations are listed
    try {
      const plan = internals.queryPlanner.buildQueryPlan(operationFromDocument(internals.apiSchema, document, { operationName: only.name.value }));
      for (const key of planStoreKeys(text, only.name.value)) await internals.queryPlanStore.set(key, plan);
      planned++;
    } catch (error) {
      // e.g. a listed operation this supergraph does not serve (yet): requests for it fail anyway
      log.warn({ operation: only.name.value, err: error }, 'listed operation could not be planned');
    }
  }
  return planned;
}
