// The gateway's worker count (GATEWAY_WORKERS, ADR 0020) against its pod's CPU: unset, it would
// fork one worker per core of the node, however small the pod's CPU limit.
import { describe, expect, it } from 'vitest';
import { gatewayEnvSchema } from '../../gateway/src/config.ts';
import { GATEWAY_V8_FLAGS } from '../../gateway/src/v8-flags.ts';
import { repoPath } from '../../scripts/paths.ts';
import { render } from './kustomize.ts';

/** Kubernetes CPU quantity ("1", "1.5", "500m") in cores. */
const cores = (quantity: string | number) => (String(quantity).endsWith('m') ? Number(String(quantity).slice(0, -1)) / 1000 : Number(quantity));
/** Kubernetes memory quantity ("384Mi", "1Gi") in MiB. */
const mebibytes = (quantity: string) => {
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
};

describe.each(['local', 'production'])('the %s overlay’s gateway', (overlay) => {
  const deployment = render(repoPath('k8s', 'overlays', overlay)).find((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway')!;
  const container = deployment.spec.template.spec.containers[0];
  const value = container.env.find((e: { name: string }) => e.name === 'GATEWAY_WORKERS')?.value as string | undefined;

  it('sets GATEWAY_WORKERS to one worker per core of its CPU limit, with memory for each', () => {
    expect(value, 'GATEWAY_WORKERS must be set: the default is the node’s core count').toBeDefined();
    const workers = gatewayEnvSchema.parse({ GATEWAY_WORKERS: value }).GATEWAY_WORKERS!;
    expect(workers).toBe(Math.max(1, Math.ceil(cores(container.resources.limits.cpu))));
    expect(workers).toBeLessThanOrEqual(Math.max(1, Math.ceil(cores(container.resources.requests.cpu) * 2)));
    // Each worker is a V8 heap of its own (plus the primary's small one when there are several).
    expect(mebibytes(container.resources.limits.memory) / workers).toBeGreaterThanOrEqual(512);
  });

  it('runs with the V8 flags the gateway was measured with (NODE_OPTIONS, inherited by its workers)', () => {
    expect(container.env.find((e: { name: string }) => e.name === 'NODE_OPTIONS')?.value).toBe(GATEWAY_V8_FLAGS.join(' '));
  });
});
