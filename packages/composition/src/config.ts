// Reading supergraph.yaml (Rover's format) without the composition stack: the launcher and the
// registry CLI publish these files and must not pay a second of start-up for @apollo/composition.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
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

