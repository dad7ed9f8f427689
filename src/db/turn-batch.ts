// Loads that one request's resolvers ask in the same turn, gathered into one statement. The first ask
// opens a batch; the batch is loaded once the turn's resolvers (and the promise jobs they queued) have
// run, and a later ask opens the next one. Batches are kept per request (the context) and per key
// (what the statement selects), so two selections are two statements and two requests never share one.

/** A batch being gathered: the ids asked so far and what else the asks carry (`extra`). */
export interface TurnBatch<E> {
  ids: Set<number>;
  extra: E;
}

interface Open {
  batch: TurnBatch<unknown>;
  result: Promise<unknown>;
}

const open = new WeakMap<object, Map<string, Open>>();

/**
 * The open batch of `owner` under `key` (opened with `extra()` when there is none) and the promise of
 * its load: add the ask to the batch, then await the result.
 */
export function joinTurnBatch<E, R>(
  owner: object,
  key: string,
  extra: () => E,
  load: (batch: TurnBatch<E>) => Promise<R>,
): { batch: TurnBatch<E>; result: Promise<R> } {
  let perOwner = open.get(owner);
  if (!perOwner) open.set(owner, (perOwner = new Map()));
  const current = perOwner.get(key);
  if (current) return current as { batch: TurnBatch<E>; result: Promise<R> };
  const batch: TurnBatch<E> = { ids: new Set(), extra: extra() };
  const entry: Open = {
    batch,
    result: new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      if (perOwner.get(key) === entry) perOwner.delete(key);
      return load(batch);
    }),
  };
  perOwner.set(key, entry);
  return entry as { batch: TurnBatch<E>; result: Promise<R> };
}
