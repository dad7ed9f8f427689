// Slugs keep Korean readable: "서울시장-베이징시장-6년-만에-회담".
export function slugify(text: string, maxLength = 80): string {
  const slug = text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return Array.from(slug).slice(0, maxLength).join('').replace(/-+$/, '') || 'article';
}

/** An article's page on the site: where links, feeds and e-mails point. */
export function articleUrl(siteUrl: string, slug: string): string {
  return `${siteUrl}/articles/${encodeURIComponent(slug)}`;
}
