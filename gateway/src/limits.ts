import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { RequestHandler } from 'express';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * Every request limit of the gateway, in one place. Anchors: OWASP GraphQL cheat sheet,
 * graphql-armor's defaults, Apollo Router's limits; tuned so every operation of the public
 * contract passes with room to spare (tests/e2e/limits.test.ts checks both directions).
 */
export const REQUEST_LIMITS = {
  /** Deepest selection: the contract's deepest is 5 (me.orders.items.product.name). */
  maxDepth: 10,
  maxAliases: 15,
  maxDirectives: 20,
  /** Lexical tokens in the document: stops huge documents before they are parsed further. */
  maxTokens: 2_000,
  /** Top-level fields in one operation. */
  maxRootFields: 10,
  /**
   * Estimated cost: every field costs 1, times the page sizes (`first`) of the lists around it;
   * a list without `first` counts as 10. Catalog at 100 items costs about 1,000
   * (tests/supergraph.test.ts keeps every contract operation under a fifth of the ceiling).
   */
  maxCost: 10_000,
  assumedListSize: 10,
  /** Bytes of a request body (enforced by the body parser). */
  maxBodyBytes: 1_000_000,
} as const;

export type RequestLimits = typeof REQUEST_LIMITS;

/** graphql-armor for depth, aliases, directives and tokens; our own rule for list-aware cost. */
export function requestLimitProtection(limits: RequestLimits = REQUEST_LIMITS) {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    // Tokens are counted by tokenLimitGuard before Apollo parses: armor's check throws from the
    // parser, which Apollo answers with HTTP 500.
    maxTokens: { enabled: false },
    // armor's cost ignores page sizes; the cost plugin below counts them instead.
    costLimit: { enabled: false },
    // Field suggestions would let a client map the schema with introspection off.
    blockFieldSuggestion: { enabled: true },
  });
  const protection = armor.protect();
  return { plugins: [...protection.plugins, queryCostPlugin(limits)], validationRules: protection.validationRules };
}

function queryCostPlugin(limits: RequestLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(context: GraphQLRequestContext<any>) {
          const operation = context.operation;
          if (!operation || !context.document) return;
          const rootFields = operation.selectionSet.selections.length;
          if (rootFields > limits.maxRootFields) {
            throw limitError(`Too many root fields: ${rootFields}, at most ${limits.maxRootFields}`, 'MAX_ROOT_FIELDS');
          }
          const cost = estimateCost(context.schema, context.document, operation, context.request.variables ?? {}, limits.assumedListSize);
          if (cost > limits.maxCost) throw limitError(`Query is too expensive: estimated cost ${cost}, at most ${limits.maxCost}`, 'MAX_COST');
        },
      };
    },
  };
}

function limitError(message: string, limit: string) {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', limit, http: { status: 400 } } });
}

/**
 * Cost = sum over fields of 1 x the product of the sizes of the lists around it. A list's size is
 * its `first` (argument value or schema default), or, for the list of a paged connection
 * (`edges`), the connection's `first`; any other list counts as `assumedListSize`.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  assumedListSize: number,
): number {
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const pageSize = (field: FieldNode, definition: GraphQLField<unknown, unknown>): number | null => {
    const argument = definition.args.find((a) => a.name === 'first');
    if (!argument) return null;
    const node = field.arguments?.find((a) => a.name.value === 'first')?.value;
    const value = !node ? argument.defaultValue : node.kind === Kind.VARIABLE ? variables[node.name.value] : node.kind === Kind.INT ? Number(node.value) : null;
    return typeof value === 'number' && value > 0 ? value : assumedListSize;
  };

  const fieldsOf = (type: GraphQLNamedType): Record<string, GraphQLField<unknown, unknown>> =>
    'getFields' in type && 'getInterfaces' in type ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>) : {};
  // `pendingPage`: the page size of the connection we are inside, applied at its list (edges).
  const costOf = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType, multiplier: number, pendingPage: number | null, seen: Set<string>): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) ?? parentType : parentType;
        cost += costOf(selection.selectionSet, type, multiplier, pendingPage, seen);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        const type = schema.getType(fragment.typeCondition.name.value) ?? parentType;
        cost += costOf(fragment.selectionSet, type, multiplier, pendingPage, new Set([...seen, fragment.name.value]));
        continue;
      }
      cost += multiplier;
      const definition = fieldsOf(parentType)[selection.name.value];
      if (!selection.selectionSet || !definition) continue;
      const page = pageSize(selection, definition);
      // By the printed type, not instanceof: @apollo/gateway builds its schema with the CommonJS
      // copy of graphql, which graphql's ESM type guards refuse as "another realm".
      const printed = String(definition.type);
      const isList = printed.replace(/!$/, '').startsWith('[');
      const namedType = schema.getType(printed.replace(/[[\]!]/g, ''))!;
      if (isList) cost += costOf(selection.selectionSet, namedType, multiplier * (page ?? pendingPage ?? assumedListSize), null, seen);
      else cost += costOf(selection.selectionSet, namedType, multiplier, page, seen);
    }
    return cost;
  };
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  return root ? costOf(operation.selectionSet, root, 1, null, new Set()) : 0;
}

/** Refuses a document with more lexical tokens than allowed, with a 400, before it is parsed. */
export function tokenLimitGuard(maxTokens: number): RequestHandler {
  return (req, res, next) => {
    const query = req.method === 'GET' ? req.query.query : (req.body as { query?: unknown } | undefined)?.query;
    if (typeof query === 'string' && exceedsTokens(query, maxTokens)) {
      res.status(400).json({ errors: [{ message: `Too many tokens: a document has at most ${maxTokens}`, extensions: { code: 'BAD_REQUEST', limit: 'MAX_TOKENS' } }] });
      return;
    }
    next();
  };
}

function exceedsTokens(query: string, maxTokens: number): boolean {
  const lexer = new Lexer(new Source(query));
  try {
    for (let count = 0; lexer.advance().kind !== TokenKind.EOF; ) if (++count > maxTokens) return true;
  } catch {
    return false; // a syntax error is GraphQL's to report
  }
  return false;
}
