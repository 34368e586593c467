/** A fixed-window counter per key, in memory: enough for one server process (see docs/decisions/010). */
export interface RateLimitRule {
  max: number;
  windowSeconds: number;
}

export interface RateLimiter {
  /** Seconds until `key` may try again, or 0 when it is under its limit. Does not count. */
  retryAfter(key: string): number;
  /** Counts one attempt for `key`. */
  hit(key: string): void;
  reset(key: string): void;
}

export function createRateLimiter(rule: RateLimitRule, now: () => number = Date.now): RateLimiter {
  if (!Number.isInteger(rule.max) || rule.max < 1) throw new Error('A rate limit needs max >= 1');
  if (!(rule.windowSeconds > 0)) throw new Error('A rate limit needs windowSeconds > 0');
  const windows = new Map<string, { startedAt: number; count: number }>();
  const windowMs = rule.windowSeconds * 1000;

  const current = (key: string) => {
    const window = windows.get(key);
    if (window && now() - window.startedAt < windowMs) return window;
    if (window) windows.delete(key);
    return undefined;
  };
  const sweep = () => {
    if (windows.size < 10_000) return;
    for (const [key, window] of windows) if (now() - window.startedAt >= windowMs) windows.delete(key);
  };

  return {
    retryAfter(key) {
      const window = current(key);
      if (!window || window.count < rule.max) return 0;
      return Math.max(1, Math.ceil((window.startedAt + windowMs - now()) / 1000));
    },
    hit(key) {
      sweep();
      const window = current(key);
      if (window) window.count += 1;
      else windows.set(key, { startedAt: now(), count: 1 });
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
