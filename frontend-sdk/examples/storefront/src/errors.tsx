// Errors in a shopper's words, chosen by the SDK's stable codes (storefrontErrors).
import type { CombinedError } from 'urql';
import { storefrontErrors, type StorefrontError } from '@supergraph/sdk';

const REJECTION_WORDS: Record<string, string> = {
  PAYMENT_DECLINED: 'Your card was declined, so nothing was charged. Please try another card.',
  OUT_OF_STOCK: 'Sorry, something in your cart sold out before we could reserve it. Nothing was charged.',
};

/** Why an order was not placed (its `rejectionReason`), in words. */
export const rejectionWords = (reason: string | null | undefined) =>
  (reason && REJECTION_WORDS[reason]) ?? 'We could not place this order. Nothing was charged.';

/** How long to wait, as the gateway said (`retryAfterSeconds`): a sign-in lockout is 15 minutes, not "a moment". */
function rateLimitedWords(retryAfterSeconds: unknown): string {
  const seconds = typeof retryAfterSeconds === 'number' && retryAfterSeconds > 0 ? Math.ceil(retryAfterSeconds) : null;
  if (seconds === null || seconds <= 10) return 'You are going a little fast for us. Please wait a moment and try again.';
  const wait = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return `Too many attempts for now. Please try again in ${wait}.`;
}

function words(error: StorefrontError): string {
  switch (error.code) {
    case 'NETWORK_ERROR':
      return 'We cannot reach the shop right now. Check your connection and try again.';
    case 'RATE_LIMITED':
      return rateLimitedWords(error.extensions.retryAfterSeconds);
    case 'SERVICE_OVERLOADED':
    case 'SERVICE_UNAVAILABLE':
    case 'SUBGRAPH_UNAVAILABLE':
    case 'SUBGRAPH_REQUEST_REFUSED':
    case 'SUBSCRIPTION_UPSTREAM_UNAVAILABLE':
    case 'TOO_MANY_SUBSCRIPTIONS':
      return 'Part of the shop is busy or down right now. Please try again in a moment.';
    case 'UNAUTHENTICATED':
      return 'Please sign in again to continue.';
    case 'FORBIDDEN':
      return 'This belongs to another account.';
    case 'NOT_FOUND':
      return 'We could not find that.';
    case 'PAYMENT_DECLINED':
    case 'OUT_OF_STOCK':
      return rejectionWords(error.code);
    case 'BAD_USER_INPUT':
      // The services write these for people ("An account with this e-mail already exists").
      return error.message;
    default:
      if (error.code.startsWith('PERSISTED_QUERY_') || error.code === 'OPERATION_NOT_ALLOWED') {
        return 'This page is out of date. Please reload it.';
      }
      return 'Something went wrong on our side. Please try again.';
  }
}

/** One sentence per distinct problem. */
export function shopperMessages(error: CombinedError | undefined | null): string[] {
  return [...new Set(storefrontErrors(error).map(words))];
}

export function ErrorMessage({ error, retry, title = 'Something went wrong' }: { error: CombinedError | undefined | null; retry?: () => void; title?: string }) {
  const messages = shopperMessages(error);
  if (messages.length === 0) return null;
  return (
    <div className="error" role="alert">
      <p className="error-title">{title}</p>
      {messages.map((message) => (
        <p key={message}>{message}</p>
      ))}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export const Loading = ({ what }: { what: string }) => (
  <p className="loading" role="status">
    Loading {what}…
  </p>
);
