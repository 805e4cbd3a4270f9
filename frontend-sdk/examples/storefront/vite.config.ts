import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { bundleBudget } from './budget.ts';

// Served by server.ts (same origin as /graphql); `npm run dev -w @supergraph/storefront` proxies
// /graphql to a local `npm start` gateway instead.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react(), bundleBudget()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: { proxy: { '/graphql': { target: process.env.GATEWAY_ORIGIN ?? 'http://127.0.0.1:4000', ws: true } } },
});
