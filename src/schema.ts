// Imports every type module and builds the executable schema.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './scalars.ts';
import './relay/node.ts';
import './media/media.ts';
import './sections/section.ts';
import './tags/tag.ts';
import './reporters/reporter.ts';
import './articles/article.ts';
import './articles/connection.ts';
import './search/search.ts';
import './articles/revisions.ts';
import './articles/mutations.ts';
import './auth/api-token.ts';
import './media/upload.ts';
import './readers/actions.ts';
import './live/subscriptions.ts';
import './rankings/most-viewed.ts';
import './views/view-fields.ts';

builder.queryType({ description: 'Reads: everything a news page, an app or a newsroom dashboard shows.' });
builder.mutationType({ description: "Writes: the newsroom (API tokens) and readers' actions." });
builder.subscriptionType({
  description: 'Live news, over WebSocket (graphql-transport-ws) or server-sent events, on /graphql.',
});

export const schema = builder.toSchema();
/** The schema as printed to schema/schema.graphql (sorted, so diffs stay readable). */
export const sortedSchema = lexicographicSortSchema(schema);
