/**
 * How one serialised request reaches the AI service, and what its answer means for the spool:
 * acknowledged (never send again), retry (later, with backoff), or rejected (never again).
 */
export type DeliveryOutcome = { kind: 'acknowledged' } | RetryOutcome | { kind: 'rejected'; reason: string } | { kind: 'expired' };

export interface RetryOutcome {
  kind: 'retry';
  reason: string;
  /** the service asked not to be tried again before this many ms (Retry-After) */
  retryAfterMs?: number;
  /**
   * the service refused this enforcer's credentials (401/403): a problem of the sender, not a
   * verdict on the item, which stays spooled until a renewed token gets it through
   */
  unauthorized?: true;
}

export interface DeliveryTransport {
  /**
   * `stillValid`: whether the item may still be sent (not past its expiresAt), asked again right
   * before it goes out after a wait (a WebSocket handshake): if not, nothing is sent ('expired')
   */
  deliver(body: string, requestId: string, signal: AbortSignal, stillValid?: () => boolean): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

export interface TransportOptions {
  url: string;
  /** OAuth 2.0 / JWT bearer token, sent in Authorization (seed 001 §3.3) */
  token?: string;
  /** per request (HTTP) or per acknowledgement (WebSocket) */
  timeoutMs: number;
}
