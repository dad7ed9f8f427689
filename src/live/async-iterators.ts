// The one async-iterator wrapper of src/live: shared execution (shared-execution.ts), the pre-built
// `next` frames (frames.ts) and the registry of open subscriptions (open-subscriptions.ts) all wrap
// a subscription's stream with it. `return()` is passed through at once (so a client leaving releases
// its subscription even while a `next()` is pending), and `onEnd` runs exactly once however the
// stream ends: done, return(), throw(), a failed `next()` or a failed `map`.

/** Returned by a `map` to consume a value without yielding it (it was handled on the spot). */
export const SKIP: unique symbol = Symbol('skip');

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * `source` with each value passed through `map` (awaited, in order: the next value is pulled only
 * after the previous one is mapped). Values mapped to SKIP are not yielded.
 */
export function mapStream<T, R>(
  source: AsyncIterable<T>,
  map: (value: T) => R | typeof SKIP | Promise<R | typeof SKIP>,
  onEnd?: () => void,
): AsyncIterableIterator<R> {
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd?.();
  };
  return {
    async next() {
      for (;;) {
        if (ended) return { value: undefined, done: true };
        let step: IteratorResult<T>;
        try {
          step = await iterator.next();
        } catch (error) {
          end();
          throw error;
        }
        if (step.done) {
          end();
          return { value: undefined, done: true };
        }
        let value: R | typeof SKIP;
        try {
          const mapped = map(step.value);
          // No extra turn of the microtask queue for a value mapped on the spot (the frame fast path).
          value = mapped instanceof Promise ? await mapped : mapped;
        } catch (error) {
          // The consumer will not pull again: release the source now.
          end();
          await iterator.return?.();
          throw error;
        }
        if (value !== SKIP) return { value, done: false };
      }
    },
    async return() {
      end();
      await iterator.return?.();
      return { value: undefined, done: true };
    },
    async throw(error) {
      end();
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
