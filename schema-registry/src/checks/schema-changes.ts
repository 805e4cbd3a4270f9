import { ChangeType, CriticalityLevel, diff, DiffRule, type Change } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
import { graphql } from './graphql.ts';
import { operationUsage, usesCoordinate, type OperationUsage, type RegisteredOperation } from './operation-usage.ts';

/** How much a change can hurt clients. `safe` includes breaking changes no registered operation uses. */
export type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChange {
  level: ChangeLevel;
  type: string;
  message: string;
  path: string | null;
  /** A breaking change reported safe because no registered operation touches it. */
  safeBasedOnUsage: boolean;
  /** Registered operations that touch what this change breaks. */
  usedBy: Array<{ client: string; operation: string }>;
}

interface UsedOperation {
  operation: RegisteredOperation;
  usage: OperationUsage;
}

/**
 * Classifies every change between two API schemas with @graphql-inspector/core, weighing each
 * breaking change against the registered operations: one that none of them touches is safe.
 */
export async function classifyChanges(before: GraphQLSchema | null, after: GraphQLSchema, operations: RegisteredOperation[]): Promise<SchemaChange[]> {
  if (!before) return [];
  const used: UsedOperation[] = operations.flatMap((operation) => {
    try {
      return [{ operation, usage: operationUsage(before, operation.body) }];
    } catch {
      return []; // does not even parse against the current schema: the validation check reports it
    }
  });
  const users = (type: string, field: string | undefined, argument: string | undefined, change: Change) => {
    // A new required argument breaks every operation that selects the field, passing it or not.
    const coordinateArgument = change.type === ChangeType.FieldArgumentAdded ? undefined : argument;
    return used.filter((u) => usesCoordinate(u.usage, type, field, coordinateArgument));
  };
  const changes = await diff(before, after, [DiffRule.considerUsage], {
    checkUsage: async (items) => items.map((item) => users(item.type, item.field, item.argument, item.meta.change).length === 0),
  });
  return changes.map((change) => {
    const safeBasedOnUsage = change.criticality.isSafeBasedOnUsage === true;
    const level: ChangeLevel =
      change.criticality.level === CriticalityLevel.Breaking
        ? 'breaking'
        : change.criticality.level === CriticalityLevel.Dangerous && !safeBasedOnUsage
          ? 'dangerous'
          : 'safe';
    const [type, field, argument] = (change.path ?? '').split('.');
    const usedBy = level === 'breaking' && type ? users(type, field, argument, change).map((u) => ({ client: u.operation.client, operation: u.operation.name })) : [];
    return { level, type: change.type, message: change.message, path: change.path ?? null, safeBasedOnUsage, usedBy };
  });
}

export const schemaOf = (sdl: string) => graphql.buildSchema(sdl);
