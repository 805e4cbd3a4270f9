import type { TestProject } from 'vitest/node';
import { startStack, type StackInfo } from '../scripts/in-process-stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/** One supergraph for every end-to-end test file; files run one at a time (vitest.config.ts). */
export default async function setup(project: TestProject) {
  const stack = await startStack({ seedProducts: Number(process.env.TEST_SEED_PRODUCTS ?? 300) });
  const { close, ...info } = stack;
  project.provide('stack', info);
  return close;
}
