// `npm start`'s embedded databases, all in one process (ADR 0015): each service's PGlite runs in a
// worker thread of its own and is served over the Postgres wire protocol on a fixed loopback port,
// and the services reach it with DATABASE_URL as they would reach PostgreSQL.
//
// Why not one PGlite per service process: PGlite is 9 MB of WebAssembly, and each process compiled
// it again (and tiered its hot code up again): 1.6 CPU-s of every service's start on this
// machine. Worker threads of one process share one compiled module, so it is compiled once, and
// each database still has a thread of its own. A service started alone (without DATABASE_URL)
// still opens its own, through the same openDatabase.
//
// Run by the launcher: EMBEDDED_DATABASES lists { name, dataDir, port }, opened in that order, as
// many at a time as there are cores (the first listed is served first); PORT answers /readyz
// (200 once every database is open). SIGTERM or SIGINT closes every database (a checkpoint) and
// exits 0; a second signal exits at once.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { openDatabase } from '@supergraph/service-kit/database';

interface DatabaseSpec {
  name: string;
  dataDir: string;
  port: number;
}

interface WorkerInput {
  spec: DatabaseSpec;
  pgliteWasmModule: WebAssembly.Module;
}
/** What a worker posts once its database is open: the URL it is served at. */
type WorkerMessage = { opened: string };

const log = (line: string) => console.log(line);
// Node's types declare WebAssembly's types only (its functions come with the DOM library).
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;

if (isMainThread) await serveDatabases();
else await serveOneDatabase(workerData as WorkerInput);

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
    }),
  );
  const started = performance.now();
  const wasmFile = fileURLToPath(new URL('./pglite.wasm', import.meta.resolve('@electric-sql/pglite')));
  const pgliteWasmModule = await wasm.compile(await readFile(wasmFile));

  const workers: Worker[] = [];
  const open = (spec: DatabaseSpec) =>
    new Promise<string>((resolve) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { spec, pgliteWasmModule } satisfies WorkerInput });
      workers.push(worker);
      worker.once('message', (message: WorkerMessage) => resolve(message.opened));
      // A database that fails (now or later) takes the process down: the launcher restarts it.
      worker.on('error', (error) => {
        console.error(`embedded database ${spec.name} (${spec.dataDir}) failed: ${error.message}`);
        process.exit(1);
      });
    });
  const queue = [...env.EMBEDDED_DATABASES];
  const urls: string[] = [];
  const opening = Array.from({ length: Math.min(availableParallelism(), queue.length) }, async () => {
    for (let spec = queue.shift(); spec; spec = queue.shift()) urls.push(`${spec.name} ${await open(spec)}`);
  });

  let ready = false;
  const server = createServer((req, res) => {
    const ok = req.url === '/livez' || (req.url === '/readyz' && ready);
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'starting');
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(env.PORT, '127.0.0.1', resolve));

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(1);
    stopping = true;
    server.close();
    await Promise.all(
      workers.map(
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

  await Promise.all(opening);
  ready = true;
  log(`${urls.length} embedded databases open in ${Math.round(performance.now() - started)} ms: ${urls.join(', ')}`);
}

async function serveOneDatabase({ spec, pgliteWasmModule }: WorkerInput): Promise<void> {
  const database = await openDatabase({ dataDir: spec.dataDir, port: spec.port, pgliteWasmModule });
  parentPort!.on('message', async (message) => {
    if (message !== 'close') return;
    await database.close();
    // The main thread waits for this thread's exit.
    process.exit(0);
  });
  parentPort!.postMessage({ opened: database.connectionString } satisfies WorkerMessage);
}
