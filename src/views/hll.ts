// HyperLogLog for the in-process store (Redis has its own, PFADD/PFCOUNT): precision 14 (16,384
// registers, standard error 0.81 %), sparse (a Map of set registers) until it pays to go dense.
// Values are added as 64-bit hashes: the first 16 hex digits of the visitor's SHA-256 (src/inputs/visitor.ts).

const P = 14;
const M = 1 << P;
const SPARSE_LIMIT = 2_048;
const ALPHA = 0.7213 / (1 + 1.079 / M);

export class HyperLogLog {
  private sparse: Map<number, number> | null = new Map();
  private dense: Uint8Array | null = null;

  /** `hash`: 16 hex digits (64 bits). */
  add(hash: string): void {
    const hi = parseInt(hash.slice(0, 8), 16) >>> 0;
    const lo = parseInt(hash.slice(8, 16), 16) >>> 0;
    const index = hi >>> (32 - P);
    const rest = hi & ((1 << (32 - P)) - 1);
    const rank = rest !== 0 ? Math.clz32(rest) - P + 1 : 32 - P + (lo !== 0 ? Math.clz32(lo) : 32) + 1;
    this.set(index, rank);
  }

  private set(index: number, rank: number): void {
    if (this.dense) {
      if (rank > this.dense[index]!) this.dense[index] = rank;
      return;
    }
    const sparse = this.sparse!;
    if (rank > (sparse.get(index) ?? 0)) sparse.set(index, rank);
    if (sparse.size > SPARSE_LIMIT) {
      const dense = new Uint8Array(M);
      for (const [i, r] of sparse) dense[i] = r;
      this.dense = dense;
      this.sparse = null;
    }
  }

  /** Writes this sketch's registers into `registers` (max per register). */
  mergeInto(registers: Uint8Array): void {
    if (this.dense) {
      for (let i = 0; i < M; i++) if (this.dense[i]! > registers[i]!) registers[i] = this.dense[i]!;
    } else {
      for (const [i, r] of this.sparse!) if (r > registers[i]!) registers[i] = r;
    }
  }

  /** Estimated number of distinct values in the union of `sketches`. */
  static countUnion(sketches: Iterable<HyperLogLog>): number {
    const registers = new Uint8Array(M);
    for (const s of sketches) s.mergeInto(registers);
    return estimate(registers);
  }
}

function estimate(registers: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < M; i++) {
    const r = registers[i]!;
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const raw = (ALPHA * M * M) / sum;
  // Small range: linear counting is the better estimate (and exact-ish for small sets).
  if (raw <= 2.5 * M && zeros > 0) return Math.round(M * Math.log(M / zeros));
  return Math.round(raw);
}
