// `npm run schema`: prints the SDL to schema/schema.graphql (a test fails when it drifts).
import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { sortedSchema } from './schema.ts';

export const SCHEMA_FILE = new URL('../schema/schema.graphql', import.meta.url);
export const printedSchema = () => `${printSchema(sortedSchema)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(SCHEMA_FILE, printedSchema());
  console.log(`wrote ${SCHEMA_FILE.pathname}`);
}
