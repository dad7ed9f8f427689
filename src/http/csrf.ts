// Cross-site request forgery: a web page on another site can make its visitors' browsers POST a form
// (urlencoded, multipart) or a text/plain body to us without a CORS preflight. Yoga's CSRF prevention
// refuses those (403) unless they carry a header only a preflighted request may have; JSON bodies
// (`application/json`) are preflighted by browsers and pass as they are. Uploads (multipart) therefore
// send `X-GraphQL-Yoga-CSRF: 1` (Apollo's upload link sends `Apollo-Require-Preflight: true`, also
// accepted). GET is left alone: it never runs a mutation (Yoga answers 405), and EventSource (SSE)
// and plain links cannot add headers.
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';

export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'graphql-require-preflight', 'apollo-require-preflight'];

export function useCsrfPrevention(): Plugin {
  const csrf = useCSRFPrevention({ requestHeaders: CSRF_HEADERS });
  return {
    onRequestParse(payload) {
      if (payload.request.method === 'GET') return;
      return csrf.onRequestParse?.(payload);
    },
  };
}
