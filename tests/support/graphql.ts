import { inject } from 'vitest';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
}

/** Sends one GraphQL request over real HTTP. */
export async function graphql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, ...body };
}

export const stack = () => inject('stack');

/** Through the gateway, optionally as a signed-in user. */
export const gql = <T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, token?: string) =>
  graphql<T>(stack().gatewayUrl, query, variables, token ? { authorization: `Bearer ${token}` } : {});

export const codes = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.code);
