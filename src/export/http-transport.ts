/**
 * JSON over HTTP POST (seed 001 §3.1 REST). What the answer means for the item:
 * - 2xx acknowledges, unless its body is a response message (seed 001 §3.2) with status
 *   "error": the service asks for the item again, as over the WebSocket. An empty or non-JSON
 *   body acknowledges.
 * - 408, 425, 429 and 5xx are the service's way of saying "later"; a Retry-After
 *   (RFC 9110 §10.2.3) says how much later at least.
 * - 401, 403 (and a proxy's 407) refuse this enforcer's credentials — a token expired, revoked
 *   or without the scope (seed 001 §3.3) — and say nothing about the item: it is retried, and
 *   stays spooled until a renewed token gets it through or it expires.
 * - 404, 405 and 410 say the URL names no such service (a wrong `--to` path, a service not
 *   deployed yet) and nothing of the item: retried, as a WebSocket handshake answered so is.
 * - any other 4xx (400, 413, 422…) says the request itself is wrong, so sending it again
 *   would only fail again: rejected — but a 413 with a Retry-After says the condition is
 *   temporary (RFC 9110 §15.5.14): retried then.
 * - a redirect (3xx) is not followed: fetch would turn the POST into a body-less GET elsewhere
 *   and take that GET's 200 for an acknowledgement (the item left the spool, delivered
 *   nowhere). It delivered nothing: retried, and the failure says where it points (`--to`
 *   should name the service itself).
 * An https:// service is reached over HTTP/2 when it offers it (https-origin.ts), else by fetch.
 */
import { AI_SERVICE_CONTENT_TYPE, parseAiServiceResponse } from './ai-service-message.js';
import type { DeliveryOutcome, DeliveryTransport, RetryOutcome, TransportOptions } from './delivery-transport.js';
import { HttpsOrigin, type HttpAnswer } from './https-origin.js';
import { textForDisplay, urlForDisplay } from '../sources/url-for-display.js';

const RETRYABLE_4XX = new Set([408, 425, 429]);
/** The statuses that say the URL names no such service. */
const NO_SUCH_SERVICE = new Set([404, 405, 410]);
/** The statuses that refuse this enforcer's credentials (the WebSocket handshake's too). */
export const UNAUTHORIZED: ReadonlySet<number> = new Set([401, 403, 407]);

export class HttpTransport implements DeliveryTransport {
  private readonly origin: HttpsOrigin | undefined;

  constructor(private readonly opts: TransportOptions) {
    const url = new URL(opts.url);
    this.origin = url.protocol === 'https:' ? new HttpsOrigin(url, opts.timeoutMs) : undefined;
  }

  async deliver(body: string, requestId: string, signal: AbortSignal): Promise<DeliveryOutcome> {
    const headers: Record<string, string> = { 'content-type': AI_SERVICE_CONTENT_TYPE, 'x-request-id': requestId };
    if (this.opts.token !== undefined) headers.authorization = `Bearer ${this.opts.token}`;
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs)]);
    let answer: HttpAnswer;
    let byFetch = false;
    try {
      const h2 = this.origin === undefined ? undefined : await this.origin.post(headers, body, deadline);
      byFetch = h2 === undefined;
      answer = h2 ?? (await this.fetch(headers, body, deadline));
    } catch (err) {
      if (deadline.aborted) {
        const timedOut = deadline.reason instanceof Error && deadline.reason.name === 'TimeoutError';
        return { kind: 'retry', reason: timedOut ? `no answer within ${this.opts.timeoutMs} ms` : describe(err) };
      }
      // a service fetch could not reach may have changed: ask it what it speaks next time
      if (byFetch) this.origin?.forgetProtocol();
      return { kind: 'retry', reason: describe(err) };
    }
    return judge(answer);
  }

  private async fetch(headers: Record<string, string>, body: string, signal: AbortSignal): Promise<HttpAnswer> {
    const response = await fetch(this.opts.url, { method: 'POST', headers, body, redirect: 'manual', signal });
    // Read whole: a 2xx may carry the response message, and a read body lets the connection be reused.
    const text = await response.text();
    return { status: response.status, header: (name) => response.headers.get(name), text };
  }

  async close(): Promise<void> {
    await this.origin?.close();
  }
}

/** What the service's answer means for the item (the rules above). */
function judge(answer: HttpAnswer): DeliveryOutcome {
  const status = answer.status;
  if (status >= 200 && status < 300) {
    if (parseAiServiceResponse(answer.text)?.status !== 'error') return { kind: 'acknowledged' };
    return retry(`HTTP ${status} with status "error"`, answer);
  }
  if (UNAUTHORIZED.has(status)) return { ...retry(`HTTP ${status}${challenge(answer)}`, answer), unauthorized: true };
  if (status >= 500 || RETRYABLE_4XX.has(status)) return retry(`HTTP ${status}`, answer);
  if (NO_SUCH_SERVICE.has(status)) return retry(`HTTP ${status}: the URL names no such service (is --to right?)`, answer);
  if (status >= 300 && status < 400) return retry(`HTTP ${status} redirect to ${target(answer)}: not followed, nothing delivered`, answer);
  if (status === 413 && parseRetryAfterMs(answer.header('retry-after')) !== undefined) return retry(`HTTP ${status} (for now: Retry-After)`, answer);
  return { kind: 'rejected', reason: `HTTP ${status}` };
}

function retry(reason: string, answer: HttpAnswer): RetryOutcome {
  const retryAfterMs = parseRetryAfterMs(answer.header('retry-after'));
  return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
}

/**
 * Retry-After (RFC 9110 §10.2.3) as ms from `nowMs`: delay-seconds or an HTTP-date (a date
 * already past gives 0); undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | null, nowMs = Date.now()): number | undefined {
  const text = value?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // All three HTTP-date forms start with the day's name; Date.parse alone takes "1.5" for a date.
  if (!/^(mon|tue|wed|thu|fri|sat|sun)/i.test(text)) return undefined;
  // The asctime form has no zone, and HTTP dates are all GMT.
  const at = Date.parse(/gmt$/i.test(text) ? text : `${text} GMT`);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The service's WWW-Authenticate challenge (e.g. `Bearer error="invalid_token"`), shortened, for the log. */
function challenge(answer: HttpAnswer): string {
  const value = answer.header('www-authenticate') ?? answer.header('proxy-authenticate');
  return value ? ` (${forLog(value)})` : '';
}

/**
 * Where a redirect points, for the log: without the userinfo or query values the Location may
 * carry (a gateway handing out a URL with credentials, a signed link), shortened.
 */
function target(answer: HttpAnswer): string {
  const location = answer.header('location');
  return location ? forLog(location, urlForDisplay) : '(no Location)';
}

/**
 * A header's value on one line of at most 200 characters (`shown` applied before it is cut: a cut
 * must not keep a secret's start), its control characters as spaces: C0, DEL and C1 (fetch hands
 * header bytes over as latin1, so 0x80–0x9F arrive as U+0080–U+009F: U+0085 is a line break to
 * Unicode-aware readers, U+009B a terminal's CSI).
 */
function forLog(value: string, shown: (text: string) => string = (text) => text): string {
  const clean = shown(value.replace(/[\x00-\x1f\x7f-\x9f]/g, ' ').trim());
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

/** An error as a reason: without the userinfo of a URL it names (fetch's messages quote the URL whole). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return textForDisplay(String(err));
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return textForDisplay(`${err.message}${cause}`);
}
