// The embedded databases' data folders (scripts/embedded-data-folders.ts), with a stand-in for
// PGlite's initdb: the template is made once per folder shared by every DATA_DIR, launchers making
// it at once both get it, and only templates nobody can use are removed.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedTemplate, prepareDataFolders } from './embedded-data-folders.ts';
import { repoPath } from './paths.ts';
import { EMBEDDED_TEMPLATES_FOLDER } from './services.ts';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});
const tempFolder = async (name: string) => {
  const folder = await mkdtemp(join(tmpdir(), `${name}-`));
  folders.push(folder);
  return folder;
};

/** initdb's stand-in: a cluster is a folder with PG_VERSION; it counts its calls. */
function fakeInitdb(delayMs = 0) {
  const made: string[] = [];
  return {
    made,
    async createCluster(dir: string) {
      made.push(dir);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await writeFile(join(dir, 'PG_VERSION'), '17\n');
      await writeFile(join(dir, 'made-by.txt'), dir);
    },
  };
}

describe('embedded data folders', () => {
  it('makes the template once in the shared folder and copies it into every DATA_DIR without a cluster', async () => {
    const templatesDir = await tempFolder('templates');
    const initdb = fakeInitdb();
    const lines: string[] = [];
    for (const name of ['first', 'second']) {
      const dataDir = await tempFolder(name);
      await prepareDataFolders({ templatesDir, pgliteVersion: '9.9.9', dataDirs: [join(dataDir, 'users'), join(dataDir, 'orders')], createCluster: initdb.createCluster, log: (line) => lines.push(line) });
      expect(await readFile(join(dataDir, 'users', 'PG_VERSION'), 'utf8')).toBe('17\n');
      expect(await readFile(join(dataDir, 'orders', 'PG_VERSION'), 'utf8')).toBe('17\n');
      expect((await readdir(dataDir)).filter((entry) => entry.startsWith('.pglite-template-'))).toEqual([]);
    }
    expect(initdb.made).toHaveLength(1);
    expect(lines.filter((line) => line.includes('created an empty embedded database'))).toHaveLength(1);
    expect(await readdir(templatesDir)).toEqual(['.pglite-template-9.9.9']);
  });

  it('two launchers making the template at once both get it, and the folder ends with one', async () => {
    const templatesDir = await tempFolder('templates');
    const initdb = fakeInitdb(50);
    const plan = { templatesDir, pgliteVersion: '9.9.9', createCluster: initdb.createCluster, log: () => {} };
    // One process here, so both would build into the same `.<pid>.tmp` folder: the other takes a
    // running process's pid (our parent's), as another launcher would be.
    const [first, second] = await Promise.all([embeddedTemplate(plan), withPid(process.ppid, () => embeddedTemplate(plan))]);
    expect(first).toBe(second);
    expect(initdb.made).toHaveLength(2);
    expect(await readFile(join(first, 'PG_VERSION'), 'utf8')).toBe('17\n');
    expect(await readdir(templatesDir)).toEqual(['.pglite-template-9.9.9']);
  });

  it('npm install makes the template in the folder npm start looks in', async () => {
    const { scripts } = JSON.parse(await readFile(repoPath('package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.postinstall).toContain(`node scripts/dist/embedded-databases.js --make-template ${EMBEDDED_TEMPLATES_FOLDER}`);
  });

  it("removes another PGlite version's template and a half-made one whose maker is gone, never one still being made", async () => {
    const templatesDir = await tempFolder('templates');
    const gone = 2 ** 22 + 12_345; // above Linux's pid_max default (4,194,304): no such process
    for (const name of ['.pglite-template-0.0.1', `.pglite-template-9.9.9.${gone}.tmp`, `.pglite-template-9.9.9.${process.ppid}.tmp`, 'unrelated']) {
      await mkdir(join(templatesDir, name));
    }
    await embeddedTemplate({ templatesDir, pgliteVersion: '9.9.9', createCluster: fakeInitdb().createCluster, log: () => {} });
    expect((await readdir(templatesDir)).sort()).toEqual(['.pglite-template-9.9.9', `.pglite-template-9.9.9.${process.ppid}.tmp`, 'unrelated']);
  });
});

/** Runs `work` with process.pid reading `pid` while it starts (the folder name is taken synchronously at first). */
async function withPid<T>(pid: number, work: () => Promise<T>): Promise<T> {
  const real = Object.getOwnPropertyDescriptor(process, 'pid')!;
  Object.defineProperty(process, 'pid', { value: pid, configurable: true });
  try {
    return work();
  } finally {
    Object.defineProperty(process, 'pid', real);
  }
}
