import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** The part of Rover's supergraph config format this project uses. */
const supergraphConfigSchema = z.object({
  federation_version: z.string().optional(),
  subgraphs: z.record(
    z.string().regex(/^[a-z][a-z0-9_-]*$/, 'subgraph names are lower-case identifiers'),
    z.object({ routing_url: z.string().url(), schema: z.object({ file: z.string() }) }),
  ),
});

export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

export async function readSupergraphConfig(configFile: string): Promise<SubgraphSource[]> {
  const config = supergraphConfigSchema.parse(parseYaml(await readFile(configFile, 'utf8')));
  const base = dirname(configFile);
  return Promise.all(
    Object.entries(config.subgraphs).map(async ([name, subgraph]) => ({
      name,
      url: subgraph.routing_url,
      sdl: await readFile(resolve(base, subgraph.schema.file), 'utf8'),
    })),
  );
}

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
