// Who reads where: an anonymous query runs on a read replica (round-robin, src/db/replicas.ts); the
// context is built on the primary and switched only here, just before execution, once the operation
// is known. Everything else keeps the primary: mutations (which read back what they wrote, also
// anonymous ones like likeArticle), any request with a newsroom token (drafts, previews, an editor
// checking the publish they just made), subscriptions (events name rows just written; the live hub
// loads them from the primary too). The replica is chosen once per request, so one answer never mixes
// two replicas' states.
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { ReadReplicas } from './replicas.ts';

interface RoutedContext {
  prisma: PrismaClient;
  viewer: unknown;
}

export function useReadReplicas(replicas: ReadReplicas<PrismaClient>): Plugin<RoutedContext> {
  if (replicas.size === 0) return {};
  return {
    onExecute({ args, extendContext }) {
      const context = args.contextValue;
      if (context.viewer != null) return;
      if (getOperationAST(args.document, args.operationName)?.operation !== 'query') return;
      extendContext({ prisma: replicas.reader() });
    },
  };
}
