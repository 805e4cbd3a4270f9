// Every public operation through the SDK, with no DOM: the mobile and server-side case.
//   npm run sdk:example                      against `npm start` (http://localhost:4000/graphql)
//   GATEWAY_URL=… PRODUCT_ID=… npm run sdk:example
// Browses, signs up, places an order and watches it turn CONFIRMED over a subscription, reviews
// the product and sees the review arrive live, cancels an order. Production mode: every request
// is a persisted id, so a gateway in persisted-operations-only mode accepts all of it.
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { pipe, subscribe, take, toPromise } from 'wonka';
import {
  AddReviewDocument, CancelOrderDocument, CatalogDocument, CategoriesDocument, LogInDocument, MeDocument, OrderDocument,
  OrderStatusChangedDocument, PlaceOrderDocument, ProductPageDocument, ReviewAddedDocument, SignUpDocument,
  createStorefrontClient, storefrontErrors, type StorefrontClient,
} from '../../src/index.ts';
import type { OperationResult } from '@urql/core';

export interface EveryOperationOptions {
  gatewayUrl: string;
  /** The product to order and review; by default the first in stock in the catalog. */
  productId?: string;
  log?: (line: string) => void;
}

export interface EveryOperationReport {
  operations: string[];
  productId: string;
  orderId: string;
  liveStatuses: string[];
  liveReviewId: string;
  cancelledStatus: string;
}

/** The data of a result, or an error naming the operation and the codes. */
function dataOf<T>(name: string, result: OperationResult<T>): T {
  const errors = storefrontErrors(result.error);
  if (errors.length > 0 || !result.data) throw new Error(`${name} failed: ${errors.map((e) => `${e.code}: ${e.message}`).join('; ') || 'no data'}`);
  return result.data;
}

export async function runEveryOperation(options: EveryOperationOptions): Promise<EveryOperationReport> {
  const log = options.log ?? (() => {});
  let token: string | undefined;
  const sdk: StorefrontClient = createStorefrontClient({ url: options.gatewayUrl, getToken: () => token, webSocketImpl: WebSocket, clientName: 'sdk-node-example' });
  const { urql } = sdk;
  const ran: string[] = [];
  const step = <T>(name: string, result: OperationResult<T>) => {
    ran.push(name);
    log(`${name}: ok`);
    return dataOf(name, result);
  };
  try {
    const { categories } = step('Categories', await urql.query(CategoriesDocument, {}).toPromise());
    const catalog = step('Catalog', await urql.query(CatalogDocument, { first: 20, filter: categories[0] ? {} : null }).toPromise()).products;
    const productId = options.productId ?? catalog.edges.find((e) => e.node.inStock)?.node.id;
    if (!productId) throw new Error('no product in stock to order');
    const product = step('ProductPage', await urql.query(ProductPageDocument, { id: productId }).toPromise()).product;
    if (!product) throw new Error(`product ${productId} not found`);

    const email = `sdk-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const password = 'correct horse battery staple';
    const signedUp = step('SignUp', await urql.mutation(SignUpDocument, { input: { email, password, name: 'SDK Example' } }).toPromise()).signUp;
    token = signedUp.token;
    token = step('LogIn', await urql.mutation(LogInDocument, { input: { email, password } }).toPromise()).logIn.token;

    // Place the order, then follow it live until the saga has decided.
    const placed = step('PlaceOrder', await urql.mutation(PlaceOrderDocument, { input: { idempotencyKey: `sdk-${email}`, items: [{ productId, quantity: 1 }], paymentToken: 'tok_visa' } }).toPromise()).placeOrder;
    const liveStatuses: string[] = [];
    if (placed.status === 'PENDING') {
      const decided = new Promise<void>((resolve, reject) => {
        const { unsubscribe } = pipe(
          urql.subscription(OrderStatusChangedDocument, { orderId: placed.id }),
          subscribe((result) => {
            try {
              const status = dataOf('OrderStatusChanged', result).orderStatusChanged?.status;
              if (!status) return;
              liveStatuses.push(status);
              if (status !== 'PENDING') {
                unsubscribe();
                resolve();
              }
            } catch (error) {
              reject(error);
            }
          }),
        );
        // The saga may have decided between the mutation's answer and the subscription's start.
        void urql.query(OrderDocument, { id: placed.id }, { requestPolicy: 'network-only' }).toPromise().then((r) => {
          const status = r.data?.order?.status;
          if (status && status !== 'PENDING' && liveStatuses.length === 0) {
            liveStatuses.push(status);
            unsubscribe();
            resolve();
          }
        });
      });
      await withTimeout(decided, 30_000, `order ${placed.id} still PENDING`);
      ran.push('OrderStatusChanged');
    } else {
      liveStatuses.push(placed.status);
      ran.push('OrderStatusChanged');
    }
    const order = step('Order', await urql.query(OrderDocument, { id: placed.id }, { requestPolicy: 'network-only' }).toPromise()).order;
    log(`order ${order?.id}: ${order?.status}`);

    // A review, seen live by a subscriber of the product.
    const reviewAdded = pipe(urql.subscription(ReviewAddedDocument, { productId }), take(1), toPromise);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the subscription is open before the review is written
    const review = step('AddReview', await urql.mutation(AddReviewDocument, { input: { productId, rating: 5, body: 'Ordered through the SDK from Node: works.' } }).toPromise()).addReview;
    const live = dataOf('ReviewAdded', await withTimeout(reviewAdded, 30_000, 'no ReviewAdded event')).reviewAdded;
    ran.push('ReviewAdded');
    if (live?.id !== review.id) throw new Error(`ReviewAdded delivered ${live?.id}, not ${review.id}`);

    step('Me', await urql.query(MeDocument, {}, { requestPolicy: 'network-only' }).toPromise());
    const cancelled = step('CancelOrder', await urql.mutation(CancelOrderDocument, { id: placed.id }).toPromise()).cancelOrder;
    return { operations: ran, productId, orderId: placed.id, liveStatuses, liveReviewId: live.id, cancelledStatus: cancelled.status };
  } finally {
    await sdk.close();
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const gatewayUrl = process.env.GATEWAY_URL ?? 'http://localhost:4000/graphql';
  try {
    const report = await runEveryOperation({ gatewayUrl, productId: process.env.PRODUCT_ID, log: (line) => console.log(line) });
    console.log(`\nevery public operation ran (${report.operations.length}): order ${report.orderId} went ${report.liveStatuses.join(' -> ')}, then ${report.cancelledStatus}; review ${report.liveReviewId} arrived live`);
  } catch (error) {
    console.error(`sdk example failed against ${gatewayUrl}: ${(error as Error).message}`);
    process.exit(1);
  }
}
