// Unit: the in-process HyperLogLog (src/views/hll.ts), fed SHA-1 hashes as the store feeds it.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HyperLogLog } from '../src/views/hll.ts';

const hash = (visitor: string) => createHash('sha1').update(visitor).digest('hex').slice(0, 16);

function sketchOf(from: number, to: number, prefix = 'visitor'): HyperLogLog {
  const hll = new HyperLogLog();
  for (let i = from; i < to; i++) hll.add(hash(`${prefix}-${i}`));
  return hll;
}

describe('HyperLogLog', () => {
  it('counts nothing as 0 and small sets (sparse registers) within 2 %', () => {
    expect(HyperLogLog.countUnion([new HyperLogLog()])).toBe(0);
    expect(HyperLogLog.countUnion([])).toBe(0);
    for (const n of [1, 10, 100, 1_000])
      expect(Math.abs(HyperLogLog.countUnion([sketchOf(0, n)]) - n)).toBeLessThanOrEqual(Math.max(1, n * 0.02));
  });

  it('ignores repeated visitors', () => {
    const hll = sketchOf(0, 500);
    const once = HyperLogLog.countUnion([hll]);
    for (let i = 0; i < 500; i++) hll.add(hash(`visitor-${i}`));
    expect(HyperLogLog.countUnion([hll])).toBe(once);
  });

  it.each([5_000, 50_000, 200_000])('estimates %i distinct visitors (dense registers) within 2 %', (n) => {
    const estimate = HyperLogLog.countUnion([sketchOf(0, n)]);
    expect(Math.abs(estimate - n) / n).toBeLessThan(0.02);
  });

  it('a union of sketches counts the union of their sets (overlaps once), sparse or dense', () => {
    const whole = HyperLogLog.countUnion([sketchOf(0, 30_000)]);
    // Overlapping parts, one sparse (1,000 values) and two dense.
    expect(HyperLogLog.countUnion([sketchOf(0, 1_000), sketchOf(500, 20_000), sketchOf(10_000, 30_000)])).toBe(whole);
    // The same value in two sketches is one visitor.
    expect(HyperLogLog.countUnion([sketchOf(0, 100), sketchOf(0, 100)])).toBe(
      HyperLogLog.countUnion([sketchOf(0, 100)]),
    );
  });
});
