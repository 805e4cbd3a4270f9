import type { Client } from 'graphql-ws';

/** What a test's graphql-ws subscription received so far. */
export interface Received {
  results: Array<{ data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>;
  completed: boolean;
  error: unknown;
  stop: () => void;
}

/** Subscribes and collects what arrives, without waiting. */
export function subscribe(client: Client, query: string, variables: Record<string, unknown>): Received {
  const received: Received = { results: [], completed: false, error: undefined, stop: () => {} };
  received.stop = client.subscribe(
    { query, variables },
    {
      next: (result) => void received.results.push(result as Received['results'][number]),
      error: (error) => {
        received.error = error;
        received.completed = true;
      },
      complete: () => void (received.completed = true),
    },
  );
  return received;
}
