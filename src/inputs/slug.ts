// Slugs given by editors for sections, reporters and tags (articles derive theirs: src/articles/editing.ts).
import { fieldError, isUniqueViolation } from '../errors.ts';
import { slugify } from '../articles/slug.ts';
import { LIMITS } from './limits.ts';
import { requiredText } from './text.ts';

/** A URL-safe slug as given: lower-case letters (Korean kept), digits and hyphens. */
export function slugInput(field: string, value: string): string {
  const slug = slugify(requiredText(field, value, { max: LIMITS.slug }), LIMITS.slug);
  if (slug !== value.trim().toLowerCase())
    throw fieldError(field, `use lower-case letters, digits and hyphens, e.g. "${slug}"`);
  return slug;
}

/** A section's, tag's or reporter's slug and display name as given; each undefined when absent (an update). */
export function slugAndName(input: { slug?: string | null; name?: string | null }): {
  slug: string | undefined;
  name: string | undefined;
} {
  return {
    slug: input.slug != null ? slugInput('slug', input.slug) : undefined,
    name: input.name != null ? requiredText('name', input.name, { max: LIMITS.name }) : undefined,
  };
}

/** The slug and display name of a new section or tag: both required. */
export function requiredSlugAndName(input: { slug?: string | null; name?: string | null }): {
  slug: string;
  name: string;
} {
  if (input.slug == null) throw fieldError('slug', 'is required');
  if (input.name == null) throw fieldError('name', 'is required');
  return { slug: slugInput('slug', input.slug), name: requiredText('name', input.name, { max: LIMITS.name }) };
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
