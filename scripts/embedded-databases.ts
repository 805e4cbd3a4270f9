// `npm start`'s embedded databases, all in one process (ADR 0015): each service's PGlite runs in a
// worker thread of its own and is served over the Postgres wire protocol on a fixed loopback port,
// and the services reach it with DATABASE_URL as they would reach PostgreSQL.
//
// Why not one PGlite per service process: PGlite is 9 MB of WebAssembly, and each process compiled
// it again (and tiered its hot code up again): 1.6 CPU-s of every service's start on this
// machine. Worker threads of one process share one compiled module, so it is compiled once. One
// thread per core, not per database: each thread boots a Node environment and loads PGlite's
// modules (no code cache for ES modules), about 0.1 CPU-s each, and more threads than cores add no
// parallelism. A service started alone (without DATABASE_URL) still opens its own, through the
// same openDatabase.
//
// Run by the launcher: EMBEDDED_DATABASES lists { name, dataDir, port }, dealt in that order to as
// many threads as there are cores, each opening its own in turn (the first listed is served
// first); PORT answers /readyz
// (200 once every database is open). With EMBEDDED_TEMPLATES_DIR, a folder without a cluster gets a
// copy of the template kept there, made first if missing (scripts/embedded-data-folders.ts): the
// launcher starts the services meanwhile. SIGTERM or SIGINT closes every database (a checkpoint)
// and exits 0; a second signal exits at once.
// `--make-template <dir>` only makes the template in <dir> if it is missing, and exits: `npm install`
// runs it, so that a first `npm start` does not wait for PostgreSQL's initdb.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { EMBEDDED_SETTINGS, openDatabase } from '@supergraph/service-kit/database';
import { embeddedTemplate, prepareDataFolders } from './embedded-data-folders.ts';

interface DatabaseSpec {
  name: string;
  dataDir: string;
  port: number;
}

/** A worker serves some databases, or creates the empty cluster the templates are made of. */
type WorkerInput = { pgliteWasmModule: WebAssembly.Module } & ({ specs: DatabaseSpec[] } | { createClusterIn: string });
/** What a worker posts as each database opens (its name and the URL it is served at), and once its cluster is made. */
type WorkerMessage = { opened: { name: string; url: string } } | { created: string };

const log = (line: string) => console.log(line);
// Node's types declare WebAssembly's types only (its functions come with the DOM library).
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;

const makeTemplateAt = process.argv.indexOf('--make-template');
if (isMainThread && makeTemplateAt > 0) await makeTemplate(process.argv[makeTemplateAt + 1]);
else if (isMainThread) await serveDatabases();
else if ('specs' in (workerData as WorkerInput)) await serveDatabasesOfThread(workerData as WorkerInput & { specs: DatabaseSpec[] });
else await createCluster(workerData as WorkerInput & { createClusterIn: string });

async function serveDatabases(): Promise<void> {
  // Loaded here, not at the top: every worker thread loads this module too, and needs neither.
  const [{ z }, { parseEnv, portSchema }] = await Promise.all([import('zod'), import('@supergraph/service-kit/env')]);
  const databaseSpec = z.object({ name: z.string().min(1), dataDir: z.string().min(1), port: z.number().int().min(1).max(65535) });
  const env = parseEnv(
    z.object({
      PORT: portSchema(4200),
      EMBEDDED_DATABASES: z
        .string()
        .transform((text, ctx) => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            ctx.addIssue({ code: 'custom', message: 'must be JSON' });
            return z.NEVER;
          }
        })
        .pipe(z.array(databaseSpec).min(1)),
      EMBEDDED_TEMPLATES_DIR: z.string().min(1).optional(),
    }),
  );
  const started = performance.now();
  const pgliteWasmModule = await compilePglite();

  let ready = false;
  const server = createServer((req, res) => {
    const ok = req.url === '/livez' || (req.url === '/readyz' && ready);
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'starting');
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(env.PORT, '127.0.0.1', resolve));

  /** The threads serving a database, each closed on a signal. */
  const serving: Worker[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(1);
    stopping = true;
    server.close();
    await Promise.all(
      serving.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.postMessage('close');
          }),
      ),
    );
    log('every embedded database closed');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  /** A worker thread on the one compiled module; `onMessage` gets what it posts. */
  const run = (input: WorkerInput, what: string, onMessage: (message: WorkerMessage) => void) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: input });
    if ('specs' in input) serving.push(worker);
    worker.on('message', onMessage);
    // A database that fails (now or later) takes the process down: the launcher restarts it.
    worker.on('error', (error) => {
      console.error(`embedded database ${what} failed: ${error.message}`);
      process.exit(1);
    });
  };
  if (env.EMBEDDED_TEMPLATES_DIR) {
    await prepareDataFolders({
      templatesDir: env.EMBEDDED_TEMPLATES_DIR,
      pgliteVersion: await pgliteVersion(),
      dataDirs: env.EMBEDDED_DATABASES.map((spec) => spec.dataDir),
      createCluster: (dir) => new Promise<void>((resolve) => run({ createClusterIn: dir, pgliteWasmModule }, `template (${dir})`, () => resolve())),
      log,
    });
  }
  // Dealt round-robin, so the first listed opens first, on the first thread.
  const threads = Math.min(availableParallelism(), env.EMBEDDED_DATABASES.length);
  const dealt = Array.from({ length: threads }, (_, t) => env.EMBEDDED_DATABASES.filter((_, i) => i % threads === t));
  const urls: string[] = [];
  const opening = dealt.map(
    (specs) =>
      new Promise<void>((resolve) => {
        let open = 0;
        run({ specs, pgliteWasmModule }, specs.map((spec) => `${spec.name} (${spec.dataDir})`).join(', '), (message) => {
          if (!('opened' in message)) return;
          urls.push(`${message.opened.name} ${message.opened.url}`);
          if (++open === specs.length) resolve();
        });
      }),
  );

  await Promise.all(opening);
  ready = true;
  log(`${urls.length} embedded databases open in ${Math.round(performance.now() - started)} ms: ${urls.join(', ')}`);
}

async function compilePglite(): Promise<WebAssembly.Module> {
  const wasmFile = fileURLToPath(new URL('./pglite.wasm', import.meta.resolve('@electric-sql/pglite')));
  return wasm.compile(await readFile(wasmFile));
}

async function pgliteVersion(): Promise<string> {
  const pglitePackage = new URL('../package.json', import.meta.resolve('@electric-sql/pglite'));
  return (JSON.parse(await readFile(pglitePackage, 'utf8')) as { version: string }).version;
}

/** `--make-template <dir>`: the template alone, in this thread (nothing else runs here). */
async function makeTemplate(templatesDir: string | undefined): Promise<void> {
  if (!templatesDir) {
    console.error('usage: embedded-databases.js --make-template <folder>');
    process.exit(2);
  }
  const pgliteWasmModule = await compilePglite();
  const template = await embeddedTemplate({
    templatesDir,
    pgliteVersion: await pgliteVersion(),
    createCluster: (dir) => createClusterHere(dir, pgliteWasmModule),
    log,
  });
  log(`embedded database template: ${template}`);
}

async function createClusterHere(dir: string, pgliteWasmModule: WebAssembly.Module): Promise<void> {
  const { PGlite } = await import('@electric-sql/pglite');
  const database = await PGlite.create({ dataDir: dir, pgliteWasmModule, startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS] });
  await database.close();
}

/** Opens this thread's databases one after the other (each served once open); 'close' closes them all. */
async function serveDatabasesOfThread({ specs, pgliteWasmModule }: WorkerInput & { specs: DatabaseSpec[] }): Promise<void> {
  const open: { close(): Promise<void> }[] = [];
  let opening: Promise<unknown> = Promise.resolve();
  let closing = false;
  parentPort!.on('message', async (message) => {
    if (message !== 'close' || closing) return;
    closing = true;
    // One still opening is closed too, once open (closing it halfway could leave it needing recovery).
    await opening.catch(() => {});
    await Promise.all(open.map((database) => database.close()));
    // The main thread waits for this thread's exit.
    process.exit(0);
  });
  for (const spec of specs) {
    if (closing) return;
    const next = openDatabase({ dataDir: spec.dataDir, port: spec.port, pgliteWasmModule });
    opening = next;
    const database = await next;
    open.push(database);
    parentPort!.postMessage({ opened: { name: spec.name, url: database.connectionString } } satisfies WorkerMessage);
  }
}

async function createCluster({ createClusterIn, pgliteWasmModule }: WorkerInput & { createClusterIn: string }): Promise<void> {
  await createClusterHere(createClusterIn, pgliteWasmModule);
  parentPort!.postMessage({ created: createClusterIn } satisfies WorkerMessage);
  process.exit(0);
}
