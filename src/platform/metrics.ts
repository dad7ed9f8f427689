// Prometheus metrics: one registry per app (tests run several apps in one process), Node's default
// process metrics (event-loop lag, heap, GC, handles), and one-line helpers so a module adds a metric
// with a single call, e.g.
//   const hits = metrics.counter('cache_hits_total', 'Response cache hits', ['layer']);
//   metrics.gauge('cache_purge_queue', 'Purges waiting for delivery', () => outbox.depth());
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** A gauge; with `collect`, its value is read when /metrics is scraped (a number, or one per label set; may be awaited). */
  gauge<L extends string = never>(
    name: string,
    help: string,
    collect?: () => number | Promise<number> | Iterable<[Partial<Record<L, string>>, number]>,
    labelNames: readonly L[] = [],
  ): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect
        ? {
            async collect(this: Gauge<L>) {
              const value = await collect();
              if (typeof value === 'number') this.set(value);
              else for (const [labels, v] of value) this.set(labels as never, v);
            },
          }
        : {}),
    });
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: readonly L[] = [],
  ): Histogram<L> {
    return new Histogram({ name, help, buckets, labelNames, registers: [this.registry] });
  }
}

/** Latency buckets in seconds, from a cached read to a slow search. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
