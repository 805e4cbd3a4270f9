import { serveChangeFeed, type Logger, type SubgraphDefinition } from '@supergraph/service-kit';
import { z } from 'zod';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { InventoryContext } from './context.ts';
import type { InventoryEnv } from './env.ts';
import type { InventoryRuntime } from './runtime.ts';
import { InventoryStore, type ReservationItem } from './store.ts';

/**
 * The body of both reservation commands. Bounds keep one request's transaction short (at most 50
 * row locks) and its ids index-sized; a product named twice would be ambiguous, so it is refused.
 */
export const reservationRequestSchema = z.object({
  orderId: z.string().min(1).max(100),
  items: z
    .array(z.object({ productId: z.string().min(1).max(100), quantity: z.number().int().min(1).max(100) }))
    .min(1)
    .max(50)
    .refine((items) => new Set(items.map((item) => item.productId)).size === items.length, 'each productId may appear only once'),
});
export type ReservationRequest = z.infer<typeof reservationRequestSchema>;

export type ParsedReservationRequest = { ok: true; request: ReservationRequest } | { ok: false; message: string };

export function parseReservationRequest(body: unknown): ParsedReservationRequest {
  const parsed = reservationRequestSchema.safeParse(body);
  if (parsed.success) return { ok: true, request: parsed.data };
  const message = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`).join('; ');
  return { ok: false, message };
}

export interface CommandResponse {
  status: number;
  body: unknown;
}

const INTERNAL_ERROR = { error: { code: 'INTERNAL', message: 'Internal error' } } as const;

/**
 * One reservation command from body to response, without Express: 400 before anything runs on
 * a bad body; 500 with a fixed message on a failure, whose details go to the log, not the caller.
 */
export async function runReservationCommand(
  command: string,
  body: unknown,
  run: (orderId: string, items: ReservationItem[]) => Promise<unknown>,
  log: Pick<Logger, 'error'>,
): Promise<CommandResponse> {
  const parsed = parseReservationRequest(body);
  if (!parsed.ok) return { status: 400, body: { error: { code: 'BAD_REQUEST', message: parsed.message } } };
  try {
    return { status: 200, body: await run(parsed.request.orderId, parsed.request.items) };
  } catch (error) {
    log.error({ err: error, command, orderId: parsed.request.orderId }, 'reservation command failed');
    return { status: 500, body: INTERNAL_ERROR };
  }
}

type InternalRoutes = NonNullable<SubgraphDefinition<PrismaClient, InventoryContext, InventoryEnv, InventoryRuntime>['internalRoutes']>;

/**
 * Stock reservations for the orders saga: POST /internal/reservations and /internal/reservations/release;
 * the stock feed products reconciles its in_stock copy from: GET /internal/stock-feed (ADR 0016).
 */
export const inventoryInternalRoutes: InternalRoutes = (router, runtime, deps) => {
  const store = new InventoryStore(deps.db);
  const purgeStockOf = (items: ReservationItem[]) => deps.responseCache.purge('Product', items.map((item) => item.productId));
  router.post('/reservations', async (req, res) => {
    const response = await runReservationCommand('reserve', req.body, async (orderId, items) => {
      const { announced, ...result } = await store.reserve(orderId, items);
      if (result.outcome === 'RESERVED') await purgeStockOf(items); // stock changed: no stale pages anywhere
      if (announced > 0) runtime.outbox.nudge(); // committed: stock.changed goes out now
      return result;
    }, deps.log);
    res.status(response.status).json(response.body);
  });
  router.post('/reservations/release', async (req, res) => {
    const response = await runReservationCommand('release', req.body, async (orderId, items) => {
      const { announced, ...result } = await store.release(orderId, items);
      if (result.releasedUnits > 0) await purgeStockOf(items);
      if (announced > 0) runtime.outbox.nudge();
      return result;
    }, deps.log);
    res.status(response.status).json(response.body);
  });
  serveChangeFeed(router, '/stock-feed', (query) => store.stockFeed(query), deps.log);
};
