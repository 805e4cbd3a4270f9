// The CI/CD workflow calls only things that exist: npm scripts, turbo tasks, the Dockerfile's
// services, kustomizations and Deployments, the registry CLI's commands.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { repoPath } from '../../scripts/paths.ts';
import { imageRuntime, SERVICE_FOLDERS } from './dockerfile.ts';
import { GATEWAY_V8_FLAGS } from '../../gateway/src/v8-flags.ts';
import { render } from './kustomize.ts';

const workflow = parseYaml(readFileSync(repoPath('.github/workflows/ci-cd.yml'), 'utf8')) as {
  jobs: Record<string, { steps: { run?: string; uses?: string; with?: Record<string, string>; 'working-directory'?: string }[]; strategy?: { matrix: { include: { name: string; folder: string; node_flags?: string }[] } }; services?: Record<string, unknown> }>;
};
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const runs = steps.filter((s) => s.run).map((s) => ({ dir: s['working-directory'] ?? '.', script: s.run! }));
const rootPackage = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { scripts: Record<string, string> };
const turbo = JSON.parse(readFileSync(repoPath('turbo.json'), 'utf8')) as { tasks: Record<string, unknown> };
const production = render(repoPath('k8s', 'overlays', 'production'));

describe('.github/workflows/ci-cd.yml', () => {
  it('smoke-tests with a persisted operation this commit ships (the gateway is persisted-only in production)', () => {
    const smoke = runs.find(({ script }) => script.includes('documentId'))!.script;
    const file = smoke.match(/require\("\.\/([^"]+)"\)/)![1]!;
    const documents = JSON.parse(readFileSync(repoPath(file), 'utf8')) as Record<string, string>;
    const prefix = smoke.match(/startsWith\("([^"]+)"\)/)![1]!;
    expect(Object.values(documents).filter((text) => text.startsWith(prefix))).toHaveLength(1);
  });

  it('runs npm scripts and turbo tasks that exist', () => {
    const npmScripts = runs.flatMap(({ script }) => [...script.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!));
    expect(npmScripts.length).toBeGreaterThan(0);
    for (const name of npmScripts) expect(rootPackage.scripts, name).toHaveProperty(name);
    const turboTasks = runs.flatMap(({ script }) => [...script.matchAll(/turbo run ([\w\s:-]+?)(?: --|$)/gm)].flatMap((m) => m[1]!.trim().split(/\s+/)));
    expect(turboTasks).toEqual(['build', 'typecheck']);
    for (const task of turboTasks) expect(Object.keys(turbo.tasks), task).toContainEqual(expect.stringMatching(new RegExp(`^(//#)?${task}$`)));
  });

  it('tests on PostgreSQL and Redis service containers', () => {
    expect(Object.keys(workflow.jobs.test!.services!)).toEqual(['postgres', 'redis']);
    expect(runs.some(({ script }) => script.trim() === 'npx vitest run')).toBe(true);
  });

  it('builds one image per service with the Dockerfile, and sets each in the production overlay', () => {
    const matrix = workflow.jobs.images!.strategy!.matrix.include;
    const build = workflow.jobs.images!.steps.find((s) => s.uses?.startsWith('docker/build-push-action'))!;
    expect(build.with!.file).toBe('Dockerfile');
    expect(build.with!['build-args']!.trim().split('\n').map((line) => line.trim())).toEqual(['SERVICE=${{ matrix.folder }}', 'NODE_FLAGS=${{ matrix.node_flags }}']);
    // The gateway's image runs with the V8 flags it was measured with; the others with none.
    for (const entry of matrix) expect(entry.node_flags ?? '', entry.name).toBe(entry.name === 'gateway' ? GATEWAY_V8_FLAGS.join(' ') : '');
    expect(imageRuntime('gateway', undefined, { NODE_FLAGS: GATEWAY_V8_FLAGS.join(' ') }).env.NODE_OPTIONS).toBe(GATEWAY_V8_FLAGS.join(' '));
    expect(imageRuntime('subgraphs/products').env.NODE_OPTIONS).toBe('');
    expect(matrix.map((m) => m.folder).sort()).toEqual(Object.values(SERVICE_FOLDERS).sort());
    const deployments = production.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(matrix.map((m) => m.name).sort()).toEqual([...deployments].sort());
    const images = production.filter((o) => o.kind === 'Deployment').map((o) => o.spec.template.spec.containers[0].image.split(':')[0] as string);
    const setImage = runs.find(({ script }) => script.includes('kustomize edit set image "supergraph/$name'))!;
    expect(setImage.dir).toBe('k8s/overlays/production');
    // Each Deployment's image is the one `kustomize edit set image supergraph/<name>=...` replaces.
    for (const name of deployments) expect(images).toContain(`ghcr.io/example/supergraph-${name}`);
    const loopNames = setImage.script.match(/for name in ([\w\s-]+); do/)![1]!.trim().split(/\s+/);
    expect(loopNames.sort()).toEqual([...deployments].sort());
  });

  it('applies kustomizations that exist, waits for Deployments that exist, and publishes with a CLI command that exists', () => {
    for (const { dir, script } of runs) {
      for (const match of script.matchAll(/kubectl apply -k (\S+)/g)) expect(existsSync(repoPath(dir, match[1]!, 'kustomization.yaml')), match[1]).toBe(true);
    }
    const rollout = runs.find(({ script }) => script.includes('rollout status'))!.script;
    const names = rollout.match(/for name in ([\w\s-]+); do/)![1]!.trim().split(/\s+/);
    expect(names.sort()).toEqual(production.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort());
    const help = readFileSync(repoPath('schema-registry/src/cli/main.ts'), 'utf8');
    for (const { script } of runs) for (const match of script.matchAll(/npm run registry -- (\w+)/g)) expect(help).toContain(`  ${match[1]} <subgraph>`);
    for (const { dir } of runs) expect(existsSync(repoPath(dir)), dir).toBe(true);
  });
});
