// A push-based async iterator for one subscription. Unlike an async generator it can be ended by
// `return()` while a `next()` is pending (graphql-ws and Yoga call return() when a client leaves),
// and unlike a lazily started Repeater its producer is registered when it is created, so no event
// published after `subscribe` resolves is missed.
import { userError } from '../errors.ts';

export class LiveStream<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private readonly failWaiting: ((error: unknown) => void)[] = [];
  private readonly cleanups: (() => void)[] = [];
  private done = false;
  private error: unknown = null;

  /** @param maxBuffered events held for a consumer that does not keep up; past it the stream fails. */
  constructor(private readonly maxBuffered = 1_000) {}

  /** Runs `cleanup` once when the stream ends for any reason (return, fail, end). */
  onEnd(cleanup: () => void): void {
    if (this.done) cleanup();
    else this.cleanups.push(cleanup);
  }

  push(value: T): void {
    if (this.done) return;
    const resolve = this.waiting.shift();
    if (resolve) {
      this.failWaiting.shift();
      resolve({ value, done: false });
      return;
    }
    if (this.buffer.length >= this.maxBuffered) {
      this.fail(
        userError(
          'RATE_LIMITED',
          `Subscription dropped: more than ${this.maxBuffered} events waiting for a slow consumer`,
        ),
      );
      return;
    }
    this.buffer.push(value);
  }

  /** Ends the stream with an error, delivered after the events already buffered. */
  fail(error: unknown): void {
    if (this.done) return;
    this.error = error;
    this.finish();
    const rejects = this.failWaiting.splice(0);
    this.waiting.splice(0);
    for (const reject of rejects) reject(error);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length) return Promise.resolve({ value: this.buffer.shift()!, done: false });
    if (this.error) {
      const error = this.error;
      this.error = null;
      return Promise.reject(error);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.failWaiting.push(reject);
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.error = null;
    this.finish();
    for (const resolve of this.waiting.splice(0)) resolve({ value: undefined, done: true });
    this.failWaiting.splice(0);
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  get ended(): boolean {
    return this.done;
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch {
        // cleanup must not break the consumer
      }
    }
  }
}
