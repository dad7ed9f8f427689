// Starts copy-worker.ts in a worker thread when the seed runs from TypeScript sources (tsx, vitest):
// a worker thread does not inherit tsx's loader, so it registers its own.
import { register } from 'tsx/esm/api';

register();
await import('./copy-worker.ts');
