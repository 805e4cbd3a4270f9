/**
 * The services `npm start` runs, in the order it starts them (registry first, gateway once the
 * registry has the schemas). Ports are the defaults; `npm start` adds PORT_OFFSET to each.
 */
export const SUBGRAPHS = [
  { name: 'products', port: 4001 },
  { name: 'users', port: 4002 },
  { name: 'orders', port: 4003 },
  { name: 'inventory', port: 4004 },
  { name: 'reviews', port: 4005 },
] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];
export const SUBGRAPH_NAMES = SUBGRAPHS.map((s) => s.name);
export const GATEWAY_PORT = 4000;
export const REGISTRY_PORT = 4100;
/** `npm start`'s embedded databases (scripts/embedded-databases.ts): its /readyz here, each database on the next ports, in DATABASE_SERVICES order. */
export const EMBEDDED_DATABASES_PORT = 4200;
/**
 * Where the empty embedded database that every service's starts from is kept, under the clone's
 * root: made by `npm install` (package.json's postinstall names this folder too) or else by the
 * first `npm start`, shared by every DATA_DIR, gone with node_modules.
 */
export const EMBEDDED_TEMPLATES_FOLDER = 'node_modules/.cache/supergraph';
/** Every service with a database of its own, and where its migrations are. */
export const DATABASE_SERVICES = [
  ...SUBGRAPHS.map(({ name }) => ({ name: name as string, migrations: `subgraphs/${name}/prisma/migrations`, dataDir: name as string })),
  { name: 'registry', migrations: 'schema-registry/prisma/migrations', dataDir: 'schema-registry' },
];
/**
 * V8 flags of the embedded databases' process. V8 optimises a WebAssembly function once it has run
 * about this many bytes of code (1.8 MB by default); opening a PGlite database runs much code
 * once, so at ten times the budget less of it is optimised for nothing: six opens took 4.2 CPU-s
 * instead of 4.8 here (ADR 0015), and a query's hot functions are still optimised, a little later.
 * Set on the command line: set at run time (v8.setFlagsFromString) it made no difference.
 */
export const EMBEDDED_DATABASES_V8_FLAGS = ['--wasm-tiering-budget=18000000'] as const;
