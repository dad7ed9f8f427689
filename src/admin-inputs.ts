// Validation shared by the admin mutations of sections, reporters and tags.
import { fieldError, isUniqueViolation } from './errors.ts';
import { slugify } from './articles/slug.ts';

export function requiredText(field: string, value: string, max: number): string {
  const text = value.normalize('NFC').trim();
  if (!text) throw fieldError(field, 'must not be empty');
  if (Array.from(text).length > max) throw fieldError(field, `must be at most ${max} characters`);
  return text;
}

export function optionalText(field: string, value: string | null | undefined, max: number): string | null | undefined {
  if (value == null) return value;
  const text = value.normalize('NFC').trim();
  if (Array.from(text).length > max) throw fieldError(field, `must be at most ${max} characters`);
  return text || null;
}

/** A URL-safe slug: lower-case letters (Korean kept), digits and hyphens. */
export function slugInput(field: string, value: string): string {
  const slug = slugify(requiredText(field, value, 80), 80);
  if (slug !== value.trim().toLowerCase()) throw fieldError(field, `use lower-case letters, digits and hyphens, e.g. "${slug}"`);
  return slug;
}

/** Maps a unique-constraint violation on `slug` to a field error. */
export async function uniqueSlug<T>(field: string, slug: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw fieldError(field, `"${slug}" is already taken`);
    throw error;
  }
}
