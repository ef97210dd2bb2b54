/**
 * How one serialised request reaches the AI service, and what its answer means for the spool:
 * acknowledged (never send again), retry (later, with backoff), or rejected (never again).
 */
export type DeliveryOutcome = { kind: 'acknowledged' } | { kind: 'retry'; reason: string } | { kind: 'rejected'; reason: string };

export interface DeliveryTransport {
  deliver(body: string, requestId: string, signal: AbortSignal): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

export interface TransportOptions {
  url: string;
  /** OAuth 2.0 / JWT bearer token, sent in Authorization (seed 001 §3.3) */
  token?: string;
  /** per request (HTTP) or per acknowledgement (WebSocket) */
  timeoutMs: number;
}
