/** A refusal the registry's clients can branch on: a stable code, an HTTP status, and details. */
export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const RegistryErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  /** The subgraphs would not compose: nothing changed. */
  COMPOSITION_FAILED: 'COMPOSITION_FAILED',
  /** The change composes but breaks registered client operations: nothing changed. */
  BREAKS_REGISTERED_OPERATIONS: 'BREAKS_REGISTERED_OPERATIONS',
  /** Operations offered for a client's list do not validate against the current supergraph. */
  OPERATIONS_INVALID: 'OPERATIONS_INVALID',
  /** A client's new list drops operations its current one holds (clients may still send them): nothing changed. */
  OPERATIONS_REMOVED: 'OPERATIONS_REMOVED',
  /** Nothing has been published yet. */
  NO_SUPERGRAPH: 'NO_SUPERGRAPH',
  CONFLICT: 'CONFLICT',
  /** A routing URL on a host REGISTRY_ROUTING_URL_HOSTS does not list (admins included): nothing changed. */
  ROUTING_URL_NOT_ALLOWED: 'ROUTING_URL_NOT_ALLOWED',
  /** A published subgraph does not serve (at its routing URL) what was submitted for it: nothing changed (ADR 0013). */
  SCHEMA_NOT_DEPLOYED: 'SCHEMA_NOT_DEPLOYED',
  /** A published subgraph could not be asked for the schema it serves: nothing changed (ADR 0013). */
  SUBGRAPH_UNREACHABLE: 'SUBGRAPH_UNREACHABLE',
} as const;
export type RegistryErrorCode = (typeof RegistryErrorCode)[keyof typeof RegistryErrorCode];
