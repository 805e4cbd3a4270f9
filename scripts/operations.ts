import { readFileSync } from 'node:fs';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import { repoPath } from './paths.ts';

/**
 * The public client operations, owned by the project (frontend-sdk/operations): the persisted
 * lists, the tests and the benchmarks all read them from here, so a clone needs nothing beside it.
 */
export const STOREFRONT_OPERATIONS_FILE = repoPath('frontend-sdk', 'operations', 'storefront.graphql');

export const storefrontOperationsSource = () => readFileSync(STOREFRONT_OPERATIONS_FILE, 'utf8');

/** Every named operation, printed exactly as clients send it, by name. */
export function storefrontOperations(): Record<string, string> {
  return Object.fromEntries(
    parse(storefrontOperationsSource())
      .definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition' && !!d.name)
      .map((d) => [d.name!.value, print(d)]),
  );
}
