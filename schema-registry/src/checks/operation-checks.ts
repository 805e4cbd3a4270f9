import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { graphql } from './graphql.ts';

const { parse, validate } = graphql;
import type { RegisteredOperation } from './operation-usage.ts';
import type { SchemaChange } from './schema-changes.ts';

export interface BrokenOperation {
  client: string;
  operation: string;
  reasons: string[];
}

/**
 * Validation errors of one operation against a schema (parse errors included), and, given the type
 * a list declares for it, whether the body is of that type: a gateway's rules (no mutation by GET,
 * subscriptions over graphql-ws) go by the declared one.
 */
export function validateOperation(schema: GraphQLSchema, body: string, declaredType?: string): string[] {
  try {
    const document = parse(body);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    const mistyped = operations
      .filter((d) => declaredType !== undefined && d.operation !== declaredType)
      .map((d) => `type is ${declaredType}, but the body is a ${d.operation}`);
    // graphql-js validates nothing inside an operation whose root type the schema lacks.
    const missingRoots = operations.filter((d) => !schema.getRootType(d.operation)).map((d) => `The schema has no ${d.operation} root type`);
    return [...mistyped, ...missingRoots, ...validate(schema, document).map((error) => error.message)];
  } catch (error) {
    return [(error as Error).message];
  }
}

/**
 * Every registered operation that the new API schema would break: it no longer validates, or
 * it touches something a breaking change alters (a field whose type changed still validates,
 * yet the client's generated types are wrong).
 */
export function brokenOperations(schema: GraphQLSchema, operations: RegisteredOperation[], changes: SchemaChange[]): BrokenOperation[] {
  const broken = new Map<string, BrokenOperation>();
  const add = (client: string, operation: string, reason: string) => {
    const key = `${client}\u0000${operation}`;
    const entry = broken.get(key) ?? { client, operation, reasons: [] };
    if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
    broken.set(key, entry);
  };
  for (const operation of operations) {
    for (const reason of validateOperation(schema, operation.body)) add(operation.client, operation.name, reason);
  }
  for (const change of changes.filter((c) => c.level === 'breaking')) {
    for (const user of change.usedBy) add(user.client, user.operation, change.message);
  }
  return [...broken.values()].sort((a, b) => a.client.localeCompare(b.client) || a.operation.localeCompare(b.operation));
}
