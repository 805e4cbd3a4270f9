import { createHash } from 'node:crypto';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { RequestHandler, Response } from 'express';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { GraphQLError, Lexer, Source, TokenKind, type DocumentNode, type ValidationContext } from 'graphql';
import { estimateCost, NO_COST_DIRECTIVES, type CostDirectives } from './query-cost.ts';
import { parseJson, requestParams } from './request-params.ts';

export { estimateCost } from './query-cost.ts';

/**
 * Every request limit of the gateway, in one place (ADR 0006; README lists each one with its
 * environment variable and refusal). Anchors: OWASP GraphQL cheat sheet, graphql-armor's
 * defaults, Apollo Router's limits; tuned so every operation of the public contract passes with
 * room to spare (tests/e2e/limits.test.ts checks both directions).
 */
export interface RequestLimits {
  /** Deepest selection: the contract's deepest is 5 (me.orders.items.product.name). */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens of the document, comments included. */
  maxTokens: number;
  /** Top-level fields in one operation. */
  maxRootFields: number;
  /** Estimated cost (query-cost.ts): Catalog at 100 items costs about 1,000. */
  maxCost: number;
  /** Size of a list the schema gives no size for (no `@listSize`, no `first`). */
  assumedListSize: number;
  /** Bytes of a request body (enforced by the body parser). */
  maxBodyBytes: number;
  /** UTF-8 bytes of the GraphQL document: bounds what is lexed, parsed and stored for APQ. */
  maxDocumentBytes: number;
  /** Nesting of the `variables` JSON, objects and lists (placeOrder's `{ input: { items: [{ … }] } }` is 4). */
  maxVariablesDepth: number;
  /** Automatic persisted queries kept in Redis: at most this many documents ... */
  apqMaxEntries: number;
  /** ... and this many bytes of documents; the least recently used go first. */
  apqMaxBytes: number;
}

export const REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({
  maxDepth: 10,
  maxAliases: 15,
  maxDirectives: 20,
  maxTokens: 2_000,
  maxRootFields: 10,
  maxCost: 10_000,
  assumedListSize: 10,
  maxBodyBytes: 1_000_000,
  maxDocumentBytes: 32_768,
  maxVariablesDepth: 32,
  apqMaxEntries: 10_000,
  apqMaxBytes: 16_777_216,
});

export const requestLimits = (overrides: Partial<RequestLimits> = {}): RequestLimits => ({
  ...REQUEST_LIMITS,
  ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)),
});

/** What `extensions.limit` says on a refusal: one name per limit. */
export type LimitName =
  | 'MAX_DEPTH'
  | 'MAX_ALIASES'
  | 'MAX_DIRECTIVES'
  | 'MAX_TOKENS'
  | 'MAX_ROOT_FIELDS'
  | 'MAX_COST'
  | 'MAX_DOCUMENT_BYTES'
  | 'MAX_VARIABLES_DEPTH';

/** Refusal of a request over a limit: HTTP 400, `BAD_REQUEST`, `extensions.limit` naming the limit. */
function limitError(message: string, limit: LimitName) {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', limit, http: { status: 400 } } });
}

/**
 * graphql-armor measures depth, aliases and directives; our plugin refuses. Armor's own refusal is
 * a validation error, which Apollo always labels GRAPHQL_VALIDATION_FAILED ("Syntax Error: ..."):
 * so armor only records which limit a document broke, and the plugin answers BAD_REQUEST with
 * `extensions.limit`, as for every other limit.
 */
export function requestLimitProtection(limits: RequestLimits = REQUEST_LIMITS, costDirectives: (schema: GraphQLRequestContext<any>['schema']) => CostDirectives = () => NO_COST_DIRECTIVES) {
  // Keyed by the parsed document: Apollo validates a document once and reuses it from its store.
  const brokenLimits = new WeakMap<DocumentNode, LimitName>();
  const record = (limit: LimitName) => ({
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null) => void (context && !brokenLimits.has(context.getDocument()) && brokenLimits.set(context.getDocument(), limit))],
  });
  const armor = new ApolloArmor({
    // Fields count, fragments do not: a client composing its query of fragments (Relay, codegen) is
    // no deeper for it; the fields inside a fragment count where it is spread (as for subscriptions).
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...record('MAX_DEPTH') },
    maxAliases: { n: limits.maxAliases, ...record('MAX_ALIASES') },
    maxDirectives: { n: limits.maxDirectives, ...record('MAX_DIRECTIVES') },
    // Tokens and document size are checked by documentLimitGuard before Apollo parses.
    maxTokens: { enabled: false },
    // armor's cost ignores page sizes; the cost plugin below counts them instead.
    costLimit: { enabled: false },
    // Field suggestions would let a client map the schema with introspection off.
    blockFieldSuggestion: { enabled: true },
  });
  const protection = armor.protect();
  const messages: Record<'MAX_DEPTH' | 'MAX_ALIASES' | 'MAX_DIRECTIVES', string> = {
    MAX_DEPTH: `The query is nested deeper than ${limits.maxDepth} levels: select less deeply, or fetch the deeper part in a second request`,
    MAX_ALIASES: `The query uses more than ${limits.maxAliases} aliases: split it into several requests`,
    MAX_DIRECTIVES: `The query uses more than ${limits.maxDirectives} directives: split it into several requests`,
  };
  const plugin: ApolloServerPlugin = {
    async requestDidStart() {
      return {
        async didResolveOperation(context: GraphQLRequestContext<any>) {
          const { operation, document } = context;
          if (!document) return;
          if (!operation) {
            // getOperationAST found none: an operationName that names no operation of the document, or
            // several operations and no name. (Not echoed: the name is the client's, of any length.)
            throw new GraphQLError('No operation of the document matches `operationName`: send the name of one of its operations, or omit it when the document has exactly one', {
              extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
            });
          }
          const broken = brokenLimits.get(document);
          if (broken === 'MAX_DEPTH' || broken === 'MAX_ALIASES' || broken === 'MAX_DIRECTIVES') throw limitError(messages[broken], broken);
          const rootFields = operation.selectionSet.selections.length;
          if (rootFields > limits.maxRootFields) {
            throw limitError(`The operation selects ${rootFields} root fields, at most ${limits.maxRootFields}: split it into several requests`, 'MAX_ROOT_FIELDS');
          }
          const cost = estimateCost(context.schema, document, operation, context.request.variables ?? {}, limits.assumedListSize, costDirectives(context.schema));
          if (cost > limits.maxCost) {
            throw limitError(`The query is too expensive: estimated cost ${Math.round(cost)}, at most ${limits.maxCost}. Ask for smaller pages (first) or fewer nested lists`, 'MAX_COST');
          }
        },
      };
    },
  };
  return { plugins: [...protection.plugins, plugin], validationRules: protection.validationRules };
}


/**
 * Checks, before Apollo reads the request, what Apollo would otherwise answer with a misleading
 * code or a 500: the document's size and tokens (a huge comment is bytes to lex and to store for
 * APQ, whatever it holds), the nesting of the variables (hashing or coercing 450,000 levels
 * overflows the stack), a `documentId` no list knows (the trusted-documents middleware replaces
 * known ones by their text), and an APQ hash that does not match its document.
 */
export function documentLimitGuard(limits: RequestLimits): RequestHandler {
  return (req, res, next) => {
    const params = requestParams(req);
    const query = params.query;
    if (typeof params.documentId === 'string' && query === undefined) {
      return refuse(res, 'PERSISTED_QUERY_NOT_FOUND', 'No operation is registered under this documentId: send the operation text in `query`, or an id from the current operation list');
    }
    if (typeof query === 'string') {
      if (Buffer.byteLength(query, 'utf8') > limits.maxDocumentBytes) {
        return refuse(res, 'BAD_REQUEST', `The GraphQL document is larger than ${limits.maxDocumentBytes} bytes: remove comments and padding, or split the operation`, 'MAX_DOCUMENT_BYTES');
      }
      if (exceedsTokens(query, limits.maxTokens)) {
        return refuse(res, 'BAD_REQUEST', `The GraphQL document has more than ${limits.maxTokens} tokens (comments included): split the operation into several requests`, 'MAX_TOKENS');
      }
    }
    const persisted = (parseJson(params.extensions) as { persistedQuery?: unknown } | undefined)?.persistedQuery;
    if (persisted !== undefined) {
      // Apollo answers another shape with HTTP 400 but code INTERNAL_SERVER_ERROR (and a stack in development).
      if (!isApqExtension(persisted)) {
        return refuse(res, 'BAD_REQUEST', 'extensions.persistedQuery is { "version": 1, "sha256Hash": "<hex SHA-256 of the document>" }: version 1 is the only one');
      }
      if (typeof query === 'string' && createHash('sha256').update(query).digest('hex') !== persisted.sha256Hash) {
        return refuse(res, 'PERSISTED_QUERY_HASH_MISMATCH', 'extensions.persistedQuery.sha256Hash is not the SHA-256 of `query`: send the hex SHA-256 of the exact document text');
      }
    }
    if (depthExceeds(parseJson(params.variables), limits.maxVariablesDepth)) {
      return refuse(res, 'BAD_REQUEST', `The variables are nested deeper than ${limits.maxVariablesDepth} levels: send flatter input`, 'MAX_VARIABLES_DEPTH');
    }
    next();
  };
}

const isApqExtension = (value: unknown): value is { version: 1; sha256Hash: string } =>
  typeof value === 'object' && value !== null && (value as { version?: unknown }).version === 1 && typeof (value as { sha256Hash?: unknown }).sha256Hash === 'string';

function refuse(res: Response, code: string, message: string, limit?: LimitName) {
  res.status(400).json({ errors: [{ message, extensions: { code, ...(limit ? { limit } : {}) } }] });
}

/** Lexes with graphql's own lexer, counting comments too: they are lexed like any other token. */
function exceedsTokens(query: string, maxTokens: number): boolean {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    let previous = lexer.token;
    for (let token = lexer.advance(); ; token = lexer.advance()) {
      // advance() skips comments, but links them between the tokens it returns.
      for (let t = previous.next; t && t !== token; t = t.next) if (++count > maxTokens) return true;
      if (token.kind === TokenKind.EOF) return false;
      if (++count > maxTokens) return true;
      previous = token;
    }
  } catch {
    return false; // a syntax error is GraphQL's to report
  }
}

/** Walks JSON without recursion (the point is input too deep for the stack), stopping past `max`. */
export function depthExceeds(value: unknown, max: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (!current || typeof current !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) if (child && typeof child === 'object') pending.push([child, depth + 1]);
  }
  return false;
}
