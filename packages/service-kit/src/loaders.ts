import DataLoader from 'dataloader';

/**
 * A per-request DataLoader for rows fetched by key in one statement; results come back in key
 * order with `null` for keys that do not exist.
 */
export function rowLoader<K extends string, R>(fetch: (keys: readonly K[]) => Promise<R[]>, keyOf: (row: R) => K) {
  return new DataLoader<K, R | null>(async (keys) => {
    const rows = await fetch(keys);
    const byKey = new Map(rows.map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** Like rowLoader, for one-to-many: every key gets the (possibly empty) list of its rows. */
export function groupLoader<K extends string, R>(fetch: (keys: readonly K[]) => Promise<R[]>, keyOf: (row: R) => K) {
  return new DataLoader<K, R[]>(async (keys) => {
    const rows = await fetch(keys);
    const groups = new Map<K, R[]>(keys.map((key) => [key, []]));
    for (const row of rows) groups.get(keyOf(row))?.push(row);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/**
 * A loader keyed by (id, argument), for list fields with arguments such as `reviews(first: 5)`:
 * one batch per distinct argument value, so a page of products costs one statement.
 */
export function groupLoaderWithArg<A extends string | number, R>(
  fetch: (ids: readonly string[], arg: A) => Promise<R[]>,
  keyOf: (row: R) => string,
) {
  const byArg = new Map<A, DataLoader<string, R[]>>();
  return {
    load(id: string, arg: A): Promise<R[]> {
      let loader = byArg.get(arg);
      if (!loader) {
        loader = groupLoader((ids) => fetch(ids, arg), keyOf);
        byArg.set(arg, loader);
      }
      return loader.load(id);
    },
  };
}
