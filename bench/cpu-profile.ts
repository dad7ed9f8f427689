// Summarises a V8 .cpuprofile (node --cpu-prof) by where the time went: idle, GC, the Prisma query
// compiler (WASM), Prisma's JS, the pg driver, GraphQL/Yoga/Pothos, node's HTTP and socket internals,
// this app's own code. Used by bench:read with BENCH_PROFILE=DIR.
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const GROUPS: [string, RegExp][] = [
  ['Prisma query compiler (WASM)', /^wasm:/],
  ['@prisma/client (JS)', /node_modules\/@prisma\/client|generated\/prisma/],
  ['@prisma/adapter-pg', /node_modules\/@prisma\/adapter-pg|node_modules\/@prisma\/driver-adapter-utils/],
  ['pg driver', /node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-[a-z]+)\//],
  ['graphql-js execution/validation', /node_modules\/graphql\//],
  ['Yoga / envelop / whatwg-node', /node_modules\/(graphql-yoga|@graphql-yoga|@envelop|@whatwg-node|@graphql-tools)\//],
  ['Pothos', /node_modules\/@pothos\//],
  ['other node_modules', /node_modules\//],
  ['node: http / net / streams', /^node:(_http|http|net|internal\/(http|streams|stream_base|net|js_stream)|stream)/],
  ['node: other internals', /^node:/],
  ['this app (src/)', /\/src\//],
];

export function summariseProfile(profile: Profile, top = 12): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const { url, functionName } = node.callFrame;
    const group = url
      ? (GROUPS.find(([, re]) => re.test(url))?.[0] ?? 'other')
      : functionName.startsWith('(')
        ? functionName
        : `native: ${functionName || '(anonymous)'}`;
    groups.set(group, (groups.get(group) ?? 0) + dt);
    const fn = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/')}`;
    functions.set(fn, (functions.get(fn) ?? 0) + dt);
  });
  const idle = groups.get('(idle)') ?? 0;
  const busy = total - idle;
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .filter(([k]) => k !== '(idle)' && !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `| ${k} | ${((100 * v) / busy).toFixed(1)}% |`);
  return [
    `Busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s sampled; shares of busy time:`,
    '',
    '| where | share |',
    '|---|---|',
    ...rows(groups, 20),
    '',
    '| top functions (self time) | share |',
    '|---|---|',
    ...rows(functions, top),
  ].join('\n');
}
