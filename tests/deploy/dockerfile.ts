import { readFileSync } from 'node:fs';
import { repoPath } from '../../scripts/paths.ts';

/** What the Dockerfile's last stage runs: its working directory, environment, user and command. */
export interface ImageRuntime {
  /** WORKDIR with ARG SERVICE substituted, relative to the image's /app (the repository root here). */
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
  /** ENTRYPOINT followed by CMD, both exec form (a shell form would keep signals from node). */
  command: string[];
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
function instructions(text: string): { keyword: string; args: string }[] {
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    });
}

function execForm(instruction: string, args: string): string[] {
  if (!args.startsWith('[')) throw new Error(`${instruction} must use the exec form (JSON array) so that signals reach node: ${args}`);
  return JSON.parse(args) as string[];
}

/** Reads the runtime (last) stage of ./Dockerfile for one SERVICE build argument (and others, else their ARG defaults). */
export function imageRuntime(service: string, file = repoPath('Dockerfile'), buildArgs: Record<string, string> = {}): ImageRuntime {
  const all = instructions(readFileSync(file, 'utf8'));
  const lastFrom = all.map((i) => i.keyword).lastIndexOf('FROM');
  const stage = all.slice(lastFrom);
  const args: Record<string, string> = { ...buildArgs, SERVICE: service };
  for (const { keyword, args: text } of stage) {
    const declared = keyword === 'ARG' ? /^(\w+)=(.*)$/.exec(text) : null;
    if (declared && !(declared[1]! in args)) args[declared[1]!] = declared[2]!.replace(/^"|"$/g, '');
  }
  const expand = (value: string) => value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a, b) => args[a ?? b] ?? '');
  let workdir = '/';
  const env: Record<string, string> = {};
  let user: string | undefined;
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  for (const { keyword, args: text } of stage) {
    if (keyword === 'WORKDIR') workdir = expand(text);
    if (keyword === 'USER') user = text;
    if (keyword === 'ENV') for (const [, name, value] of text.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[name!] = expand(value!.replace(/^"|"$/g, ''));
    if (keyword === 'ENTRYPOINT') entrypoint = execForm(keyword, text);
    if (keyword === 'CMD') cmd = execForm(keyword, text);
  }
  if (!workdir.startsWith('/app')) throw new Error(`the runtime stage's WORKDIR ${workdir} is not under /app`);
  return { workdir: workdir.replace(/^\/app\/?/, ''), env, user, command: [...entrypoint, ...cmd] };
}

/** The SERVICE build argument of each service: its workspace folder. */
export const SERVICE_FOLDERS: Record<string, string> = {
  gateway: 'gateway',
  registry: 'schema-registry',
  products: 'subgraphs/products',
  users: 'subgraphs/users',
  orders: 'subgraphs/orders',
  inventory: 'subgraphs/inventory',
  reviews: 'subgraphs/reviews',
};

/**
 * Whether ./.dockerignore leaves `path` (relative to the repository root) out of the build
 * context: Docker's rules for the patterns used there (`*`, `**`, `!` exceptions, the last
 * matching line wins, a pattern that matches a folder leaves out everything under it).
 */
export function ignoredByDocker(path: string, file = repoPath('.dockerignore')): boolean {
  const patterns = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  let ignored = false;
  for (const line of patterns) {
    const exception = line.startsWith('!');
    const pattern = (exception ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
    const source = pattern
      .split('/')
      .map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
      .join('/')
      .replace(/\.\*\//g, '(?:.*/)?');
    if (new RegExp(`^${source}(?:/.*)?$`).test(path)) ignored = !exception;
  }
  return ignored;
}
