// Trusted documents / persisted operations. The manifest (hash → document) is compiled by codegen.ts
// from the operations in examples/ and committed (examples/generated/persisted-documents.json).
// A client names a document by its SHA-256 instead of sending it:
//   GET /graphql?extensions={"persistedQuery":{"version":1,"sha256Hash":"<hex>"}}&variables=…  (Apollo/urql APQ)
//   GET /graphql?documentId=sha256:<hex>&variables=…                                              (document id)
// PERSISTED_OPERATIONS: `off` ignores ids (a hash alone is PERSISTED_QUERY_NOT_SUPPORTED), `allow`
// (default) runs manifest ids and any document, `require` runs manifest ids only.
// Apollo clients that get PERSISTED_QUERY_NOT_FOUND send the document along and are served in
// `allow` mode; the hash they send with it must be the document's, or it is refused.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';

export const MANIFEST_FILE = new URL('../../examples/generated/persisted-documents.json', import.meta.url);

export type PersistedMode = 'off' | 'allow' | 'require';

/** The committed manifest, keyed by bare hex hash. */
export function loadManifest(file: URL = MANIFEST_FILE): Map<string, string> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return new Map(Object.entries(json).map(([id, document]) => [id.replace(/^sha256:/, ''), document]));
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

const HASH = /^[0-9a-f]{64}$/;

function requestError(code: string, message: string) {
  return createGraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

/** The id a request names: `undefined` when it names none; throws when it is malformed. */
function requestedId(params: GraphQLParams, request: Request): string | undefined {
  const persisted = (params.extensions as Record<string, unknown> | undefined)?.persistedQuery;
  if (persisted != null) {
    const { version, sha256Hash } = (typeof persisted === 'object' ? persisted : {}) as {
      version?: unknown;
      sha256Hash?: unknown;
    };
    if (version !== 1) throw requestError('PERSISTED_QUERY_INVALID', 'extensions.persistedQuery.version must be 1');
    if (typeof sha256Hash !== 'string' || !HASH.test(sha256Hash)) {
      throw requestError(
        'PERSISTED_QUERY_INVALID',
        'extensions.persistedQuery.sha256Hash must be 64 lowercase hex digits (SHA-256)',
      );
    }
    return sha256Hash;
  }
  if (request.method !== 'GET') return undefined;
  const documentId = new URL(request.url).searchParams.get('documentId');
  if (documentId == null) return undefined;
  const hex = documentId.replace(/^sha256:/, '');
  if (!HASH.test(hex))
    throw requestError('PERSISTED_QUERY_INVALID', 'documentId must be "sha256:" followed by 64 lowercase hex digits');
  return hex;
}

export function usePersistedDocuments(mode: PersistedMode, manifest: Map<string, string> = loadManifest()): Plugin {
  const ids = new WeakMap<Request, string>();
  const checks: Plugin = {
    // A GET's `extensions` and `variables` are JSON in the URL: malformed JSON is the client's error.
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (request.method !== 'GET' || !requestParser) return;
      setRequestParser(async (req) => {
        try {
          return await requestParser(req);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw requestError(
            'BAD_REQUEST',
            `The extensions or variables parameter is not valid JSON: ${error.message.slice(0, 100)}`,
          );
        }
      });
    },
    onParams({ params, request, setParams }) {
      const id = requestedId(params, request);
      if (id === undefined) return;
      if (params.query != null) {
        if (sha256Hex(params.query) !== id)
          throw requestError(
            'PERSISTED_QUERY_HASH_MISMATCH',
            'The persisted-query hash is not the SHA-256 of the document sent with it',
          );
        // A manifest document sent with its hash runs as the persisted one (also in `require` mode).
        if (mode !== 'off' && manifest.has(id)) {
          ids.set(request, id);
          setParams({ ...params, query: undefined });
        }
        return;
      }
      if (mode === 'off') throw requestError('PERSISTED_QUERY_NOT_SUPPORTED', 'PersistedQueryNotSupported');
      ids.set(request, id);
    },
  };
  if (mode === 'off') return checks;
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(checks);
      addPlugin(
        usePersistedOperations({
          getPersistedOperation: (id) => manifest.get(id) ?? null,
          extractPersistedOperationId: (_params, request) => ids.get(request) ?? null,
          allowArbitraryOperations: mode === 'allow',
          customErrors: {
            // The message is what Apollo clients look for before they retry with the document.
            notFound: {
              message: 'PersistedQueryNotFound',
              extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
            },
            persistedQueryOnly: {
              message: 'Only persisted operations are accepted here (PERSISTED_OPERATIONS=require): send a manifest id',
              extensions: { code: 'PERSISTED_QUERY_REQUIRED', http: { status: 400 } },
            },
            keyNotFound: {
              message: 'Send a query, or a persisted operation id',
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            },
          },
        }),
      );
    },
  };
}
