// Slugs given by editors for sections, reporters and tags (articles derive theirs: src/articles/editing.ts).
import { fieldError, isUniqueViolation } from '../errors.ts';
import { slugify } from '../articles/slug.ts';
import { LIMITS } from './limits.ts';
import { requiredText } from './text.ts';

/** A URL-safe slug as given: lower-case letters (Korean kept), digits and hyphens. */
export function slugInput(field: string, value: string): string {
  const slug = slugify(requiredText(field, value, { max: LIMITS.slug }), LIMITS.slug);
  if (slug !== value.trim().toLowerCase()) throw fieldError(field, `use lower-case letters, digits and hyphens, e.g. "${slug}"`);
  return slug;
}

/** Runs `write`, reporting a unique violation on the slug column as a field error. */
export async function withUniqueSlug<T>(field: string, slug: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, 'slug')) throw fieldError(field, `"${slug}" is already taken`);
    throw error;
  }
}
