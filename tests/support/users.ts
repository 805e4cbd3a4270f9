import { DEMO_ACCOUNTS } from '@supergraph/service-kit';
import { gql } from './graphql.ts';
import { operation } from './operations.ts';

let counter = 0;

/** Signs up a fresh user through the gateway; returns its token and id. */
export async function newUser(tag = 'user'): Promise<{ token: string; id: string }> {
  const email = `${tag}-${Date.now()}-${counter++}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  let response = await gql(operation('SignUp'), { input: { email, password: 'a-long-enough-password', name: `Test ${tag}` } });
  // A busy users subgraph refuses some of many concurrent sign-ups (ADR 0012): retry, as clients do.
  for (let attempt = 0; attempt < 20 && response.errors?.every((e) => e.extensions?.code === 'SERVICE_OVERLOADED'); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000 * Number(response.errors![0]!.extensions!.retryAfterSeconds ?? 1) + Math.random() * 500));
    response = await gql(operation('SignUp'), { input: { email, password: 'a-long-enough-password', name: `Test ${tag}` } });
  }
  if (!response.data?.signUp) throw new Error(`sign-up failed: ${JSON.stringify(response.errors)}`);
  return { token: response.data.signUp.token, id: response.data.signUp.user.id };
}

export async function adminToken(): Promise<string> {
  const response = await gql(operation('LogIn'), { input: { email: DEMO_ACCOUNTS.admin.email, password: DEMO_ACCOUNTS.admin.password } });
  return response.data!.logIn.token;
}
