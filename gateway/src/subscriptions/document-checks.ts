import { createHash } from 'node:crypto';
import type { DocumentNode, FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { getVariableValues, graphql } from './graphql-cjs.ts';
import { depthExceeds, estimateCost, type RequestLimits } from '../limits.ts';
import type { CostDirectives } from '../query-cost.ts';
import { SUBSCRIPTION_ERROR } from './close-codes.ts';

export interface CheckedSubscription {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The variables as the operation declares them, coerced (defaults applied). */
  variables: Record<string, unknown>;
}

const { GraphQLError, Kind, getOperationAST, parse, specifiedRules, validate } = graphql;
type GraphQLError = InstanceType<typeof GraphQLError>;

const error = (message: string, code: string, limit?: string) => new GraphQLError(message, { extensions: { code, ...(limit ? { limit } : {}) } });

/**
 * The checks an HTTP request gets (limits.ts, ADR 0006), for one subscribe message: document
 * size and tokens, validation against the API schema (without field suggestions, which would
 * map the schema), depth, aliases, directives, root fields, estimated cost, and the variables.
 * Returns the errors to answer with, or the checked operation.
 */
export function checkSubscription(
  schema: GraphQLSchema,
  query: string,
  operationName: string | undefined,
  rawVariables: unknown,
  limits: RequestLimits,
  costDirectives: CostDirectives,
): CheckedSubscription | GraphQLError[] {
  if (Buffer.byteLength(query, 'utf8') > limits.maxDocumentBytes) {
    return [error(`The GraphQL document is larger than ${limits.maxDocumentBytes} bytes: remove comments and padding, or split the operation`, 'BAD_REQUEST', 'MAX_DOCUMENT_BYTES')];
  }
  if (rawVariables !== undefined && rawVariables !== null && (typeof rawVariables !== 'object' || Array.isArray(rawVariables))) {
    return [error('`variables` must be an object', 'BAD_REQUEST')];
  }
  if (depthExceeds(rawVariables, limits.maxVariablesDepth)) {
    return [error(`The variables are nested deeper than ${limits.maxVariablesDepth} levels: send flatter input`, 'BAD_REQUEST', 'MAX_VARIABLES_DEPTH')];
  }
  const parsed = parseAndValidate(schema, query, limits.maxTokens);
  if (Array.isArray(parsed)) return parsed;
  const document = parsed;
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    return [error('No operation of the document matches `operationName`: send the name of one of its operations, or omit it when the document has exactly one', 'OPERATION_RESOLUTION_FAILURE')];
  }
  if (operation.operation !== 'subscription') {
    return [error('Only subscriptions are served over the WebSocket: send queries and mutations over HTTP', SUBSCRIPTION_ERROR.NOT_A_SUBSCRIPTION)];
  }
  const shape = measure(document, operation);
  if (shape.depth > limits.maxDepth) {
    return [error(`The query is nested deeper than ${limits.maxDepth} levels: select less deeply, or fetch the deeper part in a second request`, 'BAD_REQUEST', 'MAX_DEPTH')];
  }
  if (shape.aliases > limits.maxAliases) return [error(`The query uses more than ${limits.maxAliases} aliases: split it into several requests`, 'BAD_REQUEST', 'MAX_ALIASES')];
  if (shape.directives > limits.maxDirectives) return [error(`The query uses more than ${limits.maxDirectives} directives: split it into several requests`, 'BAD_REQUEST', 'MAX_DIRECTIVES')];
  const rootFields = operation.selectionSet.selections.length;
  if (rootFields > limits.maxRootFields) {
    return [error(`The operation selects ${rootFields} root fields, at most ${limits.maxRootFields}: split it into several requests`, 'BAD_REQUEST', 'MAX_ROOT_FIELDS')];
  }
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], (rawVariables ?? {}) as Record<string, unknown>, { maxErrors: 10 });
  if (coerced.errors) return coerced.errors.map((e) => new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT' } }));
  const cost = estimateCost(schema, document, operation, coerced.coerced, limits.assumedListSize, costDirectives);
  if (cost > limits.maxCost) {
    return [error(`The query is too expensive: estimated cost ${Math.round(cost)}, at most ${limits.maxCost}. Ask for smaller pages (first) or fewer nested lists`, 'BAD_REQUEST', 'MAX_COST')];
  }
  return { document, operation, variables: coerced.coerced };
}

/**
 * Parsed and validated documents by schema and text: identical subscriptions (a thousand
 * storefronts on one product page) share one immutable document instead of holding a copy each.
 */
const documents = new WeakMap<GraphQLSchema, Map<string, DocumentNode | GraphQLError[]>>();
const MAX_DOCUMENTS = 1_000;

function parseAndValidate(schema: GraphQLSchema, query: string, maxTokens: number): DocumentNode | GraphQLError[] {
  let bySchema = documents.get(schema);
  if (!bySchema) documents.set(schema, (bySchema = new Map()));
  const key = createHash('sha256').update(query).digest('hex');
  const cached = bySchema.get(key);
  if (cached) return cached;
  let result: DocumentNode | GraphQLError[];
  try {
    const document = parse(query, { maxTokens });
    const invalid = validate(schema, document, specifiedRules, { maxErrors: 10 });
    result = invalid.length > 0
      ? invalid.map((e) => new GraphQLError(e.message.replace(/ Did you mean .*$/, ''), { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }))
      : document;
  } catch (parseError) {
    const message = parseError instanceof GraphQLError ? parseError.message : 'Syntax error';
    return /token limit/i.test(message)
      ? [error(`The GraphQL document has more than ${maxTokens} tokens: split the operation into several requests`, 'BAD_REQUEST', 'MAX_TOKENS')]
      : [error(message.slice(0, 200), 'GRAPHQL_PARSE_FAILED')];
  }
  if (bySchema.size >= MAX_DOCUMENTS) bySchema.delete(bySchema.keys().next().value!);
  bySchema.set(key, result);
  return result;
}

/** Depth (fragments expanded, each at most once per path), aliases and directives of an operation. */
function measure(document: DocumentNode, operation: OperationDefinitionNode) {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  let aliases = 0;
  let directives = operation.directives?.length ?? 0;
  const walk = (set: SelectionSetNode, depth: number, path: ReadonlySet<string>): number => {
    let deepest = depth;
    for (const selection of set.selections) {
      directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases++;
        deepest = Math.max(deepest, selection.selectionSet ? walk(selection.selectionSet, depth + 1, path) : depth + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, walk(selection.selectionSet, depth, path));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !path.has(name)) deepest = Math.max(deepest, walk(fragment.selectionSet, depth, new Set([...path, name])));
      }
    }
    return deepest;
  };
  const depth = walk(operation.selectionSet, 0, new Set());
  return { depth, aliases, directives };
}
