// What a client did wrong is its business, not a stack trace in our log: every answer carrying
// client errors (BAD_USER_INPUT, rate limits, refused requests …) is logged as one warn line with the
// codes, reasons, paths and messages cut short. Unexpected errors are not touched here: Yoga logs
// them with their stack when it masks them (the client sees only "Unexpected error."). A database
// outage (SERVICE_UNAVAILABLE) is not the client's doing: one warn line with the driver's reason.
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { unavailableReason } from '../db/unavailable.ts';
import type { Logger } from '../platform/logger.ts';

const oneLine = (text: string, max: number) => text.replace(/\s+/g, ' ').slice(0, max);

export function useClientErrorLog(log: Logger): Plugin {
  return {
    onResultProcess({ request, result }) {
      for (const r of Array.isArray(result) ? result : [result]) {
        const errors = (r as { errors?: readonly GraphQLError[] } | null)?.errors;
        if (!errors?.length) continue;
        const outage = errors.find((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE');
        if (outage) {
          log.warn(
            { code: 'SERVICE_UNAVAILABLE', reason: unavailableReason(outage.originalError) ?? 'unknown' },
            'database unavailable: request answered 503',
          );
        }
        const client = errors.filter(
          (e) =>
            e.extensions?.code !== 'INTERNAL_SERVER_ERROR' &&
            e.extensions?.code !== 'SERVICE_UNAVAILABLE' &&
            e.extensions?.unexpected !== true,
        );
        if (!client.length) continue;
        const described = client.slice(0, 3).map((e) => {
          const { code, reason } = e.extensions ?? {};
          const where = e.path?.length ? ` at ${e.path.join('.')}` : '';
          return `${String(code ?? 'GRAPHQL_ERROR')}${reason ? `/${String(reason)}` : ''}${where}: ${oneLine(e.message, 160)}`;
        });
        const more = client.length > 3 ? ` (+${client.length - 3} more)` : '';
        log.warn(
          `client error ${request.method} ${oneLine(new URL(request.url, 'http://x').pathname, 60)}: ${described.join('; ')}${more}`,
        );
      }
    },
  };
}
