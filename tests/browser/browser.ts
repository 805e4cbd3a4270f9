// Browser-test support: Debian's Chromium driven by playwright-core (no browser is ever
// downloaded; .ci/run installs the chromium package when it is missing), a record of every
// GraphQL request and answer a page exchanged (HTTP and graphql-ws), axe-core's checks, screenshots.
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoPath } from '../../scripts/paths.ts';

/** Where screenshots go (a CI artifact folder, gitignored); docs/screenshots/ holds the README's copies. */
export const SCREENSHOT_DIR = repoPath('artifacts', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // Root on CI: no sandbox. The rest keep Chromium from calling home on a closed network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    timeout: 60_000,
  });
}

export interface GraphqlTraffic {
  /** POST /graphql bodies, as sent. */
  requests: Record<string, unknown>[];
  /** graphql-ws `subscribe` payloads, as sent. */
  subscriptions: Record<string, unknown>[];
  /** Every `extensions.code` in every answer (HTTP bodies and graphql-ws next/error messages). */
  errorCodes: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
}

const codesOf = (errors: unknown): string[] =>
  Array.isArray(errors) ? errors.map((e: { extensions?: { code?: unknown } }) => String(e?.extensions?.code ?? 'NO_CODE')) : [];

export function recordGraphqlTraffic(page: Page, traffic: GraphqlTraffic): void {
  const isGraphql = (url: string) => new URL(url).pathname === '/graphql';
  page.on('pageerror', (error) => traffic.pageErrors.push(error.message));
  page.on('request', (request) => {
    if (isGraphql(request.url()) && request.method() === 'POST') traffic.requests.push(request.postDataJSON() as Record<string, unknown>);
  });
  page.on('response', async (response) => {
    if (!isGraphql(response.url())) return;
    const body = (await response.json().catch(() => ({ errors: [{ extensions: { code: `HTTP_${response.status()}_NOT_JSON` } }] }))) as { errors?: unknown };
    traffic.errorCodes.push(...codesOf(body.errors));
  });
  page.on('websocket', (socket) => {
    if (!isGraphql(socket.url())) return;
    socket.on('framesent', ({ payload }) => {
      const message = JSON.parse(String(payload)) as { type: string; payload?: Record<string, unknown> };
      if (message.type === 'subscribe' && message.payload) traffic.subscriptions.push(message.payload);
    });
    socket.on('framereceived', ({ payload }) => {
      const message = JSON.parse(String(payload)) as { type: string; payload?: unknown };
      if (message.type === 'error') traffic.errorCodes.push(...codesOf(message.payload));
      if (message.type === 'next') traffic.errorCodes.push(...codesOf((message.payload as { errors?: unknown })?.errors));
    });
  });
}

let axeSource: Promise<string> | undefined;

/** axe-core's serious and critical violations on the page as it is now, one line each. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: await axeSource });
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
