import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import wasm from '@prisma/prisma-schema-wasm';
import pg from 'pg';
import { applyMigrations, openDatabase, type DatabaseLocation } from '@supergraph/service-kit';
import { dropServiceDatabases, ensureServiceDatabases } from '../scripts/local-databases.ts';
import { repoPath } from '../scripts/paths.ts';
import { SUBGRAPH_NAMES } from '../scripts/services.ts';

/**
 * Prisma's diff engine cannot run on these machines, so this test is what proves each subgraph's
 * hand-written migrations build exactly the database its schema.prisma describes: tables,
 * columns, types, nullability, primary keys, unique constraints and indexes.
 */
interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum';
  type: string;
  isRequired: boolean;
  isList: boolean;
  nativeType?: [string, string[]] | null;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  /** Set for a non-default access method, e.g. `Gin`. */
  algorithm?: string;
  fields: Array<{ name: string; operatorClass?: string }>;
}

async function loadDmmf(schemaFile: string) {
  const prismaSchema = await readFile(schemaFile, 'utf8');
  const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', prismaSchema]] })));
  const datamodel = dmmf.datamodel as { models: DmmfModel[]; enums: Array<{ name: string; dbName?: string | null; values: Array<{ name: string }> }>; indexes: DmmfIndex[] };
  // The DMMF leaves `Unsupported("…")` fields out (a tsvector, say); read them from the schema text so their columns count too.
  for (const model of datamodel.models) {
    const body = new RegExp(`^model ${model.name} \\{([\\s\\S]*?)^\\}`, 'm').exec(prismaSchema)?.[1] ?? '';
    for (const match of body.matchAll(/^\s*(\w+)\s+Unsupported\("([^"]+)"\)(\?)?(.*)$/gm)) {
      const dbName = /@map\("([^"]+)"\)/.exec(match[4]!)?.[1] ?? null;
      model.fields.push({ name: match[1]!, dbName, kind: 'scalar', type: `Unsupported:${match[2]}`, isRequired: !match[3], isList: false });
    }
  }
  return datamodel;
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Decimal: 'numeric(65,30)',
};
const NATIVE_TYPES: Record<string, (args: string[]) => string> = {
  Char: ([n]) => `character(${n})`,
  VarChar: ([n]) => `character varying(${n})`,
  Text: () => 'text',
  Uuid: () => 'uuid',
  Timestamptz: ([p]) => `timestamp(${p ?? 3}) with time zone`,
  Timestamp: ([p]) => `timestamp(${p ?? 3}) without time zone`,
  SmallInt: () => 'smallint',
  BigInt: () => 'bigint',
  Integer: () => 'integer',
};

function expectedType(field: DmmfField, enums: Map<string, string>): string {
  if (field.kind === 'enum') return `"${enums.get(field.type) ?? field.type}"`.replace(/^"([a-z_][a-z0-9_]*)"$/, '$1');
  if (field.nativeType) return NATIVE_TYPES[field.nativeType[0]]!(field.nativeType[1]);
  if (field.type.startsWith('Unsupported:')) return field.type.slice('Unsupported:'.length);
  return SCALAR_TYPES[field.type] ?? `unknown:${field.type}`;
}

const fresh = new Map<string, DatabaseLocation>();
const runId = `m${Date.now().toString(36)}`;
async function freshDatabase(service: string): Promise<DatabaseLocation> {
  if (process.env.DATABASE_URL) {
    const urls = await ensureServiceDatabases(process.env.DATABASE_URL, runId, [service]);
    const location = { connectionString: urls[service]!, poolMax: 1, embedded: false, close: async () => {} };
    fresh.set(service, location);
    return location;
  }
  const location = await openDatabase({ dataDir: 'memory://' });
  fresh.set(service, location);
  return location;
}
afterAll(async () => {
  for (const location of fresh.values()) await location.close();
  if (process.env.DATABASE_URL) await dropServiceDatabases(process.env.DATABASE_URL, runId, [...fresh.keys()]);
});

// Every service with a database of its own: the five subgraphs and the schema registry.
const SERVICES = [...SUBGRAPH_NAMES.map((name) => ({ service: name, root: repoPath('subgraphs', name) })), { service: 'registry', root: repoPath('schema-registry') }];

describe.each(SERVICES)('$service migrations', ({ service, root }) => {
  it('build exactly the database schema.prisma describes, and re-running them changes nothing', async () => {
    const migrationsDir = join(root, 'prisma', 'migrations');
    expect((await readdir(migrationsDir)).length).toBeGreaterThan(0);
    const location = await freshDatabase(service);
    const first = await applyMigrations(location.connectionString, migrationsDir);
    expect(first.applied.length).toBeGreaterThan(0);
    const second = await applyMigrations(location.connectionString, migrationsDir);
    expect(second).toEqual({ applied: [], alreadyApplied: first.applied });

    const datamodel = await loadDmmf(join(root, 'prisma', 'schema.prisma'));
    const client = new pg.Client({ connectionString: location.connectionString });
    await client.connect();
    try {
      const columns = await client.query<{ table_name: string; column_name: string; type: string; not_null: boolean }>(`
        SELECT c.relname AS table_name, a.attname AS column_name,
               format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND c.relname <> '_prisma_migrations'`);
      // Access method and operator classes too: a GIN trigram index built as a b-tree would pass otherwise.
      // An expression column (attnum 0) shows as `expr`, which no Prisma index matches, so it fails loudly.
      const indexes = await client.query<{ table_name: string; unique: boolean; primary: boolean; method: string; columns: string[] }>(`
        SELECT t.relname AS table_name, i.indisunique AS unique, i.indisprimary AS primary, am.amname AS method,
               array_agg(coalesce(a.attname, 'expr') || CASE WHEN oc.opcdefault THEN '' ELSE ' ' || oc.opcname END ORDER BY k.ord)::text[] AS columns
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
        CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indclass::oid[]) WITH ORDINALITY AS k(attnum, opclass, ord)
        LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        JOIN pg_opclass oc ON oc.oid = k.opclass
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
        GROUP BY t.relname, i.indexrelid, i.indisunique, i.indisprimary, am.amname`);
      const enumRows = await client.query<{ name: string; values: string[] }>(`
        SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`);

      const enumDbNames = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
      const expectedColumns: string[] = [];
      const expectedIndexes: string[] = [];
      for (const model of datamodel.models) {
        const table = model.dbName ?? model.name;
        const columnOf = new Map(model.fields.map((f) => [f.name, f.dbName ?? f.name]));
        for (const field of model.fields.filter((f) => f.kind !== 'object')) {
          expectedColumns.push(`${table}.${field.dbName ?? field.name} ${expectedType(field, enumDbNames)}${field.isRequired ? ' NOT NULL' : ''}`);
        }
        for (const index of datamodel.indexes.filter((i) => i.model === model.name)) {
          const kind = index.type === 'id' ? 'PRIMARY' : index.type === 'unique' ? 'UNIQUE' : 'INDEX';
          const method = (index.algorithm ?? 'BTree').toLowerCase();
          const columns = index.fields.map((f) => `${columnOf.get(f.name)}${f.operatorClass ? ` ${f.operatorClass}` : ''}`);
          expectedIndexes.push(`${table} ${kind} ${method} (${columns.join(', ')})`);
        }
      }
      const actualColumns = columns.rows.map((c) => `${c.table_name}.${c.column_name} ${c.type}${c.not_null ? ' NOT NULL' : ''}`);
      const actualIndexes = indexes.rows.map(
        (i) => `${i.table_name} ${i.primary ? 'PRIMARY' : i.unique ? 'UNIQUE' : 'INDEX'} ${i.method} (${i.columns.join(', ')})`,
      );
      expect(actualColumns.sort()).toEqual(expectedColumns.sort());
      expect(actualIndexes.sort()).toEqual(expectedIndexes.sort());
      expect(enumRows.rows.map((e) => `${e.name}: ${e.values.join(',')}`).sort()).toEqual(
        datamodel.enums.map((e) => `${e.dbName ?? e.name}: ${e.values.map((v) => v.name).join(',')}`).sort(),
      );
    } finally {
      await client.end();
    }
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    const location = fresh.get(service)!;
    const client = new pg.Client({ connectionString: location.connectionString });
    await client.connect();
    await client.query(`UPDATE "_prisma_migrations" SET checksum = 'edited' WHERE id = (SELECT id FROM "_prisma_migrations" LIMIT 1)`);
    await client.end();
    await expect(applyMigrations(location.connectionString, join(root, 'prisma', 'migrations'))).rejects.toThrow(/was changed after it was applied/);
  });
});
