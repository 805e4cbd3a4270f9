import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseInput } from './input.ts';

const schema = z.object({ name: z.string().min(1, 'name is required'), items: z.array(z.object({ quantity: z.number().int().min(1, 'quantity must be at least 1') })) });

describe('parseInput', () => {
  it('returns the parsed input', () => {
    expect(parseInput(schema, { name: 'a', items: [{ quantity: 2 }] })).toEqual({ name: 'a', items: [{ quantity: 2 }] });
  });

  it('refuses with BAD_USER_INPUT, the first problem and its top-level field, or its whole path', () => {
    const bad = { name: 'a', items: [{ quantity: 1 }, { quantity: 0 }] };
    expect(() => parseInput(schema, bad)).toThrow(expect.objectContaining({ message: 'quantity must be at least 1', extensions: { code: 'BAD_USER_INPUT', field: 'items' } }));
    expect(() => parseInput(schema, bad, { fullPath: true })).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'items.1.quantity' } }));
    expect(() => parseInput(schema, null)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'input' } }));
  });
});
