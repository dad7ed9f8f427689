// Every length and count limit on client input, in one table (characters are Unicode code points).
export const LIMITS = {
  // Articles.
  headline: 200,
  deckLines: 5,
  deckLine: 300,
  blocks: 500,
  blockText: 20_000,
  caption: 1_000,
  credit: 200,
  attribution: 200,
  reporters: 10,
  tags: 20,
  articleSlug: 120,
  // Sections, reporters, tags.
  slug: 80,
  name: 50,
  reporterTitle: 30,
  email: 200,
  photoUrl: 500,
  bio: 2_000,
  // Media.
  alt: 500,
  // Readers' e-mail of an article.
  senderName: 50,
  message: 1_000,
} as const;
