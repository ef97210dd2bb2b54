/**
 * Retry delays: exponential so a failing service is not hammered, with "equal jitter" (half
 * fixed, half random) so that many enforcers restarted together do not retry in lockstep.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** a number in [0, 1); Math.random by default, fixed in tests */
  random?: () => number;
  /**
   * the longest pause a service's Retry-After can impose; default 5 minutes. A longer one
   * (or a far-off date) is taken as this: the items are spooled anyway, and asking again a
   * little early costs one refused request.
   */
  retryAfterMaxMs?: number;
}

export const DEFAULT_RETRY_AFTER_MAX_MS = 300_000;

/** Delay before retry number `attempt` (1 = the first retry). */
export function backoffDelayMs(attempt: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  const random = opts.random ?? Math.random;
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Pause before retry number `attempt`: the backoff, but no shorter than what the service asked
 * for in Retry-After (RFC 9110 §10.2.3: the minimum time to wait), bounded by `retryAfterMaxMs`.
 */
export function retryPauseMs(attempt: number, opts: BackoffOptions, retryAfterMs?: number): number {
  const asked = Math.min(retryAfterMs ?? 0, opts.retryAfterMaxMs ?? DEFAULT_RETRY_AFTER_MAX_MS);
  return Math.max(backoffDelayMs(attempt, opts), asked);
}
