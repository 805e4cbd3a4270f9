// How the shop shows money, dates, ratings and statuses to a shopper.
import type { OrderStatus } from '@supergraph/sdk';

export interface Money {
  amountCents: number;
  currency: string;
}

const formatters = new Map<string, Intl.NumberFormat>();
export function money({ amountCents, currency }: Money): string {
  let format = formatters.get(currency);
  if (!format) formatters.set(currency, (format = new Intl.NumberFormat('en-US', { style: 'currency', currency })));
  return format.format(amountCents / 100);
}

export const date = (iso: string) => new Date(iso).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });

export function rating(average: number | null | undefined, count: number | null | undefined): string {
  if (!count || average == null) return 'No reviews yet';
  return `Rated ${average.toFixed(1)} out of 5 (${count} ${count === 1 ? 'review' : 'reviews'})`;
}

export const STATUS_WORDS: Record<OrderStatus, string> = {
  PENDING: 'Processing: we are reserving your items and charging your card',
  CONFIRMED: 'Confirmed',
  REJECTED: 'Not placed',
  CANCELLED: 'Cancelled',
  SHIPPED: 'Shipped',
};

/** Dollars typed by a shopper ("12.5") as cents; undefined when empty or not a price. */
export function centsFromInput(value: string | null): number | undefined {
  if (!value || value.trim() === '') return undefined;
  const amount = Number(value);
  return Number.isFinite(amount) && amount >= 0 ? Math.round(amount * 100) : undefined;
}
