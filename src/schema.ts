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

builder.queryType({ description: 'Reads: everything a news page, an app or a newsroom dashboard shows.' });

export const schema = builder.toSchema();
/** The schema as printed to schema/schema.graphql (sorted, so diffs stay readable). */
export const sortedSchema = lexicographicSortSchema(schema);
