// 속보 in a Node process over graphql-ws (the `graphql-transport-ws` protocol): prints each breaking
// article as it is published. When the connection drops (server restart, network), it reconnects with
// backoff and resumes from the last event's cursor, so what was published while it was away arrives
// first (marked "replayed"), then the stream goes live again.
//
//   npx tsx examples/breaking-news.ts                      # against `npm start` on localhost:4000
//   NEWS_API=http://host:4000/graphql npx tsx examples/breaking-news.ts --count 5 --section politics
import { parseArgs } from 'node:util';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  BreakingNewsDocument,
  type BreakingNewsSubscription,
  type BreakingNewsSubscriptionVariables,
} from './generated/graphql.ts';

const { values } = parseArgs({
  options: { count: { type: 'string' }, section: { type: 'string' }, after: { type: 'string' } },
});
const url = (process.env.NEWS_API ?? 'http://localhost:4000/graphql').replace(/^http/, 'ws');
const limit = values.count ? Number(values.count) : Infinity;
const query = print(BreakingNewsDocument);
let cursor = values.after ?? null;
let received = 0;

/** One connection: resolves when the wanted number of events arrived, rejects when the connection drops. */
function follow(): Promise<void> {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    on: { connected: () => console.error(`connected to ${url}${cursor ? ' (resuming)' : ''}`) },
  });
  const variables: BreakingNewsSubscriptionVariables = { after: cursor, section: values.section ?? null };
  return new Promise<void>((resolve, reject) => {
    client.subscribe<BreakingNewsSubscription>(
      { query, variables },
      {
        next: ({ data, errors }) => {
          if (errors?.length) return reject(new Error(errors.map((e) => e.message).join('; ')));
          const event = data!.breakingNews;
          cursor = event.cursor;
          if (event.gap) console.log('… more was published while disconnected than can be replayed: reload the list');
          const a = event.article;
          if (a)
            console.log(
              `[속보${event.replayed ? ', replayed' : ''}] ${a.headline} (${a.section.name}, ${a.publishedAt}) ${a.url}`,
            );
          if (++received >= limit) resolve();
        },
        error: (error) =>
          reject(
            error instanceof Error
              ? error
              : new Error(`connection closed (${(error as { code?: number }).code ?? 'no code'})`),
          ),
        complete: () => reject(new Error('the server ended the subscription')),
      },
    );
  }).finally(() => client.dispose());
}

for (let attempt = 0; received < limit; attempt++) {
  const before = received;
  try {
    await follow();
  } catch (error) {
    if (received > before) attempt = 0; // it was working: start the backoff over
    const delay = Math.min(500 * 2 ** attempt, 10_000);
    console.error(`disconnected: ${(error as Error).message}; reconnecting in ${delay} ms`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
