// Keyed watches looked at on one timer, and only while someone watches: the mechanism behind
// `viewCountChanged` (src/views/watch.ts) and `mostViewedChanged` (src/rankings/watch.ts). Their data
// lives in a shared store, so each instance looks itself (no event transport needed, and changes
// made on any instance are seen). A watch holds its subscribers' sinks and what the last look saw;
// `look` reads every watched key at once and calls `changed` with what it sees now, which emits only
// when that differs from the last look (the first look sets the baseline). That coalesces by
// construction: at most one event per key per interval.
import { LiveStream } from './stream.ts';
import type { Logger } from '../platform/logger.ts';

export interface Watch<K, E> {
  readonly key: K;
  /** What the last look saw (null before the first look). */
  last: string | number | null;
  readonly sinks: Set<(event: E) => void>;
}

export interface PolledWatchesOptions {
  log: Logger;
  /** Named in the log line when a look fails. */
  name: string;
  /** How often the watches are looked at (default 1 s). */
  intervalMs?: number;
  maxBuffered?: number;
}

/** Subclasses define `look`: one look at every watch, calling `changed` for each. */
export abstract class PolledWatches<K, E> {
  private readonly watches = new Map<string, Watch<K, E>>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;

  constructor(private readonly pollOptions: PolledWatchesOptions) {}

  protected abstract look(watches: Watch<K, E>[]): Promise<void>;

  /** A stream of `id`'s changes; the watch ends with its last subscriber. */
  protected watch(id: string, key: K): LiveStream<E> {
    const stream = new LiveStream<E>(this.pollOptions.maxBuffered);
    let watch = this.watches.get(id);
    if (!watch) this.watches.set(id, (watch = { key, last: null, sinks: new Set() }));
    const sink = (e: E) => stream.push(e);
    watch.sinks.add(sink);
    stream.onEnd(() => {
      watch.sinks.delete(sink);
      if (watch.sinks.size === 0 && this.watches.get(id) === watch) this.watches.delete(id);
      if (this.watches.size === 0) this.stop();
    });
    this.ensureTimer();
    return stream;
  }

  /** Keys watched by this instance's subscriptions. */
  get size(): number {
    return this.watches.size;
  }

  /** One look at everything watched (the timer calls it; tests may too). */
  async tick(): Promise<void> {
    if (this.ticking || this.watches.size === 0) return;
    this.ticking = true;
    try {
      await this.look([...this.watches.values()]);
    } catch (error) {
      this.pollOptions.log.warn({ err: error }, `${this.pollOptions.name}: watch failed`);
    } finally {
      this.ticking = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.pollOptions.intervalMs ?? 1_000);
    this.timer.unref();
  }
}

/** Records what a look saw; emits `event()` to the watch's sinks when it differs from the last look. */
export function changed<K, E>(watch: Watch<K, E>, seen: string | number, event: () => E): void {
  const emit = watch.last !== null && watch.last !== seen;
  watch.last = seen;
  if (!emit) return;
  const e = event();
  for (const sink of [...watch.sinks]) sink(e);
}
