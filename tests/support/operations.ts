import { readFileSync } from 'node:fs';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import { repoPath } from '../../scripts/paths.ts';

/** The public contract's operations, by name, exactly as clients send them. */
const contract = parse(readFileSync(repoPath('..', 'shared', 'contract', 'operations.graphql'), 'utf8'));

export const contractOperations: Record<string, string> = Object.fromEntries(
  contract.definitions
    .filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition' && !!d.name)
    .map((d) => [d.name!.value, print(d)]),
);

export function operation(name: string): string {
  const source = contractOperations[name];
  if (!source) throw new Error(`No operation ${name} in the contract`);
  return source;
}
