import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import { z } from 'zod';

/** Apollo's persisted query manifest format (what Rover and GraphOS produce, too). */
const manifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(z.object({ id: z.string().regex(/^[0-9a-f]{64}$/), name: z.string(), type: z.enum(['query', 'mutation', 'subscription']), body: z.string() })),
});
export type Manifest = z.infer<typeof manifestSchema>;

/**
 * Which contract operations each client's list holds: 'all' is every operation of the contract,
 * subscriptions included (the storefronts; the gateway serves subscriptions over graphql-ws).
 */
export const MANIFEST_CLIENTS: Record<string, 'all' | string[]> = {
  storefront: 'all',
  'partner-catalog': ['ProductPage', 'Catalog', 'Categories'],
};

export const operationId = (body: string) => createHash('sha256').update(body).digest('hex');

export function buildManifest(source: string, names: 'all' | string[]): Manifest {
  const operations = parse(source)
    .definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition' && !!d.name)
    .filter((d) => names === 'all' || names.includes(d.name!.value))
    .map((d) => {
      const body = print(d);
      return { id: operationId(body), name: d.name!.value, type: d.operation, body };
    });
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

/** Every `<client>.json` of a folder: client name -> operation id -> body. */
export async function loadManifests(dir: string): Promise<Map<string, Map<string, string>>> {
  const lists = new Map<string, Map<string, string>>();
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    lists.set(basename(file, '.json'), parseManifest(JSON.parse(await readFile(join(dir, file), 'utf8')), file));
  }
  return lists;
}

/** One manifest (a file's or the schema registry's) as operation id -> body, every id checked. */
export function parseManifest(json: unknown, source: string): Map<string, string> {
  const manifest = manifestSchema.parse(json);
  for (const operation of manifest.operations) {
    if (operationId(operation.body) !== operation.id) throw new Error(`${source}: ${operation.name} does not hash to its id`);
  }
  return new Map(manifest.operations.map((o) => [o.id, o.body]));
}
