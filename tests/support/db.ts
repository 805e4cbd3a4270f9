import pg from 'pg';
import type { SubgraphName } from '../../scripts/services.ts';
import { stack } from './graphql.ts';

/** Reads a subgraph's database directly, to check what the API says against what is stored. */
export async function sql<R extends Record<string, any> = Record<string, any>>(service: SubgraphName, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: stack().subgraphs[service].databaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}
