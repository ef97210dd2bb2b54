/**
 * JSON over one WebSocket (seed 001 §3.1, the primary transport). The bearer token goes in
 * the handshake; each request is one text message and is acknowledged by the service's
 * response message carrying the same requestId (seed 001 §3.2). A dropped connection makes
 * every unanswered request a retry, and the next request reconnects; so does a request left
 * unanswered past the timeout, whose connection is ended (it may hang half-open). A close with
 * 1009 (RFC 6455 §7.4.1: a message too big to process) is the WebSocket's HTTP 413: the request
 * it refused is rejected for good — found by sending the unanswered ones one at a time when
 * several were out.
 */
import WebSocket from 'ws';
import { unlessAborted } from './abortable.js';
import { parseAiServiceResponse } from './ai-service-message.js';
import type { DeliveryOutcome, DeliveryTransport, TransportOptions } from './delivery-transport.js';
import { textForDisplay } from '../sources/url-for-display.js';
import { parseRetryAfterMs, UNAUTHORIZED } from './http-transport.js';

/** The service answered the handshake with an HTTP status instead of switching protocols. */
class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`handshake refused: HTTP ${status}`);
  }
}


type Finish = (outcome: DeliveryOutcome) => void;

/** RFC 6455 §7.4.1: the endpoint received a message too big for it to process */
const TOO_BIG = 1009;

export class WebSocketTransport implements DeliveryTransport {
  private socket: WebSocket | undefined;
  private connecting: Promise<WebSocket> | undefined;
  /** the socket whose handshake is under way: close() ends it (nothing is sent once closing) */
  private handshaking: WebSocket | undefined;
  /** per socket, the requests sent on it awaiting their answers: a socket's close fails its own only */
  private readonly waiting = new Map<WebSocket, Map<string, Finish>>();
  private closed = false;
  /** after a 1009 close with several requests unanswered: this many more go one at a time, to tell which was too big */
  private aloneLeft = 0;
  private aloneTurn: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: TransportOptions) {}

  async deliver(body: string, requestId: string, signal: AbortSignal, stillValid?: () => boolean): Promise<DeliveryOutcome> {
    if (this.aloneLeft === 0) return this.deliverNow(body, requestId, signal, stillValid);
    const turn = this.aloneTurn.then(() => this.deliverNow(body, requestId, signal, stillValid));
    this.aloneTurn = turn.catch(() => {});
    const outcome = await turn;
    if (this.aloneLeft > 0) this.aloneLeft--;
    return outcome;
  }

  private async deliverNow(body: string, requestId: string, signal: AbortSignal, stillValid?: () => boolean): Promise<DeliveryOutcome> {
    let socket: WebSocket | undefined;
    try {
      socket = await unlessAborted(this.connect(), signal);
    } catch (err) {
      if (signal.aborted || this.closed) return { kind: 'retry', reason: 'aborted' };
      // (ws's errors may quote the URL whole, its user:password@ with it: never to a log line)
      const reason = `connect: ${textForDisplay(err instanceof Error ? err.message : String(err))}`;
      if (!(err instanceof HandshakeRefused)) return { kind: 'retry', reason };
      // a refused token pauses delivery as over HTTP (logged once an episode); Retry-After is honoured
      return {
        kind: 'retry',
        reason,
        ...(UNAUTHORIZED.has(err.status) ? { unauthorized: true as const } : {}),
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      };
    }
    // the handshake took its time: stopped meanwhile, or the item expired (never sent past its expiresAt)
    if (socket === undefined || signal.aborted || this.closed) return { kind: 'retry', reason: 'aborted' };
    if (stillValid !== undefined && !stillValid()) return { kind: 'expired' };
    const waiting = this.waiting.get(socket)!;
    return new Promise<DeliveryOutcome>((resolve) => {
      const finish = (outcome: DeliveryOutcome): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        waiting.delete(requestId);
        resolve(outcome);
      };
      const onAbort = (): void => finish({ kind: 'retry', reason: 'aborted' });
      const timer = setTimeout(() => {
        finish({ kind: 'retry', reason: `no answer within ${this.opts.timeoutMs} ms` });
        // a connection that answers nothing may hang half-open: the next request gets a new one
        socket.terminate();
      }, this.opts.timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      waiting.set(requestId, finish);
      socket.send(body, (err) => {
        if (err) finish({ kind: 'retry', reason: `send: ${err.message}` });
      });
    });
  }

  private connect(): Promise<WebSocket> {
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    if (this.closed) return Promise.reject(new Error('transport closed'));
    this.connecting ??= new Promise<WebSocket>((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (this.opts.token !== undefined) headers.authorization = `Bearer ${this.opts.token}`;
      const socket = new WebSocket(this.opts.url, { headers, handshakeTimeout: this.opts.timeoutMs });
      const waiting = new Map<string, Finish>();
      this.waiting.set(socket, waiting);
      this.handshaking = socket;
      socket.once('open', () => {
        this.handshaking = undefined;
        this.socket = socket;
        this.connecting = undefined;
        resolve(socket);
      });
      socket.once('error', (err) => {
        if (this.handshaking === socket) this.handshaking = undefined;
        this.connecting = undefined;
        reject(err);
      });
      // An HTTP answer to the upgrade: its status says whether the token was refused.
      socket.once('unexpected-response', (request, response) => {
        this.connecting = undefined;
        const header = response.headers['retry-after'];
        reject(new HandshakeRefused(response.statusCode ?? 0, parseRetryAfterMs(typeof header === 'string' ? header : null)));
        response.resume();
        request.destroy();
      });
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        const response = parseAiServiceResponse(data.toString());
        if (!response) return;
        waiting.get(response.requestId)?.(response.status === 'error' ? { kind: 'retry', reason: 'service answered error' } : { kind: 'acknowledged' });
      });
      socket.on('close', (code) => {
        if (this.socket === socket) this.socket = undefined;
        // the requests sent on this socket: one sent on a newer connection is still answered there
        const unanswered = [...waiting.values()];
        if (code === TOO_BIG && unanswered.length === 1) unanswered[0]!({ kind: 'rejected', reason: 'WebSocket close 1009: message too big' });
        else {
          if (code === TOO_BIG) this.aloneLeft = Math.max(this.aloneLeft, unanswered.length);
          for (const finish of unanswered) finish({ kind: 'retry', reason: code === TOO_BIG ? 'connection closed (1009: a message too big)' : 'connection closed' });
        }
        this.waiting.delete(socket);
      });
      // An error after open is followed by 'close', which settles what waits.
      socket.on('error', () => {});
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    // a handshake still under way ends here: nothing is sent on it once closing
    this.handshaking?.terminate();
    this.handshaking = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1000).unref();
    });
  }
}

