import { composeServices } from '@apollo/composition';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { parse } from 'graphql';

export { readSupergraphConfig, type SubgraphSource } from './config.ts';
import type { SubgraphSource } from './config.ts';

export type CompositionResult =
  | { ok: true; supergraphSdl: string; /** What clients see: the supergraph without federation's machinery. */ apiSchemaSdl: string; hints: string[] }
  | { ok: false; errors: string[] };

/** Composes subgraph SDLs with Apollo's own composition (the same the gateway's planner expects). */
export function composeSupergraph(subgraphs: SubgraphSource[]): CompositionResult {
  let services;
  try {
    services = subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
  } catch (error) {
    return { ok: false, errors: [`schema does not parse: ${(error as Error).message}`] };
  }
  const result = composeServices(services);
  if (result.errors) return { ok: false, errors: result.errors.map((e) => e.message) };
  return {
    ok: true,
    supergraphSdl: result.supergraphSdl,
    apiSchemaSdl: printSchema(result.schema.toAPISchema()),
    hints: result.hints.map((h) => h.toString()),
  };
}

/** The client-facing API schema of a composed supergraph, as SDL. */
export function apiSchemaSdlOf(supergraphSdl: string): string {
  return printSchema(Supergraph.build(supergraphSdl).apiSchema());
}
