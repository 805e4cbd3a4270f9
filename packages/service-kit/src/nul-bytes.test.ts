import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { containsNulByte, documentContainsNulByte } from './nul-bytes.ts';

describe('NUL byte detection', () => {
  it('finds NUL in variables at any depth, keys included', () => {
    expect(containsNulByte({ input: { email: 'a@example.com', name: 'ok' } })).toBe(false);
    expect(containsNulByte({ input: { tags: ['a', ['b', 'c\u0000']] } })).toBe(true);
    expect(containsNulByte({ ['k\u0000']: 1 })).toBe(true);
    expect(containsNulByte(null)).toBe(false);
    expect(containsNulByte(42)).toBe(false);
  });

  it('does not overflow the stack on deeply nested input', () => {
    let deep: unknown = 'leaf\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(containsNulByte(deep)).toBe(true);
  });

  it('finds escaped NUL in string literals of the document, block strings included', () => {
    expect(documentContainsNulByte(parse('{ catalog(filter: { search: "shoe" }) { totalCount } }'))).toBe(false);
    expect(documentContainsNulByte(parse('{ catalog(filter: { search: "sh\\u0000oe" }) { totalCount } }'))).toBe(true);
    expect(documentContainsNulByte(parse('mutation { addReview(input: { body: ["x", "\\u0000"] }) { id } }'))).toBe(true);
  });
});
