import { pooledRandomBytes } from './pooled-random-bytes';

describe('pooledRandomBytes', () => {
  it('gives the size asked for, across many refills of the pool', () => {
    for (const size of [0, 1, 8, 12, 16, 64, 65, 4096]) expect(pooledRandomBytes(size)).toHaveLength(size);
  });

  it('never hands the same bytes out twice: 20,000 IVs (60 fills of the pool) are all different', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(pooledRandomBytes(12).toString('hex'));
    expect(seen.size).toBe(20_000);
  });

  it('leaves what a caller holds alone when the pool is filled again', () => {
    const held = pooledRandomBytes(12);
    const copy = Buffer.from(held);
    for (let i = 0; i < 1_000; i++) pooledRandomBytes(16);
    expect(held.equals(copy)).toBe(true);
  });

  it('gives bytes that look random: every byte value turns up, none far more often than the rest', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 8_000; i++) for (const byte of pooledRandomBytes(32)) counts[byte] += 1;
    // 256,000 bytes: 1,000 of each value expected; a fair source stays well inside ±20%.
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1_200);
  });

  it('refuses a size that is not a whole number of bytes', () => {
    expect(() => pooledRandomBytes(-1)).toThrow(RangeError);
    expect(() => pooledRandomBytes(1.5)).toThrow('whole number of bytes');
  });
});
