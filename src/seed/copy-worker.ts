// The generator side of a COPY load (copy.ts): generates a corpus and encodes it chunk by chunk in
// this worker thread, posting each chunk (its buffers transferred, not copied) to the loading thread,
// which only streams them to PostgreSQL. At most as many chunks ahead as the loader has granted
// (a number posted to this worker), so memory stays bounded whatever the corpus size.
import { parentPort, workerData } from 'node:worker_threads';
import { type CorpusSpec, corpusArticles } from './corpus.ts';
import { encodeChunk } from './copy-encode.ts';
import type { NewArticle } from './insert.ts';

export interface WorkerInput {
  corpus: CorpusSpec;
  chunk: number;
  firstArticleId: number;
  firstMediaId: number;
}

const port = parentPort!;
const input = workerData as WorkerInput;
let granted = 0;
let wake: (() => void) | undefined;
port.on('message', (n: number) => {
  granted += n;
  wake?.();
});

let nextArticleId = input.firstArticleId;
let nextMediaId = input.firstMediaId;
let batch: NewArticle[] = [];
async function send() {
  const encoded = encodeChunk(batch, nextArticleId, nextMediaId);
  ({ nextArticleId, nextMediaId } = encoded);
  batch = [];
  while (granted === 0) await new Promise<void>((resolve) => (wake = resolve));
  granted--;
  port.postMessage(
    encoded,
    encoded.tables.map(([, bytes]) => bytes.buffer as ArrayBuffer),
  );
}

for (const article of corpusArticles(input.corpus)) {
  batch.push(article);
  if (batch.length === input.chunk) await send();
}
if (batch.length) await send();
port.postMessage(null);
port.close();
