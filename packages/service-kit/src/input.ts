import type { z } from 'zod';
import { badUserInput } from './errors.ts';

/**
 * A mutation's input checked against its zod schema, or BAD_USER_INPUT naming the first problem
 * and its field (one problem at a time, so a form can highlight it). `field` is the input's
 * top-level field, or with `fullPath` the whole path (`items.2.quantity`).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, options: { fullPath?: boolean } = {}): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = options.fullPath ? issue.path.join('.') : String(issue.path[0] ?? 'input');
  throw badUserInput(issue.message, { field: field || 'input' });
}
