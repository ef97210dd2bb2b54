/**
 * SIP over WebSocket with permessage-deflate (RFC 7692), as browsers offer it in every
 * handshake: the sample call's SIP carried over WebSocket connections that the `ws` library's
 * client and server opened through a recording relay (test/wire/ws-session.ts), compressed or
 * not as they agreed. A replay of the rewritten capture must say what a replay of the original
 * says — same exports, reports, bindings — and inspect must read the same messages as tshark.
 * Before the enforcer inflated such messages, every compressed one was read as a SIP message of
 * garbage: the calls set up over it were never seen.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, SMALL_PCAP, SMALL_POLICY } from '../e2e/e2e-helpers.js';
import { inspect, tsharkFields, type Line } from './helpers.js';
import { rewriteSipOverWebSocket, type WsSessionOptions } from './ws-session.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aipref-ws-deflate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Each SIP message inspect read: "METHOD|status Call-ID CSeq", or its first error. */
function sipOf(lines: Line[]): string[] {
  return lines
    .filter((l) => l.proto === 'sip')
    .flatMap((l) => l.sip as Line[])
    .map((m) => (m.startLine === null ? `error ${m.errors[0].reason}: ${m.errors[0].detail}` : `${m.method ?? m.status} ${m.callId} ${m.cseq?.seq} ${m.cseq?.method}`));
}

interface Replay {
  summary: Line;
  exports: Line[];
  reports: Line[];
  bindings: Line[];
}

async function replay(capture: string, name: string): Promise<Replay> {
  const out = path.join(dir, name);
  const run = await cli('replay', capture, '--policy', SMALL_POLICY, '--out', out, '--json', '--quiet');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const read = async (file: string) =>
    (await readFile(path.join(out, file), 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line);
  const bindings = await cli('bindings', capture, '--policy', SMALL_POLICY, '--json');
  expect(bindings.code).toBe(0);
  return { summary: JSON.parse(run.stdout) as Line, exports: await read('exports.ndjson'), reports: await read('reports.ndjson'), bindings: JSON.parse(bindings.stdout) as Line[] };
}

/** What does not depend on the records' numbering (the rewrite adds the connections' first records). */
function comparable(r: Replay): unknown {
  const { packets: _packets, ...summary } = r.summary;
  return {
    summary,
    exports: r.exports.map(({ requestId: _id, ...rest }) => rest),
    reports: r.reports.map(({ frame: _frame, ...rest }) => rest),
    bindings: r.bindings,
  };
}

const VARIANTS: [string, WsSessionOptions][] = [
  ['every message compressed, context takeover', { server: { threshold: 0 } }],
  ["ws's default: messages of 1 KiB and more compressed, the rest plain", { server: {} }],
  ['every message compressed, no context takeover either way', { server: { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true } }],
  ['small windows (2^9 bytes) both ways', { server: { threshold: 0, serverMaxWindowBits: 9, clientMaxWindowBits: 9 } }],
  ['no compression (the server accepts none)', { server: false }],
];

describe('SIP over WebSocket with permessage-deflate, from a real WebSocket stack', () => {
  let original: Replay;
  let originalSip: string[];
  let originalTshark: string[][];
  beforeAll(async () => {
    original = await replay(SMALL_PCAP, 'original');
    originalSip = sipOf(inspect(SMALL_PCAP));
    originalTshark = tsharkFields(SMALL_PCAP, ['sip.Call-ID', 'sip.CSeq'], ['-Y', 'sip']);
  }, 60_000);

  it.each(VARIANTS)('%s: a replay says what the original over UDP says, inspect and tshark read the same messages', async (name, options) => {
    const capture = path.join(dir, `${name.replace(/\W+/g, '-')}.pcap`);
    expect(await rewriteSipOverWebSocket(SMALL_PCAP, capture, options)).toEqual({ messages: 32, connections: 3 });
    expect(originalSip).toHaveLength(32);
    expect(sipOf(inspect(capture))).toEqual(originalSip);
    expect(tsharkFields(capture, ['sip.Call-ID', 'sip.CSeq'], ['-Y', 'sip'])).toEqual(originalTshark);
    const ws = await replay(capture, name.replace(/\W+/g, '-'));
    expect(ws.summary.packets).toBe(original.summary.packets + 3 * 5);
    expect(comparable(ws)).toEqual(comparable(original));
    expect(ws.exports.length + ws.reports.length).toBeGreaterThan(0);
  }, 60_000);

  it('a capture that began after the handshake and two messages per connection, without context takeover: every later message inflates', async () => {
    const capture = path.join(dir, 'late-no-takeover.pcap');
    await rewriteSipOverWebSocket(SMALL_PCAP, capture, { server: { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true } }, 2);
    const got = sipOf(inspect(capture));
    expect(got).toHaveLength(26);
    expect(got.every((m) => originalSip.includes(m))).toBe(true);
  }, 60_000);

  it('a capture that began after the handshake and two messages per connection, with context takeover: a message referring back past the capture is reported, never read wrong', async () => {
    const capture = path.join(dir, 'late-takeover.pcap');
    await rewriteSipOverWebSocket(SMALL_PCAP, capture, { server: { threshold: 0 } }, 2);
    const got = sipOf(inspect(capture));
    expect(got).toHaveLength(26);
    const errors = got.filter((m) => m.startsWith('error '));
    // each direction's first message refers back to the messages before the capture
    expect(errors.filter((m) => m.includes('(bytes before the capture or a gap)'))).toHaveLength(6);
    expect(errors.every((m) => m.startsWith('error bad-websocket-frame: not inflated: invalid distance too far back'))).toBe(true);
    expect(got.filter((m) => !m.startsWith('error ')).every((m) => originalSip.includes(m))).toBe(true);
  }, 60_000);
});
