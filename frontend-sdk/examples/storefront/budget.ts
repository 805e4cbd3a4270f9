// The storefront's weight budget: the gzip size of all the JavaScript a shopper downloads.
// `vite build` prints it and fails above the budget (README, "Storefront").
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

export const JS_BUDGET_GZIP_BYTES = 120 * 1024;

export function bundleBudget(budgetBytes = JS_BUDGET_GZIP_BYTES): Plugin {
  return {
    name: 'storefront-bundle-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      let total = 0;
      for (const file of Object.values(bundle)) {
        if (file.type === 'chunk') total += gzipSync(file.code).length;
      }
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
      const line = `storefront JavaScript: ${kb(total)} gzip (budget ${kb(budgetBytes)})`;
      if (total > budgetBytes) this.error(`${line}: over budget; drop a dependency or split the bundle`);
      // Printed whatever the log level: the number the README's budget is about.
      console.log(line);
    },
  };
}
