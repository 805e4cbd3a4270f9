import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';

/**
 * Representations deduplicated within one entity fetch (ADR 0019). @apollo/gateway sends one
 * representation per occurrence of an entity in the result so far: a catalog page of 100 products
 * in 8 categories asks for each category 100 times, and reviews' authors repeat the same way. The
 * subgraph gets each distinct representation once; the answer is expanded back to one entity per
 * occurrence, in the order the gateway sent them, errors included.
 */
export interface DedupedRepresentations {
  unique: unknown[];
  /** For each representation the gateway sent, the index of its copy in `unique`. */
  uniqueIndex: number[];
}

export function dedupeRepresentations(representations: readonly unknown[]): DedupedRepresentations {
  const positionOf = new Map<string, number>();
  const unique: unknown[] = [];
  const uniqueIndex: number[] = [];
  for (const representation of representations) {
    const key = JSON.stringify(representation);
    let position = positionOf.get(key);
    if (position === undefined) {
      position = unique.length;
      positionOf.set(key, position);
      unique.push(representation);
    }
    uniqueIndex.push(position);
  }
  return { unique, uniqueIndex };
}

/**
 * The subgraph's answer to the unique representations, as the answer to every one the gateway
 * sent: `_entities[i]` is the entity of `uniqueIndex[i]`, and an error at `_entities.j` is
 * repeated at each occurrence of j. Occurrences of one entity share its object: they are the same
 * entity asked for the same fields in the same fetch, and the gateway merges later fetches into
 * them with identical data.
 */
export function expandEntities(response: GatewayGraphQLResponse, uniqueIndex: readonly number[]): GatewayGraphQLResponse {
  const entities = response.data?._entities;
  const expanded: GatewayGraphQLResponse = { ...response };
  if (Array.isArray(entities)) expanded.data = { ...response.data, _entities: uniqueIndex.map((position) => entities[position] ?? null) };
  if (response.errors?.length) {
    const occurrences = new Map<number, number[]>();
    uniqueIndex.forEach((position, index) => {
      const list = occurrences.get(position);
      if (list) list.push(index);
      else occurrences.set(position, [index]);
    });
    expanded.errors = response.errors.flatMap((error) => {
      const path = error.path;
      if (!path || path[0] !== '_entities' || typeof path[1] !== 'number') return [error];
      return (occurrences.get(path[1]) ?? []).map((index) => ({ ...error, path: ['_entities', index, ...path.slice(2)] }));
    });
  }
  return expanded;
}
