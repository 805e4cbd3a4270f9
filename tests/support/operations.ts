import { storefrontOperations } from '../../scripts/operations.ts';

/** The public operations, by name, exactly as clients send them. */
export const contractOperations: Record<string, string> = storefrontOperations();

export function operation(name: string): string {
  const source = contractOperations[name];
  if (!source) throw new Error(`No operation ${name} in frontend-sdk/operations`);
  return source;
}
