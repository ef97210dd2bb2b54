/**
 * Live resolution of `uri=<https://…>` APT handles (seed §7.1: HTTPS, conditional requests
 * and caching so validated APTs are reused across dialogs). Replay never uses this: offline,
 * handles resolve only through the policy file, so results do not depend on the network.
 *
 * Any failure — not https, timeout, TLS error, non-2xx, a body that is not a JSON object —
 * yields `unresolved`, which the caller counts as the most restrictive statement. A stale
 * cached statement is never served when revalidation fails: the handle's owner may have
 * tightened it.
 */
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import type { StatementPart } from './statement.js';

export interface UriResolverOptions {
  /** extra trusted CA certificates (PEM), e.g. a private repository's CA: trusted beside the default store */
  ca?: string | Buffer | (string | Buffer)[];
  /** whole-request budget, connect to last byte */
  timeoutMs?: number;
  maxBodyBytes?: number;
  /** clock in milliseconds, for tests */
  now?: () => number;
  maxEntries?: number;
  /**
   * how long a failed fetch is remembered (ms; default 30 s): a handle asked for again meanwhile
   * is unresolved at once, not fetched again. A repository that is down cost every INVITE
   * naming its handle a whole timeout, and held the live service's packets meanwhile.
   */
  failureTtlMs?: number;
}

export type UriResolution =
  | { status: 'resolved'; uri: string; part: StatementPart; from: 'network' | 'cache' | 'revalidated' }
  | { status: 'unresolved'; uri: string; reason: string };

interface CacheEntry {
  params: Record<string, unknown>;
  etag: string | null;
  lastModified: string | null;
  /** ms timestamp after which the entry must be revalidated */
  freshUntil: number;
}

interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_MAX_BODY = 64 * 1024;
const DEFAULT_MAX_ENTRIES = 1024;
const DEFAULT_FAILURE_TTL_MS = 30_000;

export class UriResolver {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<UriResolution>>();
  /** by URI, a fetch that failed lately: why, and until when it is not tried again */
  private readonly failed = new Map<string, { reason: string; until: number }>();
  /** connections trusting the default store with `ca` added (trustingAgent), made at the first fetch */
  private agent: Agent | undefined;
  private readonly now: () => number;

  constructor(private readonly options: UriResolverOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Resolves a handle to a statement part for `prefId`. Concurrent calls for one URI share a request. */
  resolve(uri: string, prefId: string): Promise<UriResolution> {
    const pending = this.inFlight.get(uri);
    const resolution = pending ?? this.fetchRemembering(uri).finally(() => this.inFlight.delete(uri));
    if (pending === undefined) this.inFlight.set(uri, resolution);
    return resolution.then((r) => (r.status === 'resolved' ? { ...r, part: { ...r.part, prefId } } : r));
  }

  /** fetchOrReuse, a failure remembered for failureTtlMs (the oldest let go past maxEntries). */
  private async fetchRemembering(uri: string): Promise<UriResolution> {
    const failed = this.failed.get(uri);
    if (failed !== undefined && this.now() < failed.until) return { status: 'unresolved', uri, reason: `${failed.reason} (a fetch failed lately: not tried again yet)` };
    this.failed.delete(uri);
    const result = await this.fetchOrReuse(uri);
    if (result.status === 'unresolved') {
      this.failed.set(uri, { reason: result.reason, until: this.now() + (this.options.failureTtlMs ?? DEFAULT_FAILURE_TTL_MS) });
      keepNewest(this.failed, this.options.maxEntries ?? DEFAULT_MAX_ENTRIES);
    }
    return result;
  }

  private async fetchOrReuse(uri: string): Promise<UriResolution> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return { status: 'unresolved', uri, reason: 'not a URI' };
    }
    if (url.protocol !== 'https:') return { status: 'unresolved', uri, reason: 'only https handles are resolved' };

    const cached = this.cache.get(uri);
    if (cached !== undefined && this.now() < cached.freshUntil) return resolved(uri, cached, 'cache');

    const headers: Record<string, string> = { accept: 'application/aipref+json, application/json' };
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;

    let response: HttpResult;
    try {
      response = await this.get(url, headers);
    } catch (error) {
      return { status: 'unresolved', uri, reason: error instanceof Error ? error.message : String(error) };
    }

    const freshness = freshnessOf(response.headers);
    if (response.status === 304 && cached !== undefined) {
      cached.freshUntil = this.now() + freshness.maxAgeSec * 1000;
      if (!freshness.store) this.cache.delete(uri);
      return resolved(uri, cached, 'revalidated');
    }
    if (response.status !== 200) return { status: 'unresolved', uri, reason: `HTTP ${response.status}` };

    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      return { status: 'unresolved', uri, reason: 'response is not JSON' };
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { status: 'unresolved', uri, reason: 'response is not a JSON object' };
    }
    const entry: CacheEntry = {
      params: body as Record<string, unknown>,
      etag: headerValue(response.headers.etag),
      lastModified: headerValue(response.headers['last-modified']),
      freshUntil: this.now() + freshness.maxAgeSec * 1000,
    };
    if (freshness.store) this.remember(uri, entry);
    else this.cache.delete(uri);
    return resolved(uri, entry, 'network');
  }

  /**
   * An agent whose connections trust the default store (the bundled roots and NODE_EXTRA_CA_CERTS)
   * with the extra CAs added, made once: node:https's `ca` option replaces the defaults, so once
   * an operator named a private repository's CA every publicly served handle failed.
   */
  private trustingAgent(): Agent {
    if (this.agent === undefined) {
      const extra = this.options.ca;
      // the defaults spelled out (Node 20 has no other way to keep them beside a `ca`): the
      // bundled roots and the file NODE_EXTRA_CA_CERTS names, as Node reads it at start
      const fromEnv = process.env.NODE_EXTRA_CA_CERTS ? readIfAny(process.env.NODE_EXTRA_CA_CERTS) : undefined;
      const ca = [...rootCertificates, ...(fromEnv !== undefined ? [fromEnv] : []), ...(Array.isArray(extra) ? extra : extra === undefined ? [] : [extra])];
      // an agent of its own: the global one pools connections without telling trust stores
      // apart, so one made trusting the extra CA would serve a request that does not
      this.agent = new Agent({ keepAlive: true, ca });
    }
    return this.agent;
  }

  private remember(uri: string, entry: CacheEntry): void {
    this.cache.delete(uri);
    this.cache.set(uri, entry);
    keepNewest(this.cache, this.options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  }

  private get(url: URL, headers: Record<string, string>): Promise<HttpResult> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxBody = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    return new Promise<HttpResult>((resolve, reject) => {
      const req = request(url, { method: 'GET', headers, ...(this.options.ca !== undefined && { agent: this.trustingAgent() }) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBody) req.destroy(new Error(`response larger than ${maxBody} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end();
    });
  }
}

function resolved(uri: string, entry: CacheEntry, from: 'network' | 'cache' | 'revalidated'): UriResolution {
  return { status: 'resolved', uri, from, part: { prefId: '', source: 'uri-fetched', origin: uri, params: entry.params } };
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** Cache-Control as far as a private cache needs it: max-age (less Age), no-cache, no-store. */
function freshnessOf(headers: IncomingHttpHeaders): { maxAgeSec: number; store: boolean } {
  const directives = (headerValue(headers['cache-control']) ?? '')
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter((d) => d !== '');
  if (directives.includes('no-store')) return { maxAgeSec: 0, store: false };
  if (directives.includes('no-cache')) return { maxAgeSec: 0, store: true };
  let maxAgeSec = 0;
  for (const directive of directives) {
    const match = /^max-age=(\d+)$/.exec(directive);
    if (match !== null) maxAgeSec = Number(match[1]);
  }
  const age = Number(headerValue(headers.age) ?? '0');
  if (Number.isFinite(age) && age > 0) maxAgeSec = Math.max(0, maxAgeSec - age);
  return { maxAgeSec, store: true };
}

/** A file's text, or undefined when it cannot be read (Node itself only warns of a bad NODE_EXTRA_CA_CERTS). */
function readIfAny(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Lets go of a map's oldest entries past `limit` (Map order is insertion order: the first key is the least recently stored). */
function keepNewest(map: Map<string, unknown>, limit: number): void {
  while (map.size > limit) map.delete(map.keys().next().value!);
}
