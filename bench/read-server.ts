// This API under test for `npm run bench:read`: the real app, configured from the environment.
// Reports its port over IPC; stops on SIGTERM (so that --cpu-prof writes its profile). Answers
// `{ gcSince: epochMs }` with its garbage-collection pauses since then (`{ gc: [[startEpochMs, ms], …] }`),
// so the bench can tell which slow requests a pause fell into.
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/platform/logger.ts';

const pauses: [number, number][] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) pauses.push([performance.timeOrigin + entry.startTime, entry.duration]);
  if (pauses.length > 20_000) pauses.splice(0, 10_000);
}).observe({ entryTypes: ['gc'] });

const app = await buildApp(loadConfig(), { logger: silentLogger });
const port = await app.start(0, '127.0.0.1');
process.on('SIGTERM', async () => {
  await app.stop();
  process.exit(0);
});
process.on('message', (m: { gcSince?: number }) => {
  if (m?.gcSince != null) process.send?.({ gc: pauses.filter(([start, ms]) => start + ms >= m.gcSince!) });
});
process.send?.({ ready: port });
