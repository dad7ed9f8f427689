// Query plans cached per request shape. Prisma's client engine hands every request to its query
// compiler (WASM), which turns it into a query plan (SQL text, parameter list, result shape): under
// load the largest single share of this API's CPU (bench:read profile). Requests of one shape, the same
// query for another id, slug or time, compile to the same plan with other parameter values, so, as
// Prisma 7's query plan cache does, the plan is compiled once per shape and reused with new values.
//
// How a shape's plan is learnt: the data values in filters (`where`, `cursor`: strings, integers,
// DateTimes, also inside `in` lists) and the parameters of raw SQL are swapped for marker values
// unlikely anywhere else (`__plan_slot_0__`, 900000000, a date in 2222) and that request is compiled: where a marker comes out in the plan is where that value
// goes, and in which form (an integer is sent as its decimal string). A plan is a template only if,
// with the request's own values put in those places, it is identical to the plan the compiler makes
// from the request itself; a shape that is not (a value the compiler rewrites, like LIKE's `%…%`, or
// one that changes the SQL) is compiled literally every time. The values stay values: they are bound
// as statement parameters exactly as before. In `verify` mode (the test suite) the first hits of every
// shape are compiled too and any difference is an error, so the tests check the cache as well.
//
// The seam is PrismaClient's `__internal.configOverride`: the client engine loads the compiler class
// through `config.compilerWasm.getRuntime()` and gets this subclass of it.
import { LRUCache } from 'lru-cache';

export type PlanCacheMode = 'on' | 'off' | 'verify';

type Json = unknown;
type Path = (string | number)[];
/** How a request's value appears in the plan: itself, or (an integer) as its decimal string. */
type Form = 'same' | 'string';
interface Template {
  plan: Json;
  slots: { path: Path; slot: number; form: Form }[];
  /** Hits compared with a fresh compile so far (`verify` mode). */
  verified: number;
}
const LITERAL = Symbol('literal');

// Arguments whose values are data; everything else (take, skip, orderBy, distinct, select) is part of
// the shape. Within them, these keys hold query structure, not data.
const DATA_ARGUMENTS = new Set(['where', 'cursor']);
const STRUCTURAL_KEYS = new Set(['mode']);
/** Raw SQL requests: their `parameters` (a JSON array in a string) are data, the SQL text is the shape. */
const RAW_ACTIONS = new Set(['queryRaw', 'executeRaw']);
const ENUM_LIKE = /^[A-Z][A-Z0-9_]*$/;

const MARKER_INT = 900_000_000;
const MARKER_TIME = Date.UTC(2222, 1, 2, 3, 4, 5);
const markerString = (slot: number) => `__plan_slot_${slot}__`;
const markerTime = (slot: number) => new Date(MARKER_TIME + slot * 1000).toISOString();

/**
 * Longer `in` lists make a request uncacheable: one shape per length would mostly be learnt (two
 * compiles) and seldom used (the ranking's visibility check of its candidates, say).
 */
const MAX_LIST = 100;
/** Hits of a shape compared with a fresh compile in `verify` mode; later ones are served as in `on`. */
const VERIFY_HITS = 5;

export interface Shape {
  /** The request with markers for its data values (the cache key, and what is compiled to learn the plan). */
  marked: string;
  /** The data values in slot order, in their request form (a DateTime as its ISO string). */
  values: (string | number)[];
  /** Holds a list longer than MAX_LIST: compiled as it is, not cached. */
  long: boolean;
}

/** The request's shape: its data values in filters swapped for markers. */
export function shapeOf(request: Json): Shape {
  const values: (string | number)[] = [];
  let long = false;
  const data = (value: Json, key: string): Json => {
    if (STRUCTURAL_KEYS.has(key)) return value;
    // An upper-case word may be an enum value (status: 'PUBLISHED'), which a marker is not: kept.
    if (typeof value === 'string') return ENUM_LIKE.test(value) ? value : markerString(values.push(value) - 1);
    if (Number.isSafeInteger(value)) return MARKER_INT + values.push(value as number) - 1;
    // Each value of a list (`in`) is a slot; its length is part of the shape (one parameter each).
    if (Array.isArray(value)) {
      if (value.length > MAX_LIST) long = true;
      return value.map((v) => data(v, key));
    }
    // null, booleans and floats stay in the shape.
    if (typeof value !== 'object' || value === null) return value;
    const tagged = value as { $type?: unknown; value?: unknown; prisma__type?: unknown; prisma__value?: unknown };
    if (tagged.$type === 'DateTime' && typeof tagged.value === 'string')
      return { $type: 'DateTime', value: markerTime(values.push(tagged.value) - 1) };
    // A raw parameter's Date.
    if (tagged.prisma__type === 'date' && typeof tagged.prisma__value === 'string')
      return { prisma__type: 'date', prisma__value: markerTime(values.push(tagged.prisma__value) - 1) };
    // Decimal, Json, Bytes, FieldRef, a raw parameter's bigint or bytes…: part of the shape.
    if (tagged.$type !== undefined || tagged.prisma__type !== undefined) return value;
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) out[k] = data(v, k);
    return out;
  };
  const raw = RAW_ACTIONS.has((request as { action?: string }).action ?? '');
  const argument = (k: string, v: Json): Json => {
    if (DATA_ARGUMENTS.has(k)) return data(v, k);
    // Each raw parameter is a slot; the SQL text, their number and their kinds are the shape.
    if (raw && k === 'parameters' && typeof v === 'string') return JSON.stringify(data(JSON.parse(v), k));
    return v;
  };
  const selection = (node: Json): Json => {
    if (typeof node !== 'object' || node === null) return node;
    const { arguments: args, selection: fields, ...rest } = node as { arguments?: Json; selection?: Json };
    const out: Record<string, Json> = { ...rest };
    if (args !== undefined) {
      const a: Record<string, Json> = {};
      for (const [k, v] of Object.entries(args as object)) a[k] = argument(k, v);
      out.arguments = a;
    }
    if (fields !== undefined) {
      const f: Record<string, Json> = {};
      for (const [k, v] of Object.entries(fields as object)) f[k] = selection(v);
      out.selection = f;
    }
    return out;
  };
  const { query, ...rest } = request as { query?: Json };
  const marked = JSON.stringify({ ...rest, query: selection(query) });
  return { marked, values, long };
}

/** Where the markers of `values` came out in a plan compiled from the marked request. */
function findSlots(plan: Json, values: Shape['values']): Template['slots'] {
  const byLeaf = new Map<Json, { slot: number; form: Form }>();
  values.forEach((value, slot) => {
    if (typeof value === 'number') {
      byLeaf.set(MARKER_INT + slot, { slot, form: 'same' });
      byLeaf.set(String(MARKER_INT + slot), { slot, form: 'string' });
    } else {
      byLeaf.set(markerString(slot), { slot, form: 'same' });
      byLeaf.set(markerTime(slot), { slot, form: 'same' });
    }
  });
  const slots: Template['slots'] = [];
  const walk = (node: Json, path: Path) => {
    const found = byLeaf.get(node);
    if (found) slots.push({ path: [...path], ...found });
    if (typeof node !== 'object' || node === null) return;
    const entries = Array.isArray(node) ? node.entries() : Object.entries(node);
    for (const [k, v] of entries) {
      path.push(k);
      walk(v, path);
      path.pop();
    }
  };
  walk(plan, []);
  return slots;
}

/** The template with these values in its slots: only the containers on the way to a slot are copied. */
function fill(template: Template, values: Shape['values']): Json {
  const root: Record<string | number, Json> = { plan: template.plan };
  const copies = new Set<object>();
  for (const { path, slot, form } of template.slots) {
    let parent = root;
    let key: string | number = 'plan';
    for (const step of path) {
      const child = parent[key] as Record<string | number, Json>;
      let copy = child;
      if (!copies.has(child)) {
        copy = (Array.isArray(child) ? [...child] : { ...child }) as Record<string | number, Json>;
        copies.add(copy);
        parent[key] = copy;
      }
      parent = copy;
      key = step;
    }
    const value = values[slot]!;
    parent[key] = form === 'string' ? String(value) : value;
  }
  return root.plan;
}

interface Compiler {
  compile(request: string): Json;
}
type CompilerClass = new (...args: never[]) => Compiler;

// One cache and one mode per process: Prisma loads the compiler class once per provider, and every
// client of the process gets the class the first one loaded.
const shapes = new LRUCache<string, Template | typeof LITERAL>({ max: 2_000 });
let mode: PlanCacheMode = 'on';

/** Process-wide counts since start: plans served from the cache, compiled and cached, compiled literally. */
export const planCacheStats = {
  hits: 0,
  misses: 0,
  literal: 0,
  /** Request shapes held now. */
  get shapes() {
    return shapes.size;
  },
};
const stats = planCacheStats;

export function cachingCompiler(Base: CompilerClass): CompilerClass {
  return class CachingQueryCompiler extends Base {
    override compile(request: string): Json {
      if (mode === 'off') return super.compile(request);
      const { marked, values, long } = shapeOf(JSON.parse(request));
      if (values.length === 0) return super.compile(request);
      const cached = long ? LITERAL : shapes.get(marked);
      if (cached === LITERAL) {
        stats.literal++;
        return super.compile(request);
      }
      if (cached && (mode === 'on' || cached.verified >= VERIFY_HITS)) {
        stats.hits++;
        return fill(cached, values);
      }
      const literal = super.compile(request);
      if (cached) {
        // The filled copy is what runs, as in 'on' mode (a template changed by a run would show here).
        const filled = fill(cached, values);
        if (JSON.stringify(filled) !== JSON.stringify(literal))
          throw new Error(`query plan cache: the cached plan differs from the compiled one for ${request}`);
        cached.verified++;
        stats.hits++;
        return filled;
      }
      stats.misses++;
      shapes.set(marked, this.learn(marked, values, literal) ?? LITERAL);
      return literal;
    }

    /** The shape's template, if it gives exactly the request's own plan back with its values. */
    private learn(marked: string, values: Shape['values'], literal: Json): Template | undefined {
      let plan: Json;
      try {
        plan = super.compile(marked);
      } catch {
        return undefined;
      }
      const template = { plan, slots: findSlots(plan, values), verified: 0 };
      return JSON.stringify(fill(template, values)) === JSON.stringify(literal) ? template : undefined;
    }
  };
}

interface CompilerRuntime {
  QueryCompiler: CompilerClass;
}
interface EngineConfig {
  compilerWasm?: { getRuntime: () => Promise<CompilerRuntime> };
}

/**
 * PrismaClient options that give its engine the caching compiler. The mode is the process's: the
 * latest client made with a mode sets it for all (one configuration per process outside tests).
 */
export function planCacheOptions(planCache?: PlanCacheMode): object {
  if (planCache) mode = planCache;
  const configOverride = (config: EngineConfig): EngineConfig => {
    const wasm = config.compilerWasm;
    if (!wasm) return config;
    return {
      ...config,
      compilerWasm: {
        ...wasm,
        getRuntime: async () => {
          const runtime = await wasm.getRuntime();
          return { ...runtime, QueryCompiler: cachingCompiler(runtime.QueryCompiler) };
        },
      },
    };
  };
  return { __internal: { configOverride } };
}
