/**
 * An https:// AI service over HTTP/2 or HTTP/1.1, whichever it speaks (seed 001 §3.1: "HTTP/2
 * RESTful APIs [RFC9113] shall be supported", with HTTP/1.x kept). Node 20's fetch offers
 * HTTP/1.1 alone in its TLS handshake, so a service that speaks HTTP/2 only (ALPN h2, as gRPC
 * and many API gateways do) refused every request. Here a first TLS connection offers both
 * (ALPN, RFC 7301): when the service picks h2 the connection carries one HTTP/2 session that
 * every request then shares; when it picks HTTP/1.1 (or no ALPN) the connection is closed and
 * the requests go by fetch. What was picked is kept until a connection fails, then asked again.
 */
import { connect as connectHttp2, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { isIP } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { unlessAborted } from './abortable.js';

/** An HTTP answer, whichever the version. */
export interface HttpAnswer {
  status: number;
  header(name: string): string | null;
  text: string;
}

export class HttpsOrigin {
  /** what the origin picked at the last handshake; undefined: not asked yet, or to be asked again */
  private picked: 'h2' | 'http/1.1' | undefined;
  private session: ClientHttp2Session | undefined;
  private opening: Promise<void> | undefined;
  /** requests under way per session (a retired session may still finish some while a new one starts) */
  private readonly inFlight = new WeakMap<ClientHttp2Session, number>();
  private closed = false;

  /** `connectTimeoutMs`: how long one handshake may take, whoever waits for it */
  constructor(
    private readonly url: URL,
    private readonly connectTimeoutMs: number,
  ) {}

  /**
   * POSTs over the origin's HTTP/2 session, or returns undefined when the origin speaks
   * HTTP/1.1 (the caller sends by fetch). Rejects on a connection or stream failure, or when
   * `signal` aborts (its reason).
   */
  async post(headers: Record<string, string>, body: string, signal: AbortSignal): Promise<HttpAnswer | undefined> {
    if (this.picked === undefined || (this.picked === 'h2' && !usable(this.session))) {
      // requests share one handshake, which none of them may cut short for the others: each
      // waits for it as long as its own signal lets it
      this.opening ??= this.connect().finally(() => {
        this.opening = undefined;
      });
      const opened = await unlessAborted(this.opening.then(() => true), signal);
      if (opened === undefined) throw signal.reason;
    }
    if (this.picked !== 'h2') return undefined;
    const session = this.session;
    if (session === undefined || !usable(session)) throw new Error('the HTTP/2 session closed');
    return this.request(session, headers, body, signal);
  }

  /** A request by fetch failed: ask the origin what it speaks at the next one (it may have changed). */
  forgetProtocol(): void {
    if (this.picked === 'http/1.1') this.picked = undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    if (session === undefined || session.closed) return;
    await new Promise<void>((resolve) => {
      // a request still under way was abandoned by the exporter (its signal): do not wait for it
      const timer = setTimeout(() => session.destroy(), 1000);
      session.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async connect(): Promise<void> {
    const host = this.url.hostname.replace(/^\[|\]$/g, '');
    const socket = await new Promise<TLSSocket>((resolve, reject) => {
      const s = connectTls({
        host,
        port: this.url.port === '' ? 443 : Number(this.url.port),
        // SNI names hosts, never addresses (RFC 6066 §3)
        ...(isIP(host) === 0 && { servername: host }),
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`TLS handshake with ${this.url.host} took longer than ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    if (socket.alpnProtocol !== 'h2' || this.closed) {
      socket.destroy();
      this.picked = 'http/1.1';
      return;
    }
    const session = connectHttp2(this.url.origin, { createConnection: () => socket });
    // A GOAWAY (RFC 9113 §6.8) takes no new stream, but the streams it lets finish do: new
    // requests go to a new connection, this one closes once they are done. An error or a close
    // ends it for every request (each learns so from its own stream).
    session.on('goaway', () => {
      this.retire(session);
      if (!session.closed) session.close();
    });
    session.on('error', () => this.retire(session));
    session.on('close', () => this.retire(session));
    // an idle session does not keep the process alive; a request under way does
    session.unref();
    this.session = session;
    this.picked = 'h2';
  }

  /** The session takes no new request: the next one asks the origin again. */
  private retire(session: ClientHttp2Session): void {
    if (this.session !== session) return;
    this.session = undefined;
    this.picked = undefined;
  }

  private async request(session: ClientHttp2Session, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<HttpAnswer> {
    const outgoing: OutgoingHttpHeaders = { ':method': 'POST', ':path': `${this.url.pathname}${this.url.search}`, ...headers };
    const before = this.inFlight.get(session) ?? 0;
    this.inFlight.set(session, before + 1);
    if (before === 0) session.ref();
    // (a stream refused or reset concerns that stream alone, RFC 9113 §5.4.2: the session stays)
    try {
      return await new Promise<HttpAnswer>((resolve, reject) => {
        const stream = session.request(outgoing, { signal });
        let received: IncomingHttpHeaders | undefined;
        let text = '';
        stream.setEncoding('utf8');
        stream.on('response', (h) => {
          received = h;
        });
        stream.on('data', (chunk: string) => {
          text += chunk;
        });
        stream.on('end', () => {
          const h = received;
          if (h === undefined) return reject(new Error('HTTP/2 stream ended without a response'));
          resolve({ status: Number(h[':status']), header: (name) => headerValue(h, name), text });
        });
        stream.on('error', (err) => reject(signal.aborted ? signal.reason : err));
        stream.end(body);
      });
    } finally {
      const left = (this.inFlight.get(session) ?? 1) - 1;
      this.inFlight.set(session, left);
      if (left === 0 && !session.destroyed) session.unref();
    }
  }
}

function usable(session: ClientHttp2Session | undefined): boolean {
  return session !== undefined && !session.closed && !session.destroyed;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : String(value);
}
