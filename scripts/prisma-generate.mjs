// Generates every subgraph's Prisma client (run by `npm install` as the root postinstall).
// Prisma's CLI wants its schema engine even for `generate`, which never runs it, and cannot
// download it here; pointing it at a stub that explains itself lets generate work (ADR 0003).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stub = join(root, 'scripts', 'prisma', 'schema-engine-unavailable');
const prismaCli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
const schemas = ['subgraphs', 'services']
  .map((dir) => join(root, dir))
  .filter((dir) => existsSync(dir))
  .flatMap((dir) => readdirSync(dir).map((name) => join(dir, name, 'prisma', 'schema.prisma')))
  .concat([join(root, 'schema-registry', 'prisma', 'schema.prisma')])
  .filter((file) => existsSync(file));

for (const schema of schemas) {
  execFileSync(process.execPath, [prismaCli, 'generate', '--schema', schema], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? stub, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
  console.log(`prisma client generated for ${schema.slice(root.length + 1)}`);
}
