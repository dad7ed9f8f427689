// What Yoga reads before it parses anything: a body size limit, enforced while the body streams in
// (a Content-Length over it is refused at once), and request parameters that are not JSON
// (`?variables={bad`, `extensions=`) answered 400 instead of the 500 Yoga's parser gives them.
// Multipart uploads keep their own streaming limits (MAX_UPLOAD_BYTES, see app.ts).
import { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

function refused(status: 400 | 413, message: string): GraphQLError {
  return createGraphQLError(message, {
    extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', http: { status } },
  });
}

/** The body as text (every non-multipart body Yoga parses is text), refused once it passes `maxBytes`. */
async function readLimited(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw refused(413, `Request body over ${maxBytes} bytes`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw refused(413, `Request body over ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function useRequestBodyLimits(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (!requestParser) return; // no parser for this content type: Yoga answers 415
      const parse = requestParser;
      const multipart = request.headers.get('content-type')?.toLowerCase().startsWith('multipart/form-data');
      setRequestParser(async (req) => {
        let input = req;
        // With a Content-Length within the limit the body cannot pass it (Node's HTTP parser reads
        // exactly that many bytes): Yoga's parser reads it as it is. Otherwise (chunked) it is read
        // here, counting as it streams in.
        const declared = Number(req.headers.get('content-length') ?? Number.NaN);
        if (req.method !== 'GET' && req.method !== 'HEAD' && !multipart && !(declared <= maxBytes)) {
          input = new fetchAPI.Request(req.url, {
            method: req.method,
            headers: req.headers,
            body: await readLimited(req, maxBytes),
          });
        }
        try {
          return await parse(input);
        } catch (error) {
          if (error instanceof GraphQLError && error.extensions?.http) throw error;
          // Yoga's parsers throw plain errors (JSON.parse of GET parameters: a 500) or GraphQL
          // errors without a status (malformed multipart fields: a 200): both are the client's.
          throw refused(400, `Malformed request: ${(error as Error).message.slice(0, 100)}`);
        }
      });
    },
  };
}
