import { SlidingWindowStore } from './sliding-window.store';

const MINUTE = 60_000;

describe('SlidingWindowStore', () => {
  let now: number;
  let store: SlidingWindowStore;
  beforeEach(() => {
    now = 10 * MINUTE; // the start of a window
    store = new SlidingWindowStore(() => now);
  });
  afterEach(() => store.onApplicationShutdown());

  it('allows `limit` requests per window per key, then refuses with a Retry-After until the window ends', () => {
    const results = Array.from({ length: 5 }, () => store.hit('a', 3, MINUTE));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
    expect(results[3].retryAfterS).toBeGreaterThanOrEqual(60);
    expect(store.hit('b', 3, MINUTE).allowed).toBe(true);
    now += 30_000;
    expect(store.hit('a', 3, MINUTE).retryAfterS).toBeGreaterThanOrEqual(30);
  });

  it('does not count refused requests: a client that keeps trying still gets its share of the next window', () => {
    for (let i = 0; i < 100; i++) store.hit('a', 10, MINUTE);
    now += 2 * MINUTE;
    expect(Array.from({ length: 11 }, () => store.hit('a', 10, MINUTE).allowed).filter(Boolean)).toHaveLength(10);
  });

  it('slides: the previous window counts for the part of it that still overlaps', () => {
    for (let i = 0; i < 10; i++) store.hit('a', 10, MINUTE);
    now += MINUTE + 15_000; // a quarter into the next window: 10 × 0.75 = 7.5 still count
    const allowed = Array.from({ length: 5 }, () => store.hit('a', 10, MINUTE).allowed);
    expect(allowed).toEqual([true, true, false, false, false]);
    const refused = store.hit('a', 10, MINUTE);
    // It frees up as the previous window slides out: 10 × (1 − t) + 2 ≤ 9 at t = 0.3, 3 s from now.
    expect(refused.retryAfterS).toBe(3);
    now += refused.retryAfterS * 1000;
    expect(store.hit('a', 10, MINUTE).allowed).toBe(true);
  });

  it('peeks without counting, and records without a limit', () => {
    expect(store.peek('x', 2, MINUTE).allowed).toBe(true);
    expect(store.size).toBe(0);
    store.record('x', MINUTE);
    store.record('x', MINUTE);
    expect(store.peek('x', 2, MINUTE)).toMatchObject({ allowed: false, count: 2 });
    expect(store.peek('x', 3, MINUTE).allowed).toBe(true);
    now += 2 * MINUTE;
    expect(store.peek('x', 2, MINUTE).allowed).toBe(true);
  });

  it('forgets keys idle for two windows', () => {
    jest.useFakeTimers({ now });
    try {
      const swept = new SlidingWindowStore(() => Date.now());
      swept.hit('gone', 5, MINUTE);
      jest.advanceTimersByTime(MINUTE);
      swept.hit('kept', 5, MINUTE);
      jest.advanceTimersByTime(1.5 * MINUTE); // swept at 12:00, when 'gone' has been idle two windows
      expect(swept.size).toBe(1);
      expect(swept.peek('kept', 5, MINUTE).count).toBeGreaterThan(0);
      swept.onApplicationShutdown();
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers the throttler guard in its terms', async () => {
    await store.increment('g', MINUTE, 1, 0, 'default');
    const refused = await store.increment('g', MINUTE, 1, 0, 'default');
    expect(refused).toMatchObject({ isBlocked: true, totalHits: 2 });
    expect(refused.timeToBlockExpire).toBeGreaterThan(0);
  });
});
