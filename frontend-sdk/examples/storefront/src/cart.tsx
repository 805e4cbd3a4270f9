// The cart lives in the browser (localStorage) until checkout: prices shown here are the ones seen
// on the product page; the order is priced by the server when it is placed.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Money } from './format.ts';

export interface CartLine {
  productId: string;
  name: string;
  unitPrice: Money;
  quantity: number;
}

/** The API's limits: 1..100 of a product, 1..50 lines. */
export const MAX_QUANTITY = 100;
export const MAX_LINES = 50;
const KEY = 'storefront.cart';

function stored(): CartLine[] {
  try {
    const lines = JSON.parse(localStorage.getItem(KEY) ?? '[]') as CartLine[];
    return Array.isArray(lines) ? lines.filter((l) => typeof l.productId === 'string' && Number.isInteger(l.quantity) && l.quantity > 0) : [];
  } catch {
    return [];
  }
}

interface CartValue {
  lines: CartLine[];
  count: number;
  /** False when the cart already has MAX_LINES products and this is a new one. */
  add(line: CartLine): boolean;
  setQuantity(productId: string, quantity: number): void;
  remove(productId: string): void;
  clear(): void;
}

const CartContext = createContext<CartValue | null>(null);
const clamp = (quantity: number) => Math.min(MAX_QUANTITY, Math.max(1, Math.floor(quantity)));

export function CartProvider({ children }: { children: ReactNode }) {
  const [lines, setLines] = useState<CartLine[]>(stored);
  const save = useCallback((update: (lines: CartLine[]) => CartLine[]) => {
    setLines((current) => {
      const next = update(current);
      localStorage.setItem(KEY, JSON.stringify(next));
      return next;
    });
  }, []);
  const value = useMemo<CartValue>(
    () => ({
      lines,
      count: lines.reduce((sum, line) => sum + line.quantity, 0),
      add(line) {
        const existing = lines.find((l) => l.productId === line.productId);
        if (!existing && lines.length >= MAX_LINES) return false;
        save((current) =>
          current.some((l) => l.productId === line.productId)
            ? current.map((l) => (l.productId === line.productId ? { ...l, unitPrice: line.unitPrice, quantity: clamp(l.quantity + line.quantity) } : l))
            : [...current, { ...line, quantity: clamp(line.quantity) }],
        );
        return true;
      },
      setQuantity: (productId, quantity) => save((current) => current.map((l) => (l.productId === productId ? { ...l, quantity: clamp(quantity) } : l))),
      remove: (productId) => save((current) => current.filter((l) => l.productId !== productId)),
      clear: () => save(() => []),
    }),
    [lines, save],
  );
  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}

export function useCart(): CartValue {
  const value = useContext(CartContext);
  if (!value) throw new Error('useCart outside CartProvider');
  return value;
}
