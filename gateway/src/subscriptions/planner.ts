import { createHash } from 'node:crypto';
import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import { buildOperationContext } from '@apollo/gateway';
import type { DocumentNode, GraphQLSchema } from 'graphql';

type OperationContext = ReturnType<typeof buildOperationContext>;

/** One supergraph as the subscription executor needs it. `version` changes with every new supergraph. */
export interface PlanningState {
  version: string;
  apiSchema: GraphQLSchema;
  federationApiSchema: Schema;
  supergraphSchema: GraphQLSchema;
  planner: QueryPlanner;
}

/**
 * A planned subscription (ADR 0014): `primary` is the subscription fetch to the owning subgraph,
 * `perEvent` is what runs for each of its events: the primary fetch (answered with the event
 * itself) then the rest of the plan, entity fetches to the other subgraphs.
 */
export interface SubscriptionPlan {
  state: PlanningState;
  primary: FetchNode;
  perEvent: QueryPlan;
  operationContext: OperationContext;
}

const MAX_CACHED_PLANS = 1_000;

/**
 * Plans subscriptions with @apollo/query-planner, which plans them already (a SubscriptionNode:
 * primary + rest) though @apollo/gateway refuses to execute them. Kept current through
 * gateway.onSchemaLoadOrUpdate; plans are cached per supergraph.
 */
export class SubscriptionPlanner {
  private loaded: { version: string; apiSchema: GraphQLSchema; coreSupergraphSdl: string } | null = null;
  private current: PlanningState | null = null;
  private readonly plans = new Map<string, SubscriptionPlan>();

  /** Returns true when this is a different supergraph than the one before (not the first load). */
  update(apiSchema: GraphQLSchema, coreSupergraphSdl: string): boolean {
    const version = createHash('sha256').update(coreSupergraphSdl).digest('hex');
    if (this.loaded?.version === version) return false;
    const changed = this.loaded !== null;
    this.loaded = { version, apiSchema, coreSupergraphSdl };
    this.current = null;
    this.plans.clear();
    return changed;
  }

  /**
   * Built on the first subscription after each load, not at load: a second supergraph and query
   * planner cost about 0.1 s of the gateway's start, which most gateways never need.
   */
  get state(): PlanningState {
    if (this.current) return this.current;
    if (!this.loaded) throw new Error('No supergraph loaded yet');
    const { version, apiSchema, coreSupergraphSdl } = this.loaded;
    const supergraph = Supergraph.build(coreSupergraphSdl);
    this.current = {
      version,
      apiSchema,
      federationApiSchema: supergraph.apiSchema(),
      supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
      planner: new QueryPlanner(supergraph),
    };
    return this.current;
  }

  /** Plans a validated subscription document (`cacheKey` identifies its text and operation name). */
  plan(document: DocumentNode, operationName: string | undefined, cacheKey: string): SubscriptionPlan {
    const state = this.state;
    const cached = this.plans.get(cacheKey);
    if (cached && cached.state === state) return cached;
    const queryPlan = state.planner.buildQueryPlan(operationFromDocument(state.federationApiSchema, document, { operationName }));
    const node = queryPlan.node;
    if (node?.kind !== 'Subscription') throw new Error('Not a subscription plan');
    const nodes: PlanNode[] = node.rest ? [node.primary, node.rest] : [node.primary];
    const plan: SubscriptionPlan = {
      state,
      primary: node.primary,
      perEvent: { kind: 'QueryPlan', node: nodes.length === 1 ? nodes[0] : { kind: 'Sequence', nodes } },
      operationContext: buildOperationContext({ schema: state.apiSchema, operationDocument: document, operationName }),
    };
    if (this.plans.size >= MAX_CACHED_PLANS) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(cacheKey, plan);
    return plan;
  }
}
