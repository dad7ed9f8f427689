// Known bots, crawlers, link previewers, monitors and headless browsers, by user agent. Their views
// are not counted. A missing user agent is treated as a bot too: every browser sends one.

const BOT_PATTERN = new RegExp(
  [
    'bot\\b', 'bot/', 'crawl', 'spider', 'slurp', 'mediapartners', 'adsbot', 'facebookexternalhit', 'facebookcatalog',
    'meta-externalagent', 'embedly', 'quora link preview', 'outbrain', 'pinterest', 'vkshare', 'w3c_validator',
    'whatsapp', 'telegrambot', 'kakaotalk-scrap', 'daumoa', 'yeti', 'naverbot', 'headlesschrome', 'phantomjs',
    'lighthouse', 'pagespeed', 'pingdom', 'uptimerobot', 'statuscake', 'site24x7', 'datadog', 'newrelicpinger',
    'python-requests', 'python-urllib', 'aiohttp', 'httpx', 'go-http-client', 'okhttp', 'java/', 'apache-httpclient',
    'libwww-perl', 'curl/', 'wget/', 'httpie', 'axios/', 'node-fetch', 'undici', 'scrapy', 'feedfetcher', 'rss',
    'archive.org_bot', 'ia_archiver', 'gptbot', 'chatgpt-user', 'claudebot', 'anthropic-ai', 'ccbot', 'bytespider',
    'petalbot', 'semrush', 'ahrefs', 'mj12bot', 'dotbot', 'yandex', 'baiduspider', 'applebot', 'bingpreview',
    'preview', 'monitor', 'checker', 'validator', 'fetcher', 'scanner',
  ]
    .map((s) => s.replace(/[.*+?^${}()|[\]]/g, (c) => (c === '\\' ? c : `\\${c}`)))
    .join('|'),
  'i',
);

export function isBot(userAgent: string | null | undefined): boolean {
  if (!userAgent || userAgent.length < 8) return true;
  return BOT_PATTERN.test(userAgent);
}
