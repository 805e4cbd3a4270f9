/** Money is always integer minor units plus an ISO 4217 code (see the public contract). */
export interface Money {
  amountCents: number;
  currency: string;
}

export const money = (amountCents: number, currency: string): Money => ({ amountCents, currency: currency.trim() });
