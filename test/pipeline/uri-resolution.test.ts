import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localhostCertificate, opensslAvailable } from '../policy/test-certificate.js';
import type { CoreEvent } from '../../src/pipeline/media-core.js';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { emptyPolicy } from '../../src/policy/policy-file.js';
import { UriResolver } from '../../src/policy/uri-resolver.js';
import { parseSipMessage } from '../../src/signaling/sip-message.js';
import { sampleInviteAnswer } from '../signaling/sip-fixtures.js';


const ctx = { frame: 1, ts: 1767225600, src: '10.1.0.1', dst: '10.2.0.1', sport: 5060, dport: 5060, transport: 'udp' as const };

/** The sample INVITE with its AI-Pref handle pointed at `uri`. */
async function inviteWithHandle(uri: string) {
  const text = (await readFile('samples/sip/invite-bundle.sip', 'utf8')).replace('https://prefs.example.com/apt/call-1', uri);
  const bytes = new TextEncoder().encode(text);
  return parseSipMessage(bytes, 0, bytes.length);
}

function statementsOf(events: CoreEvent[], id: string) {
  return events.flatMap((e) => (e.kind === 'statements' ? e.statements : [])).filter((s) => s.id === id).pop();
}

describe.skipIf(!opensslAvailable)(`live resolution of uri= handles${opensslAvailable ? '' : ' (skipped: no openssl to make a test certificate)'}`, () => {
  let server: Server;
  let base: string;
  let cert: string;
  let dir: string;
  let hits = 0;

  beforeAll(async () => {
    const made = localhostCertificate('aipref-uri-');
    dir = made.dir;
    cert = made.cert;
    server = createServer({ key: made.key, cert }, (req, res) => {
      hits++;
      if (req.url === '/apt/call-1') {
        res.writeHead(200, { 'content-type': 'application/aipref+json', 'cache-control': 'max-age=60' }).end(JSON.stringify({ export: 'raw', retention: '1h', features: ['media-metrics'] }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a handle the repository serves becomes the statement of its identifier', async () => {
    const front = new SignalingFront(emptyPolicy(), new UriResolver({ ca: cert, allowHosts: ['127.0.0.1'] }));
    await front.message(await inviteWithHandle(`${base}/apt/call-1`), ctx);
    // the offer's statement is in force once answered
    await front.message(await sampleInviteAnswer(), { ...ctx, frame: 2 });
    const st = statementsOf(front.takeEvents(), 'urn:example:apt:call-1');
    expect(st?.status).toBe('resolved');
    expect(st?.export).toBe('raw');
    expect(st?.retentionSec).toBe(3600);
    expect(hits).toBe(1);
  });

  it('a handle that cannot be fetched is reported and its identifier stays most restrictive', async () => {
    const front = new SignalingFront(emptyPolicy(), new UriResolver({ ca: cert, allowHosts: ['127.0.0.1'] }));
    await front.message(await inviteWithHandle(`${base}/apt/missing`), ctx);
    const events = front.takeEvents();
    const reports = front.takeReports().map((l) => JSON.parse(l.text) as { type: string; apt?: string[]; detail?: string });
    expect(reports.some((r) => r.type === 'unresolved-apt' && r.apt?.[0] === 'urn:example:apt:call-1' && /could not be fetched: HTTP 404: counted as most restrictive/.test(r.detail ?? ''))).toBe(true);
    expect(statementsOf(events, 'urn:example:apt:call-1')?.status).not.toBe('resolved');
  });

  it('without a resolver (replay) the handle is not fetched', async () => {
    const before = hits;
    const front = new SignalingFront(emptyPolicy());
    await front.message(await inviteWithHandle(`${base}/apt/call-1`), ctx);
    expect(hits).toBe(before);
    expect(statementsOf(front.takeEvents(), 'urn:example:apt:call-1')?.status).not.toBe('resolved');
  });
});
