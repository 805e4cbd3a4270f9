/**
 * A subscriber's queue of events waiting to be sent: at most `capacity`; when a slow client lets
 * it fill, the oldest event goes (`onDrop`), so memory stays bounded whatever the client does
 * (Apollo Router: queue_capacity 128). `return()` ends it at once, pending `next()` included.
 */
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((step: IteratorResult<T>) => void) | null = null;
  private ended = false;

  constructor(
    private readonly capacity: number,
    private readonly onDrop: () => void = () => {},
    private readonly onEnd: () => void = () => {},
  ) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ done: false, value: item });
      return;
    }
    this.items.push(item);
    if (this.items.length > this.capacity) {
      this.items.shift();
      this.onDrop();
    }
  }

  /** No more events: what is queued is still delivered, then the iterator is done. */
  finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiting && this.items.length === 0) {
      this.waiting({ done: true, value: undefined });
      this.waiting = null;
    }
    this.onEnd();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ done: false, value: this.items.shift()! });
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.finish();
    this.waiting?.({ done: true, value: undefined });
    this.waiting = null;
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
