import { describe, expect, it, vi } from 'vitest';
import { parseReservationRequest, runReservationCommand } from './internal-routes.ts';

const valid = { orderId: 'order-1', items: [{ productId: 'p-1', quantity: 2 }, { productId: 'p-2', quantity: 1 }] };
const items = (count: number) => Array.from({ length: count }, (_, i) => ({ productId: `p-${i}`, quantity: 1 }));

describe('parseReservationRequest', () => {
  it('accepts an order id with distinct items', () => {
    expect(parseReservationRequest(valid)).toEqual({ ok: true, request: valid });
  });

  it('accepts the bounds themselves', () => {
    const body = { orderId: 'o'.repeat(100), items: [...items(49), { productId: 'p'.repeat(100), quantity: 100 }] };
    expect(parseReservationRequest(body)).toEqual({ ok: true, request: body });
  });

  it('drops unknown fields', () => {
    expect(parseReservationRequest({ ...valid, userId: 'u-1' })).toEqual({ ok: true, request: valid });
  });

  it.each([
    ['no body', undefined, 'body'],
    ['an array body', [valid], 'body'],
    ['a missing order id', { items: valid.items }, 'orderId'],
    ['an empty order id', { ...valid, orderId: '' }, 'orderId'],
    ['an order id over 100 characters', { ...valid, orderId: 'o'.repeat(101) }, 'orderId'],
    ['a numeric order id', { ...valid, orderId: 42 }, 'orderId'],
    ['missing items', { orderId: 'order-1' }, 'items'],
    ['no items', { ...valid, items: [] }, 'items'],
    ['51 items', { ...valid, items: items(51) }, 'items'],
    ['an empty product id', { ...valid, items: [{ productId: '', quantity: 1 }] }, 'items.0.productId'],
    ['a product id over 100 characters', { ...valid, items: [{ productId: 'p'.repeat(101), quantity: 1 }] }, 'items.0.productId'],
    ['a quantity of 0', { ...valid, items: [{ productId: 'p-1', quantity: 0 }] }, 'items.0.quantity'],
    ['a negative quantity', { ...valid, items: [{ productId: 'p-1', quantity: -3 }] }, 'items.0.quantity'],
    ['a quantity of 101', { ...valid, items: [{ productId: 'p-1', quantity: 101 }] }, 'items.0.quantity'],
    ['a fractional quantity', { ...valid, items: [{ productId: 'p-1', quantity: 1.5 }] }, 'items.0.quantity'],
    ['a quantity as a string', { ...valid, items: [{ productId: 'p-1', quantity: '1' }] }, 'items.0.quantity'],
    ['a missing quantity', { ...valid, items: [{ productId: 'p-1' }] }, 'items.0.quantity'],
    ['a product named twice', { ...valid, items: [{ productId: 'p-1', quantity: 1 }, { productId: 'p-1', quantity: 2 }] }, 'items'],
  ])('refuses %s, naming the field', (_, body, field) => {
    const parsed = parseReservationRequest(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
  });
});

describe('runReservationCommand', () => {
  const log = () => ({ error: vi.fn() });

  it('answers 200 with what the command returned', async () => {
    const run = vi.fn().mockResolvedValue({ outcome: 'RESERVED' });
    expect(await runReservationCommand('reserve', valid, run, log())).toEqual({ status: 200, body: { outcome: 'RESERVED' } });
    expect(run).toHaveBeenCalledWith('order-1', valid.items);
  });

  it('answers 400 BAD_REQUEST without running anything on a bad body', async () => {
    const run = vi.fn();
    const response = await runReservationCommand('reserve', { ...valid, items: [] }, run, log());
    expect(response).toEqual({ status: 400, body: { error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^items: /) } } });
    expect(run).not.toHaveBeenCalled();
  });

  it('answers 500 INTERNAL with a fixed message and logs the failure', async () => {
    const failure = new Error('connection terminated: secret details');
    const logger = log();
    const response = await runReservationCommand('release', valid, () => Promise.reject(failure), logger);
    expect(response).toEqual({ status: 500, body: { error: { code: 'INTERNAL', message: 'Internal error' } } });
    expect(logger.error).toHaveBeenCalledWith({ err: failure, command: 'release', orderId: 'order-1' }, 'reservation command failed');
  });
});
