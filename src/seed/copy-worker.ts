// The generator side of a COPY load (copy.ts): generates a corpus and encodes it chunk by chunk in
// this worker thread, posting each chunk (its buffers transferred, not copied) to the loading thread,
// which only streams them to PostgreSQL. At most as many chunks ahead as the loader has granted
// (a number posted to this worker), so memory stays bounded whatever the corpus size.
import { parentPort, workerData } from 'node:worker_threads';
import { type CorpusSpec, corpusArticles } from './corpus.ts';
import { encodedChunks } from './copy-encode.ts';

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

for (const encoded of encodedChunks(
  corpusArticles(input.corpus),
  input.chunk,
  input.firstArticleId,
  input.firstMediaId,
)) {
  while (granted === 0) await new Promise<void>((resolve) => (wake = resolve));
  granted--;
  port.postMessage(
    encoded,
    encoded.tables.map(([, bytes]) => bytes.buffer as ArrayBuffer),
  );
}
port.postMessage(null);
port.close();
