import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Apollo's persisted query manifest format (what Rover and GraphOS produce, too). */
const manifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(z.object({ id: z.string().regex(/^[0-9a-f]{64}$/), name: z.string(), type: z.enum(['query', 'mutation', 'subscription']), body: z.string() })),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const operationId = (body: string) => createHash('sha256').update(body).digest('hex');

/** One manifest (the schema registry's) as operation id -> body, every id checked. */
export function parseManifest(json: unknown, source: string): Map<string, string> {
  const manifest = manifestSchema.parse(json);
  for (const operation of manifest.operations) {
    if (operationId(operation.body) !== operation.id) throw new Error(`${source}: ${operation.name} does not hash to its id`);
  }
  return new Map(manifest.operations.map((o) => [o.id, o.body]));
}
