// The data folders of `npm start`'s embedded databases, made ready by the databases process
// (scripts/embedded-databases.ts) before it opens them.
//
// Creating an embedded database (PostgreSQL's initdb, in WebAssembly) is most of a cold start:
// seconds of CPU each, six at once on a small machine. An empty cluster is the same for every
// service (each then applies its own migrations), so it is created once per PGlite version, kept as
// a template (`.pglite-template-<PGlite version>`) in a folder shared by every data folder of this
// clone (`npm install` makes it there: node_modules/.cache/supergraph), and copied (a fraction of a
// second) into every service's folder that has none yet. The services start meanwhile: they load
// their code while a missing template is made, then wait for their database (DATABASE_WAIT_MS).
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface DataFolderPlan {
  /** Where the template lives, shared by launchers (and the test suite's) running at once. */
  templatesDir: string;
  /** The PGlite version that will open the folders: a template is of use to that version only. */
  pgliteVersion: string;
  /** Every service's data folder. */
  dataDirs: string[];
  /** Creates an empty cluster in an empty folder (PGlite's initdb). */
  createCluster(dir: string): Promise<void>;
  log(line: string): void;
}

const major = (dir: string) => readFile(join(dir, 'PG_VERSION'), 'utf8').then((text) => text.trim(), () => undefined);

/** Every folder of `dataDirs` holds a cluster that this PGlite opens when this resolves. */
export async function prepareDataFolders(plan: DataFolderPlan): Promise<void> {
  const template = await embeddedTemplate(plan);
  const templateMajor = await major(template);
  const missing: string[] = [];
  for (const dir of plan.dataDirs) {
    const found = await major(dir);
    if (found === templateMajor) continue;
    if (found !== undefined) {
      // Made by an earlier PGlite on another PostgreSQL major version, which this one cannot open.
      // Kept, not deleted: the developer may want something from it.
      const aside = `${dir}.postgres-${found}.${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(dir, aside);
      plan.log(`${dir} was made by embedded PostgreSQL ${found}; this version runs ${templateMajor}, which cannot open it. Moved it to ${aside}; a fresh database is created and seeded`);
    }
    missing.push(dir);
  }
  await Promise.all(
    missing.map(async (dir) => {
      // A folder left by an interrupted start holds no cluster: replace it whole.
      const copying = `${dir}.${process.pid}.tmp`;
      await rm(copying, { recursive: true, force: true });
      await cp(template, copying, { recursive: true });
      await rm(dir, { recursive: true, force: true });
      await rename(copying, dir);
    }),
  );
}

/** The empty cluster every service's embedded database starts from, made once per PGlite version. */
export async function embeddedTemplate(plan: Pick<DataFolderPlan, 'templatesDir' | 'pgliteVersion' | 'createCluster' | 'log'>): Promise<string> {
  const template = join(plan.templatesDir, `.pglite-template-${plan.pgliteVersion}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const startedAt = performance.now();
  const building = `${template}.${process.pid}.tmp`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true });
  await plan.createCluster(building);
  try {
    await rename(building, template);
  } catch (error) {
    // Another launcher made it meanwhile (the folder is shared): theirs is as good as ours.
    await rm(building, { recursive: true, force: true });
    if (!existsSync(join(template, 'PG_VERSION'))) throw error;
    return template;
  }
  plan.log(`created an empty embedded database in ${((performance.now() - startedAt) / 1000).toFixed(1)} s (the template for every service's, in ${plan.templatesDir})`);
  // An earlier PGlite's template is of no use to this one (tens of MB each); nor is one a start left
  // half made, but another launcher's, still being made, is not ours to remove.
  const stale = (await readdir(plan.templatesDir)).filter((name) => {
    if (!name.startsWith('.pglite-template-') || join(plan.templatesDir, name) === template) return false;
    const maker = /\.(\d+)\.tmp$/.exec(name);
    return !maker || !isRunning(Number(maker[1]));
  });
  await Promise.all(stale.map((name) => rm(join(plan.templatesDir, name), { recursive: true, force: true })));
  return template;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
