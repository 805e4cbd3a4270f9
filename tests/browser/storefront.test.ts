// The web storefront in a real browser against the whole stack: the stack's subgraphs behind a
// gateway replica that accepts persisted ids only, behind the storefront's own server (the built
// files and /graphql on one origin). Shoppers browse, filter, sign up, check out (a declined card
// and a charged one), watch their order and a product's reviews change live; axe-core checks the
// main pages; screenshots go to artifacts/screenshots/. Demo products 220-239.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { demoIds } from '@supergraph/service-kit';
import { CancelOrderDocument, createStorefrontClient } from '@supergraph/sdk';
import { persistedLists, persistedOperations } from '@supergraph/sdk/persisted-lists';
import { buildStorefront, storefrontIsStale } from '../../frontend-sdk/examples/storefront/build.ts';
import { startStorefrontServer, type RunningStorefront } from '../../frontend-sdk/examples/storefront/server.ts';
import { startGatewayReplica } from '../support/gateways.ts';
import { codes, gql, graphql } from '../support/graphql.ts';
import { launchChromium, recordGraphqlTraffic, screenshot, seriousAxeViolations, type GraphqlTraffic } from './browser.ts';

const PRODUCT_ID = demoIds.product(220);
const REVIEWED_ID = demoIds.product(221);
const WAIT = { timeout: 30_000, interval: 200 };
const persistedIds = new Set(persistedOperations.map((o) => o.id));
const idOf = (name: string) => persistedOperations.find((o) => o.name === name)!.id;

let gateway: Awaited<ReturnType<typeof startGatewayReplica>>;
let storefront: RunningStorefront;
let browser: Browser;
const contexts: BrowserContext[] = [];
const traffic: GraphqlTraffic = { requests: [], subscriptions: [], errorCodes: [], pageErrors: [] };

beforeAll(async () => {
  // The build `npm install` made; again only when a source changed since (a developer's edit).
  if (await storefrontIsStale()) await buildStorefront({ quiet: true });
  gateway = await startGatewayReplica({ trustedDocuments: { lists: persistedLists(), partnerKeys: new Map(), persistedOnly: true } });
  storefront = await startStorefrontServer({ port: 0, gatewayUrl: gateway.url });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => {})));
  await browser?.close();
  await storefront?.close();
});

async function newShopperPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
  contexts.push(context);
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  recordGraphqlTraffic(page, traffic);
  return page;
}

const uniqueEmail = (who: string) => `${who}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;

async function signUp(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign up' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign up' }).waitFor();
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('E-mail').fill(uniqueEmail(name.toLowerCase().replace(/\W+/g, '-')));
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByText(`Signed in as ${name}`).waitFor();
}

/** How many subscriptions of an operation the gateway holds open: a page's subscription is live there before the test makes an event. */
async function activeSubscriptions(operation: string): Promise<number> {
  const match = new RegExp(`^graphql_subscriptions_active\\{operation="${operation}"[^}]*\\} (\\d+)$`, 'm').exec(await gateway.metrics());
  return Number(match?.[1] ?? 0);
}

async function expectNoSeriousAxeViolations(page: Page): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

describe('the web storefront, in Chromium, against a gateway that accepts persisted ids only', () => {
  it('serves the app on every client-side route and passes /graphql through to the gateway (which refuses text)', async () => {
    for (const path of ['/', `/products/${PRODUCT_ID}`, '/checkout']) {
      const response = await fetch(`${storefront.url}${path}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<div id="root"></div>');
      // Not to be framed by another site (clickjacking a signed-in page).
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    }
    expect(codes(await graphql(`${storefront.url}/graphql`, '{ categories { id } }'))).toEqual(['PERSISTED_QUERY_ID_REQUIRED']);
  });

  it('browse, filter, product, sign up, cart; a declined card says why; with tok_visa the order page shows CONFIRMED and follows the order live', async () => {
    const { data } = await gql<{ product: { name: string; price: { amountCents: number }; category: { id: string } } }>(
      `query ($id: ID!) { product(id: $id) { name price { amountCents } category { id } } }`,
      { id: PRODUCT_ID },
    );
    const product = data!.product;
    const page = await newShopperPage();

    // Browse: the first page, then the next one.
    await page.goto(`${storefront.url}/`);
    const products = page.getByRole('list', { name: 'Products' }).getByRole('listitem');
    await products.first().waitFor();
    expect(await products.count()).toBeGreaterThan(1);
    await screenshot(page, 'catalog');
    await expectNoSeriousAxeViolations(page);
    const firstName = await products.first().getByRole('heading').textContent();
    await page.getByRole('link', { name: 'Next page' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent(), WAIT).toContain('page 2');
    await expect.poll(() => products.first().getByRole('heading').textContent(), WAIT).not.toBe(firstName);

    // Filter by search, category and a price range around the product's price.
    await page.getByRole('searchbox', { name: 'Search' }).fill(product.name);
    await page.getByLabel('Category').selectOption(product.category.id);
    await page.getByLabel('Lowest price ($)').fill(String(Math.floor(product.price.amountCents / 100)));
    await page.getByLabel('Highest price ($)').fill(String(Math.ceil(product.price.amountCents / 100)));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('category'), WAIT).toBe(product.category.id);
    const link = page.locator(`a[href="/products/${PRODUCT_ID}"]`);
    await link.waitFor();
    // Every product shown matches the filter (the list is the filtered one, not the first page).
    expect(await products.count()).toBeLessThan(12);

    // The product page.
    await link.click();
    await page.getByRole('heading', { level: 1, name: product.name }).waitFor();
    for (const fact of ['Price', 'Availability', 'Shipping', 'Rating']) await page.locator('dt', { hasText: fact }).waitFor();
    expect(await page.locator('dd.price').textContent()).toBe(`$${(product.price.amountCents / 100).toFixed(2)}`);
    expect(await page.getByText(/estimated$/).count()).toBe(1);
    await page.getByText('to write a review').waitFor();

    // Sign up (back on the product page after), then the cart.
    await signUp(page, 'Bea Browser');
    await page.getByRole('heading', { level: 1, name: product.name }).waitFor();
    await page.getByRole('heading', { name: 'Write a review' }).waitFor();
    await screenshot(page, 'product');
    await expectNoSeriousAxeViolations(page);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('link', { name: 'Cart, 1 item' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
    await page.getByRole('link', { name: 'Go to checkout' }).click();
    await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
    await expectNoSeriousAxeViolations(page);

    // A declined card: the reason in words, the cart kept, nothing placed.
    await page.getByLabel(/Test card that is declined/).check();
    await page.getByRole('button', { name: 'Place order' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Your card was declined, so nothing was charged');
    await screenshot(page, 'checkout');
    await expectNoSeriousAxeViolations(page);

    // tok_visa: the order page, CONFIRMED.
    await page.getByLabel(/Test card that is charged/).check();
    await page.getByRole('button', { name: 'Place order' }).click();
    await expect.poll(() => new URL(page.url()).pathname, WAIT).toMatch(/^\/orders\/[^/]+$/);
    const orderId = new URL(page.url()).pathname.split('/').at(-1)!;
    const status = page.getByTestId('order-status');
    await expect.poll(() => status.textContent(), WAIT).toBe('Confirmed');
    await page.getByRole('link', { name: product.name }).waitFor();
    expect(await page.getByRole('link', { name: 'Cart, 0 items' }).count()).toBe(1);
    await screenshot(page, 'order');
    await expectNoSeriousAxeViolations(page);

    // The order changes elsewhere (cancelled from another device, through the SDK): the open page follows by itself.
    await expect.poll(() => activeSubscriptions('OrderStatusChanged'), WAIT).toBeGreaterThan(0);
    const session = JSON.parse(String(await page.evaluate(`localStorage.getItem('storefront.session')`))) as { token: string };
    const otherDevice = createStorefrontClient({ url: `${storefront.url}/graphql`, getToken: () => session.token, webSocketImpl: WebSocket });
    const cancelled = await otherDevice.urql.mutation(CancelOrderDocument, { id: orderId }).toPromise();
    await otherDevice.close();
    expect(cancelled.error).toBeUndefined();
    await expect.poll(() => status.textContent(), WAIT).toBe('Cancelled');

    // The shopper's orders (Me).
    await page.getByRole('link', { name: 'My orders' }).click();
    const row = page.getByRole('row').filter({ has: page.locator(`a[href="/orders/${orderId}"]`) });
    await row.waitFor();
    expect(await row.textContent()).toContain(`1 × ${product.name}`);
  }, 180_000);

  it('a review posted from a second browser context appears live on the first', async () => {
    const { data } = await gql<{ product: { name: string } }>(`query ($id: ID!) { product(id: $id) { name } }`, { id: REVIEWED_ID });
    const reader = await newShopperPage();
    await reader.goto(`${storefront.url}/products/${REVIEWED_ID}`);
    await reader.getByRole('heading', { level: 1, name: data!.product.name }).waitFor();
    const openBefore = await activeSubscriptions('ReviewAdded');

    const writer = await newShopperPage();
    await writer.goto(`${storefront.url}/products/${REVIEWED_ID}`);
    await signUp(writer, 'Rey Reviewer');
    // Both pages' subscriptions are open at the gateway before the review is written.
    await expect.poll(() => activeSubscriptions('ReviewAdded'), WAIT).toBeGreaterThanOrEqual(Math.max(openBefore, 1) + 1);
    const body = `Arrived in two days, works as described (${Date.now().toString(36)}).`;
    await writer.getByLabel('Rating').selectOption('4');
    await writer.getByLabel('Your review').fill(body);
    await writer.getByRole('button', { name: 'Post review' }).click();
    await writer.getByText('Thanks, your review is posted.').waitFor();

    const live = reader.getByRole('list', { name: 'Reviews' }).getByRole('listitem').filter({ hasText: body });
    await live.waitFor();
    expect(await live.textContent()).toContain('4 out of 5 · Rey Reviewer');
  }, 120_000);

  it('says so in words when a product does not exist, or when the API cannot be reached', async () => {
    const page = await newShopperPage();
    await page.goto(`${storefront.url}/products/${demoIds.product(999_999)}`);
    await page.getByRole('heading', { level: 1, name: 'Product not found' }).waitFor();
    // A link with a blank id (the API refuses it as BAD_USER_INPUT) names no product either.
    await page.goto(`${storefront.url}/products/%20`);
    await page.getByRole('heading', { level: 1, name: 'Product not found' }).waitFor();

    // A storefront whose gateway is gone: the SDK retries, then the page explains instead of spinning.
    const orphan = await startStorefrontServer({ port: 0, gatewayUrl: 'http://127.0.0.1:9/graphql' });
    try {
      const offline = await newShopperPage();
      await offline.goto(`${orphan.url}/`);
      const alert = offline.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('Part of the shop is busy or down right now');
      await offline.getByRole('button', { name: 'Try again' }).waitFor();
    } finally {
      await orphan.close();
    }
  }, 60_000);

  it('sent every request as a persisted id (HTTP and graphql-ws), and the safelist refused none', () => {
    expect(traffic.requests.length).toBeGreaterThan(5);
    for (const body of traffic.requests) {
      expect(body.query, JSON.stringify(body)).toBeUndefined();
      expect(persistedIds.has((body.extensions as { persistedQuery: { sha256Hash: string } }).persistedQuery.sha256Hash), JSON.stringify(body)).toBe(true);
    }
    const sentOperations = new Set(traffic.requests.map((b) => b.operationName));
    for (const name of ['Categories', 'Catalog', 'ProductPage', 'SignUp', 'PlaceOrder', 'Order', 'Me', 'AddReview']) expect(sentOperations, name).toContain(name);
    const subscribed = traffic.subscriptions.map((p) => (p.extensions as { persistedQuery: { sha256Hash: string } }).persistedQuery.sha256Hash);
    expect(subscribed).toContain(idOf('OrderStatusChanged'));
    expect(subscribed).toContain(idOf('ReviewAdded'));
    for (const payload of traffic.subscriptions) expect(payload.query ?? '', JSON.stringify(payload)).toBe('');
    expect(traffic.errorCodes.filter((code) => code.startsWith('PERSISTED_QUERY_') || code === 'OPERATION_NOT_ALLOWED')).toEqual([]);
    expect(traffic.pageErrors).toEqual([]);
  });
});
