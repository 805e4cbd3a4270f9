import { buildASTSchema, type GraphQLSchema } from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { entityKeysFromSupergraph, RecordedGraph, type SubgraphRequest } from './recorded-graph.ts';

/** One subgraph request seen while recording, with the subgraph's answer. */
export interface Exchange {
  subgraph: string;
  /** The request body exactly as the gateway sent it. */
  body: string;
  status: number;
  cacheControl: string | null;
  response: { data?: Record<string, unknown> | null; errors?: unknown[] };
}

export interface Recording {
  supergraphHash: string;
  operationsHash: string;
  exchanges: Exchange[];
  /** The gateway's answer to each recorded client request, by request body: what every variant must answer. */
  answers: Record<string, unknown>;
}

/** Each subgraph's schema as the supergraph composes it (with `_entities`), for replay. */
export function subgraphSchemas(supergraphSdl: string): Map<string, GraphQLSchema> {
  const schemas = new Map<string, GraphQLSchema>();
  for (const subgraph of Supergraph.build(supergraphSdl).subgraphs().values()) {
    // Rebuilt from the AST with this module's graphql: federation-internals may load the other
    // (CommonJS) copy of graphql, whose types fail graphql-js's instanceof checks here.
    schemas.set(subgraph.name, buildASTSchema(subgraph.schema.toAST(), { assumeValidSDL: true }));
  }
  return schemas;
}

export function buildGraph(supergraphSdl: string, schemas: Map<string, GraphQLSchema>, exchanges: Exchange[]): RecordedGraph {
  const graph = new RecordedGraph(entityKeysFromSupergraph(supergraphSdl));
  for (const exchange of exchanges) {
    const schema = schemas.get(exchange.subgraph);
    if (!schema) throw new Error(`recording names subgraph ${exchange.subgraph}, which the supergraph does not have`);
    graph.absorb(schema, JSON.parse(exchange.body) as SubgraphRequest, exchange.response.data);
  }
  return graph;
}

/**
 * The Cache-Control a replayed answer carries: the recorded one for a body seen while recording,
 * else the most restrictive one the subgraph sent (so a response cache never gets a longer life or
 * a wider scope than the real subgraphs gave).
 */
export function cacheControlPolicy(exchanges: Exchange[]) {
  const byBody = new Map<string, string | null>();
  const bySubgraph = new Map<string, Array<string | null>>();
  for (const e of exchanges) {
    byBody.set(`${e.subgraph}\n${e.body}`, e.cacheControl);
    bySubgraph.set(e.subgraph, [...(bySubgraph.get(e.subgraph) ?? []), e.cacheControl]);
  }
  const fallback = new Map([...bySubgraph].map(([subgraph, values]) => [subgraph, mostRestrictive(values)]));
  return (subgraph: string, body: string) => {
    const exact = byBody.get(`${subgraph}\n${body}`);
    return exact !== undefined ? exact : (fallback.get(subgraph) ?? null);
  };
}

export function mostRestrictive(values: Array<string | null>): string | null {
  let maxAge = Infinity;
  let scope = 'public';
  for (const value of values) {
    const age = value?.match(/max-age=(\d+)/)?.[1];
    if (!value || age === undefined || /no-store|no-cache/.test(value)) return value ?? null;
    maxAge = Math.min(maxAge, Number(age));
    if (/private/.test(value)) scope = 'private';
  }
  return Number.isFinite(maxAge) ? `max-age=${maxAge}, ${scope}` : null;
}
