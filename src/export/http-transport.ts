/**
 * JSON over HTTP POST (seed 001 §3.1 REST). A 2xx answer acknowledges; 408, 425, 429 and 5xx
 * are the service's way of saying "later"; any other 4xx says the request itself is wrong,
 * so sending it again would only fail again.
 */
import { AI_SERVICE_CONTENT_TYPE } from './ai-service-message.js';
import type { DeliveryOutcome, DeliveryTransport, TransportOptions } from './delivery-transport.js';

const RETRYABLE_4XX = new Set([408, 425, 429]);

export class HttpTransport implements DeliveryTransport {
  constructor(private readonly opts: TransportOptions) {}

  async deliver(body: string, requestId: string, signal: AbortSignal): Promise<DeliveryOutcome> {
    const headers: Record<string, string> = { 'content-type': AI_SERVICE_CONTENT_TYPE, 'x-request-id': requestId };
    if (this.opts.token !== undefined) headers.authorization = `Bearer ${this.opts.token}`;
    let response: Response;
    try {
      response = await fetch(this.opts.url, { method: 'POST', headers, body, signal: AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs)]) });
      // Reading the body lets the connection be reused.
      await response.arrayBuffer();
    } catch (err) {
      const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${this.opts.timeoutMs} ms` : describe(err);
      return { kind: 'retry', reason };
    }
    if (response.status >= 200 && response.status < 300) return { kind: 'acknowledged' };
    const reason = `HTTP ${response.status}`;
    if (response.status >= 500 || RETRYABLE_4XX.has(response.status)) return { kind: 'retry', reason };
    return { kind: 'rejected', reason };
  }

  async close(): Promise<void> {}
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
