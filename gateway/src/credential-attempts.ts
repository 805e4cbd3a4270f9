import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { GatewayContext } from './context.ts';
import type { GatewayRedis } from './redis.ts';

/**
 * Budgets for failed sign-up and log-in attempts (ADR 0010). Sign-up must say when an e-mail
 * already has an account, so what bounds account enumeration (and password guessing) is how
 * often one client may ask: every attempt is counted, a successful one is given back.
 */
export interface CredentialAttemptLimits {
  /** Failed attempts per client IP in a window. */
  perIp: number;
  /** Failed attempts per e-mail address in a window (log-in guessing on one account). */
  perEmail: number;
  windowSeconds: number;
}

export const DEFAULT_CREDENTIAL_ATTEMPT_LIMITS: CredentialAttemptLimits = { perIp: 20, perEmail: 10, windowSeconds: 900 };

/** The root mutation fields that take credentials, and the path of their e-mail argument. */
export const CREDENTIAL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  signUp: ['input', 'email'],
  logIn: ['input', 'email'],
};

interface Attempt {
  responseKey: string;
  ipKey: string;
  emailKey: string | null;
}

export function credentialAttemptsPlugin(limits: CredentialAttemptLimits, redis: GatewayRedis | null, keyPrefix: string): ApolloServerPlugin<GatewayContext> {
  const limiter = (name: string, points: number): RateLimiterAbstract => {
    const options = { points, duration: limits.windowSeconds, keyPrefix: `${keyPrefix}auth-attempts:${name}` };
    const memory = new RateLimiterMemory(options);
    // Shared by every replica through Redis; while Redis is away, each replica counts on its own.
    return redis ? new RateLimiterRedis({ ...options, storeClient: redis.client, rejectIfRedisNotReady: true, insuranceLimiter: memory }) : memory;
  };
  const byIp = limiter('ip', limits.perIp);
  const byEmail = limiter('email', limits.perEmail);

  return {
    async requestDidStart() {
      const attempts: Attempt[] = [];
      return {
        async didResolveOperation({ operation, document, request, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          const fragments = new Map(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          const variables = withDefaults(operation, request.variables ?? {});
          for (const field of rootFields(operation.selectionSet, fragments)) {
            const emailPath = CREDENTIAL_FIELDS[field.name.value];
            if (!emailPath) continue;
            const email = emailArgument(field, variables, emailPath);
            const attempt: Attempt = {
              responseKey: (field.alias ?? field.name).value,
              ipKey: contextValue.clientIp,
              emailKey: email === null ? null : createHash('sha256').update(email).digest('hex').slice(0, 32),
            };
            await consume(byIp, attempt.ipKey);
            if (attempt.emailKey) {
              try {
                await consume(byEmail, attempt.emailKey);
              } catch (error) {
                await byIp.reward(attempt.ipKey, 1); // refused without being tried: it cost the IP nothing
                throw error;
              }
            }
            attempts.push(attempt);
          }
        },
        async willSendResponse({ response }) {
          if (attempts.length === 0) return;
          const data = response.body.kind === 'single' ? response.body.singleResult.data : undefined;
          for (const attempt of attempts) {
            if (data?.[attempt.responseKey] == null) continue; // failed: it stays counted
            await byIp.reward(attempt.ipKey, 1);
            // Signed up or logged in: that address's failures start over.
            if (attempt.emailKey) await byEmail.delete(attempt.emailKey);
          }
        },
      };
    },
  };
}

async function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new GraphQLError(`Too many failed sign-up or log-in attempts: retry in ${retryAfter} s`, {
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter, http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) } },
    });
  }
}

/** The root fields of an operation, through inline fragments and fragment spreads. */
function rootFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...rootFields(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) fields.push(...rootFields(fragment.selectionSet, fragments, seen));
    }
  }
  return fields;
}

/**
 * The e-mail a credential field was given (as the users subgraph stores it: trimmed, lower-case),
 * or null. Read from the document and the raw variables: graphql-js's coercion helpers refuse
 * Apollo's schema objects, which come from graphql's CommonJS build (another module realm).
 */
function emailArgument(field: FieldNode, variables: Record<string, unknown>, path: readonly string[]): string | null {
  const [argument, ...rest] = path;
  const node = field.arguments?.find((a) => a.name.value === argument)?.value;
  let value: unknown = node ? literalValue(node, variables) : undefined;
  for (const key of rest) value = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value.trim().toLowerCase() : null;
}

/**
 * The variables as the operation runs with them: a variable not sent takes its default. An e-mail
 * given as a default (`mutation ($e: String = "victim@…")`) is an e-mail all the same, and its
 * budget must be charged.
 */
function withDefaults(operation: OperationDefinitionNode, sent: Record<string, unknown>): Record<string, unknown> {
  const variables = { ...sent };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (variables[name] === undefined && definition.defaultValue) variables[name] = literalValue(definition.defaultValue, {});
  }
  return variables;
}

/** A literal's value, variables substituted (only strings and input objects matter here). */
function literalValue(node: ValueNode, variables: Record<string, unknown>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.STRING:
      return node.value;
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literalValue(f.value, variables)]));
    default:
      return undefined;
  }
}
