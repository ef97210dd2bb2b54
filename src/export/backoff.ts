/**
 * Retry delays: exponential so a failing service is not hammered, with "equal jitter" (half
 * fixed, half random) so that many enforcers restarted together do not retry in lockstep.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** a number in [0, 1); Math.random by default, fixed in tests */
  random?: () => number;
}

/** Delay before retry number `attempt` (1 = the first retry). */
export function backoffDelayMs(attempt: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  const random = opts.random ?? Math.random;
  return ceiling / 2 + random() * (ceiling / 2);
}
