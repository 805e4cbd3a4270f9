/**
 * What the owning subgraph says about each event (`extensions.event`, service-kit's
 * subscriptions.ts): its id, and for ordered events (one order's statuses) a key and a
 * sequence that only grows.
 */
export interface EventIdentity {
  id: string;
  key?: string;
  sequence?: number;
}

export function eventIdentity(extensions: unknown): EventIdentity | undefined {
  const event = (extensions as { event?: Partial<EventIdentity> } | undefined)?.event;
  if (!event || typeof event.id !== 'string') return undefined;
  return {
    id: event.id,
    ...(typeof event.key === 'string' ? { key: event.key } : {}),
    ...(typeof event.sequence === 'number' && Number.isFinite(event.sequence) ? { sequence: event.sequence } : {}),
  };
}

export type Admission = 'deliver' | 'duplicate' | 'stale';

/**
 * One subscriber's memory of what it was sent. Upstream delivery is at least once (the outbox
 * relays again after a crash; two subgraph replicas may both relay): a repeated id is a
 * duplicate, and an event whose sequence is not above the last one delivered for its key is
 * stale (an order's status never goes backwards). Both memories are bounded.
 */
export class EventFilter {
  private readonly seen = new Set<string>();
  private readonly sequences = new Map<string, number>();

  constructor(private readonly maxIds = 1_024, private readonly maxKeys = 256) {}

  admit(event: EventIdentity | undefined): Admission {
    if (!event) return 'deliver';
    if (this.seen.has(event.id)) return 'duplicate';
    if (event.key !== undefined && event.sequence !== undefined) {
      const last = this.sequences.get(event.key);
      if (last !== undefined && event.sequence <= last) return 'stale';
      this.sequences.delete(event.key); // re-inserted last: the map's order is recency
      this.sequences.set(event.key, event.sequence);
      if (this.sequences.size > this.maxKeys) this.sequences.delete(this.sequences.keys().next().value!);
    }
    this.seen.add(event.id);
    if (this.seen.size > this.maxIds) this.seen.delete(this.seen.values().next().value!);
    return 'deliver';
  }
}
