import { z } from 'zod';
import { badUserInput, money, type Money } from '@supergraph/service-kit';

/** Standard shipping rules for one unit; prices at or above the threshold ship free. */
export const FREE_SHIPPING_FROM_CENTS = 5_000;
export const BASE_SHIPPING_CENTS = 499;
export const PER_STARTED_KILOGRAM_CENTS = 150;
const GRAMS_PER_KILOGRAM = 1_000;

/** Shipping for one unit, in the price's currency: free, or a base fee plus a fee per started kilogram. */
export function shippingEstimate(price: Money, weightGrams: number): Money {
  if (price.amountCents >= FREE_SHIPPING_FROM_CENTS) return money(0, price.currency);
  const startedKilograms = Math.ceil(weightGrams / GRAMS_PER_KILOGRAM);
  return money(BASE_SHIPPING_CENTS + PER_STARTED_KILOGRAM_CENTS * startedKilograms, price.currency);
}

const shippingInputsSchema = z.object({
  price: z.object({
    amountCents: z.number().int().min(0),
    currency: z.string().trim().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code'),
  }),
  weight: z.number().int().min(0),
});

/**
 * The `@requires` fields of a Product representation. The gateway always sends them; a caller
 * of `_entities` that does not gets a BAD_USER_INPUT naming what is wrong, not a wrong price.
 */
export function parseShippingInputs(representation: unknown): { price: Money; weightGrams: number } {
  const parsed = shippingInputsSchema.safeParse(representation);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'representation'}: ${issue.message}`);
    throw badUserInput(`Product representation lacks valid \`price { amountCents currency } weight\` (${problems.join('; ')})`);
  }
  return { price: money(parsed.data.price.amountCents, parsed.data.price.currency), weightGrams: parsed.data.weight };
}
