import { DEMO_ACCOUNTS } from '@supergraph/service-kit';
import { gql } from './graphql.ts';
import { operation } from './operations.ts';

let counter = 0;

/** Signs up a fresh user through the gateway; returns its token and id. */
export async function newUser(tag = 'user'): Promise<{ token: string; id: string }> {
  const email = `${tag}-${Date.now()}-${counter++}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const response = await gql(operation('SignUp'), { input: { email, password: 'a-long-enough-password', name: `Test ${tag}` } });
  if (!response.data?.signUp) throw new Error(`sign-up failed: ${JSON.stringify(response.errors)}`);
  return { token: response.data.signUp.token, id: response.data.signUp.user.id };
}

export async function adminToken(): Promise<string> {
  const response = await gql(operation('LogIn'), { input: { email: DEMO_ACCOUNTS.admin.email, password: DEMO_ACCOUNTS.admin.password } });
  return response.data!.logIn.token;
}
