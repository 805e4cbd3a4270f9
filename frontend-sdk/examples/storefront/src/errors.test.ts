import { describe, expect, it } from 'vitest';
import type { CombinedError } from 'urql';
import { shopperMessages } from './errors.tsx';

const refused = (extensions: Record<string, unknown>) =>
  ({ graphQLErrors: [{ message: 'Too many failed sign-up or log-in attempts', extensions: { code: 'RATE_LIMITED', ...extensions } }], networkError: undefined }) as unknown as CombinedError;

describe('a refusal for going too fast, in words', () => {
  it('says how long to wait when the gateway says so', () => {
    expect(shopperMessages(refused({ retryAfterSeconds: 814 }))).toEqual(['Too many attempts for now. Please try again in 14 minutes.']);
    expect(shopperMessages(refused({ retryAfterSeconds: 45 }))).toEqual(['Too many attempts for now. Please try again in 45 seconds.']);
  });

  it('asks for a moment when the wait is short or unknown', () => {
    expect(shopperMessages(refused({ retryAfterSeconds: 2 }))).toEqual(['You are going a little fast for us. Please wait a moment and try again.']);
    expect(shopperMessages(refused({}))).toEqual(['You are going a little fast for us. Please wait a moment and try again.']);
  });
});
