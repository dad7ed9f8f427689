// schema/schema.graphql is the printed SDL; regenerate it with `npm run schema`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from '../src/print-schema.ts';

describe('printed schema', () => {
  it('matches schema/schema.graphql (run `npm run schema` after changing types)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printedSchema());
  });
});
