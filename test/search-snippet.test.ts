// Unit: search highlights and snippets (src/search/snippet.ts): escaped HTML, matches in <mark>.
import { describe, expect, it } from 'vitest';
import { highlight, snippet } from '../src/search/snippet.ts';

describe('highlight', () => {
  it('marks every occurrence, case-insensitively, and escapes everything else', () => {
    expect(highlight('서울시장과 베이징시장, 서울에서', ['서울'])).toBe(
      '<mark>서울</mark>시장과 베이징시장, <mark>서울</mark>에서',
    );
    expect(highlight('Yin Yong met YIN', ['yin'])).toBe('<mark>Yin</mark> Yong met <mark>YIN</mark>');
    expect(highlight('<b>"Tom" & \'Jerry\'</b>', ['tom'])).toBe(
      '&lt;b&gt;&quot;<mark>Tom</mark>&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;',
    );
    expect(highlight('<script>', [])).toBe('&lt;script&gt;');
  });

  it('prefers the longest term where terms overlap, and treats regex metacharacters as text', () => {
    expect(highlight('베이징시장 회담', ['베이징', '베이징시장'])).toBe('<mark>베이징시장</mark> 회담');
    expect(highlight('a+b (c) [d] a.b', ['a+b', '(c)', '[d]', '.'])).toBe(
      '<mark>a+b</mark> <mark>(c)</mark> <mark>[d]</mark> a<mark>.</mark>b',
    );
    expect(highlight('<mark>', ['<mark>'])).toBe('<mark>&lt;mark&gt;</mark>');
  });
});

describe('snippet', () => {
  const long = `${'앞 문장입니다. '.repeat(30)}서울시장과 베이징시장이 만났다. ${'뒷 문장입니다. '.repeat(30)}`;

  it('takes the first text holding a term, around the match, with ellipses where it was cut', () => {
    const s = snippet(['제목에는 없음', long], ['베이징'], 60);
    expect(s.startsWith('…')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
    expect(s).toContain('<mark>베이징</mark>시장이 만났다.');
    expect(s.replace(/<\/?mark>|…/g, '').length).toBeLessThanOrEqual(60);
  });

  it('starts at a word boundary when one is near, and keeps short texts whole', () => {
    expect(snippet(['짧은 본문의 서울 이야기'], ['서울'])).toBe('짧은 본문의 <mark>서울</mark> 이야기');
    // Cut in the middle of the text: it starts right after a space of the original, not mid-word.
    const start = snippet([long], ['서울시장'], 60)
      .replace(/<\/?mark>/g, '')
      .slice(1, 12);
    expect(start.startsWith(' ')).toBe(false);
    expect(long).toContain(` ${start}`);
  });

  it('falls back to the first non-blank text when nothing matches, and collapses whitespace', () => {
    expect(snippet(['   ', '첫\n\n줄   둘째\u00a0줄'], ['없는말'])).toBe('첫 줄 둘째 줄');
    expect(snippet([], ['서울'])).toBe('');
    expect(snippet(['<img onerror=x>'], [])).toBe('&lt;img onerror=x&gt;');
  });
});
