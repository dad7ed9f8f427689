// Per-client rate limits on what anonymous clients can make expensive: the public mutations
// (likeArticle, emailArticle) and search, where a deep page (a large offset) costs more. Checked
// before execution, over HTTP, SSE and WebSocket alike; a refusal is RATE_LIMITED with
// `retryAfterSeconds` (HTTP 429, Retry-After). The client is its API token when it sends one, else
// its address (X-Forwarded-For only with TRUST_PROXY, so a spoofed header cannot spend another
// client's budget). Budgets are shared by every instance through Redis (readers/rate-limit.ts).
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  type GraphQLObjectType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { type RateLimit, type RateLimiter, rateLimited } from '../readers/rate-limit.ts';
import { parseOffsetCursor } from '../relay/connection-args.ts';

export interface OperationRateLimitConfig {
  /** Public mutations per client per minute. */
  mutationsPerMinute: number;
  /** Search points per client per minute: a page costs 1, a page past `deepOffset` costs 5. */
  searchPerMinute: number;
}

const MINUTE = 60_000;
const PUBLIC_MUTATIONS = new Set(['likeArticle', 'emailArticle']);
const DEEP_OFFSET = 1_000;
const DEEP_PAGE_COST = 5;

function rootFields(
  root: GraphQLObjectType,
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
) {
  const out: { name: string; node: import('graphql').FieldNode }[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push({ name: s.name.value, node: s });
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...rootFields(root, s.selectionSet, fragments, seen));
    else if (!seen.has(s.name.value) && fragments.has(s.name.value)) {
      seen.add(s.name.value);
      out.push(...rootFields(root, fragments.get(s.name.value)!.selectionSet, fragments, seen));
    }
  }
  return out;
}

function operationOf(document: DocumentNode, name: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return name ? operations.find((o) => o.name?.value === name) : operations[0];
}

/** The rate limits one operation counts against, for this client. */
export function operationCosts(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  client: string,
  config: OperationRateLimitConfig,
): RateLimit[] {
  const operation = operationOf(document, operationName);
  if (!operation) return [];
  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'query'
        ? schema.getQueryType()
        : null;
  if (!root) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let mutations = 0;
  let search = 0;
  for (const { name, node } of rootFields(root, operation.selectionSet, fragments)) {
    if (operation.operation === 'mutation' && PUBLIC_MUTATIONS.has(name)) mutations++;
    if (operation.operation === 'query' && name === 'search') {
      let offset = 0;
      try {
        const { after } = getArgumentValues(root.getFields().search!, node, variables) as { after?: string | null };
        if (after != null) offset = parseOffsetCursor('after', after);
      } catch {
        // invalid arguments are refused by validation and the operation guard
      }
      search += offset >= DEEP_OFFSET ? DEEP_PAGE_COST : 1;
    }
  }
  const limits: RateLimit[] = [];
  if (mutations)
    limits.push({ name: 'mutation', key: client, limit: config.mutationsPerMinute, windowMs: MINUTE, cost: mutations });
  if (search)
    limits.push({ name: 'search', key: client, limit: config.searchPerMinute, windowMs: MINUTE, cost: search });
  return limits;
}

export function useOperationRateLimits(limiter: RateLimiter, config: OperationRateLimitConfig): Plugin {
  const guard = async ({
    args,
    setResultAndStopExecution,
  }: {
    args: {
      schema: GraphQLSchema;
      document: DocumentNode;
      operationName?: string | null;
      variableValues?: Record<string, unknown> | null;
      contextValue: unknown;
    };
    setResultAndStopExecution: (result: { errors: Error[] }) => void;
  }) => {
    const ctx = args.contextValue as Context;
    const client = ctx.viewer ? `token:${ctx.viewer.tokenId}` : `ip:${ctx.clientIp ?? 'unknown'}`;
    const limits = operationCosts(
      args.schema,
      args.document,
      args.operationName,
      args.variableValues ?? {},
      client,
      config,
    );
    if (limits.length === 0) return;
    const verdict = await limiter.hit(limits);
    if (!verdict.allowed)
      setResultAndStopExecution({
        errors: [
          rateLimited(
            `Too many requests from this client; retry in ${Math.ceil(verdict.retryAfterMs / 1000)} s`,
            verdict.retryAfterMs,
          ),
        ],
      });
  };
  return { onExecute: guard, onSubscribe: guard };
}
