import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createSubgraph } from '@supergraph/service-kit';
import { productsEnvSchema } from '../subgraphs/products/src/env.ts';
import { productsSubgraph } from '../subgraphs/products/src/subgraph.ts';

describe('readiness', () => {
  it('is ready only while the database answers', async () => {
    const service = await createSubgraph(productsSubgraph, {
      nodeEnv: 'test',
      dataDir: 'memory://',
      internalTokenSecret: 'readiness-test-internal-secret-0123456789',
      seed: 'none',
      seedProducts: 1,
      // No owners to read the catalog copies from: the sync fails quietly and retries, readiness is the database's.
      extra: productsEnvSchema.parse({ INVENTORY_URL: 'http://127.0.0.1:1', REVIEWS_URL: 'http://127.0.0.1:1' }),
      log: pino({ level: 'silent' }),
    });
    const running = await service.listen(0);
    try {
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
      await service.database.close(); // the embedded database goes away under the service
      expect((await fetch(`${running.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    } finally {
      await running.close();
      await service.close().catch(() => {});
    }
  });
});
