import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Window {
  /** Start of the current window (ms since the epoch, a multiple of the window length). */
  start: number;
  current: number;
  previous: number;
}

export interface Hit {
  readonly allowed: boolean;
  /** Requests counted in the last window length, estimated. */
  readonly count: number;
  /** Seconds until a request would be allowed again (0 when allowed). */
  readonly retryAfterS: number;
  /** Seconds until the current window ends. */
  readonly resetS: number;
}

/**
 * Counts requests per key over a sliding window, approximated from two fixed windows (the count of
 * the previous window weighted by how much of it still overlaps, plus the current one): O(1) time
 * and two numbers per key, whatever the limit. @nestjs/throttler's own in-memory storage keeps one
 * timestamp per request and scans them on every request, which costs O(limit) per request and is
 * too slow for a limit checked before authentication on every request.
 *
 * Refused requests are not counted: a client that keeps hammering gets `limit` requests per window,
 * not zero for ever. It is also the guard's storage, so every limit lives in one place.
 */
@Injectable()
export class SlidingWindowStore implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private sweeper?: NodeJS.Timeout;
  private longestWindowMs = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts a request for `key` unless that would exceed `limit` per `windowMs`. */
  hit(key: string, limit: number, windowMs: number): Hit {
    const now = this.now();
    const window = this.roll(key, windowMs, now, true)!;
    const count = this.estimate(window, windowMs, now);
    const resetS = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    if (count + 1 > limit) {
      return { allowed: false, count, retryAfterS: this.retryAfter(window, limit, windowMs, now), resetS };
    }
    window.current += 1;
    return { allowed: true, count: count + 1, retryAfterS: 0, resetS };
  }

  /** Whether `key` is at its limit now, without counting anything. */
  peek(key: string, limit: number, windowMs: number): Hit {
    const now = this.now();
    const window = this.roll(key, windowMs, now, false);
    if (!window) return { allowed: true, count: 0, retryAfterS: 0, resetS: Math.ceil(windowMs / 1000) };
    const count = this.estimate(window, windowMs, now);
    const resetS = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    return count + 1 > limit
      ? { allowed: false, count, retryAfterS: this.retryAfter(window, limit, windowMs, now), resetS }
      : { allowed: true, count, retryAfterS: 0, resetS };
  }

  /** Counts one event for `key` regardless of any limit (e.g. a failed authentication). */
  record(key: string, windowMs: number): void {
    this.roll(key, windowMs, this.now(), true)!.current += 1;
  }

  /** ThrottlerStorage, for @nestjs/throttler's guard. Blocking beyond the window is not supported. */
  async increment(key: string, ttl: number, limit: number, _blockDuration: number, _throttlerName: string): Promise<ThrottlerStorageRecord> {
    const result = this.hit(key, limit, ttl);
    return {
      totalHits: result.allowed ? result.count : limit + 1,
      timeToExpire: result.resetS,
      isBlocked: !result.allowed,
      timeToBlockExpire: result.retryAfterS,
    };
  }

  get size(): number {
    return this.windows.size;
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.windows.clear();
  }

  private roll(key: string, windowMs: number, now: number, create: boolean): Window | undefined {
    const start = now - (now % windowMs);
    let window = this.windows.get(key);
    if (!window) {
      if (!create) return undefined;
      window = { start, current: 0, previous: 0 };
      this.windows.set(key, window);
      this.ensureSweeper(windowMs);
    } else if (window.start !== start) {
      window.previous = start - window.start === windowMs ? window.current : 0;
      window.current = 0;
      window.start = start;
    }
    return window;
  }

  private estimate(window: Window, windowMs: number, now: number): number {
    const overlap = 1 - (now - window.start) / windowMs;
    // Rounded to a millionth, so that waiting exactly the Retry-After is never refused for a float's last bit.
    return Math.round((window.previous * overlap + window.current) * 1e6) / 1e6;
  }

  /** When the estimate will have dropped enough for one more request. */
  private retryAfter(window: Window, limit: number, windowMs: number, now: number): number {
    const elapsed = now - window.start;
    let waitMs: number;
    if (window.current + 1 > limit) {
      // Nothing frees up before this window ends; then the count decays as the next one goes on.
      const leftNext = limit - 1;
      waitMs = windowMs - elapsed + (window.current > 0 ? Math.max(0, windowMs * (1 - leftNext / window.current)) : 0);
    } else {
      // previous × (1 − (elapsed + wait)/window) + current ≤ limit − 1
      waitMs = windowMs * (1 - (limit - 1 - window.current) / window.previous) - elapsed;
    }
    return Math.max(1, Math.ceil(Math.round(waitMs) / 1000));
  }

  /** Drops keys idle for two windows, so memory follows the clients seen recently. */
  private ensureSweeper(windowMs: number): void {
    if (windowMs <= this.longestWindowMs && this.sweeper) return;
    this.longestWindowMs = Math.max(this.longestWindowMs, windowMs);
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = setInterval(() => {
      const now = this.now();
      for (const [key, window] of this.windows) {
        if (now - window.start >= 2 * this.longestWindowMs) this.windows.delete(key);
      }
    }, this.longestWindowMs);
    this.sweeper.unref();
  }
}
