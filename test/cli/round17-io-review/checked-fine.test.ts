/**
 * Checks of this round's fixes outside the policy registry that came out fine.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIpv6Packet } from '../../../native-free/frame-builder.js';
import { createIpv6Header, decodeIpv6Header } from '../../../native-free/ipv6.js';
import { createLayerError } from '../../../native-free/layer-error.js';
import { decodeHep, encodeHep } from '../../../src/sources/hep.js';
import { run, SMALL_PCAP } from '../bad-input-review/bad-input-helpers.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { CALL, sdpOf } from '../../e2e/hand-built-calls.js';
import { ack, replayMsgs, request, response, srA, srB, type Msg } from './cut-call.js';

const ws = new Workspace();
let dir: string;
const reference = new Map<string, string>();
const FILES = ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson'];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r17-pass-'));
  const out = path.join(dir, 'ref');
  expect((await run(['replay', SMALL_PCAP, '--out', out, '--explain', '--quiet', '--workers', '2'])).code).toBe(0);
  for (const f of FILES) reference.set(f, await readFile(path.join(out, f), 'utf8'));
}, 60_000);
afterAll(async () => {
  await ws.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('replay output files that cannot be written', () => {
  // a directory at a file's path (EISDIR at open): exit 1, one line naming that path, no stack
  for (const f of FILES) {
    it(`a directory at ${f}: exit 1, one line naming it`, async () => {
      const out = path.join(dir, `dir-${f}`);
      await mkdir(path.join(out, f), { recursive: true });
      const r = await run(['replay', SMALL_PCAP, '--out', out, '--explain', '--quiet', '--workers', '0']);
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
      expect(r.stderr).toContain(path.join(out, f));
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });
  }
  // /dev/full at each file with --workers 2 (the encoded byte-run path): exit 1, one line naming
  // the file, the two other files byte for byte those of a run on a good disk
  for (const f of FILES) {
    it.skipIf(!existsSync('/dev/full'))(`${f} on /dev/full, --workers 2: exit 1, one line, the others whole`, async () => {
      const out = path.join(dir, `full2-${f}`);
      await mkdir(out);
      await symlink('/dev/full', path.join(out, f));
      const r = await run(['replay', SMALL_PCAP, '--out', out, '--explain', '--quiet', '--workers', '2']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`aipref-enforcer replay: ${path.join(out, f)}: cannot write: no space left on device (ENOSPC)\n`);
      for (const other of FILES.filter((o) => o !== f)) expect(await readFile(path.join(out, other), 'utf8'), other).toBe(reference.get(other));
    }, 60_000);
  }
});

describe('SIP datagrams cut by the snap length', () => {
  const invite = request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-none;scope=dialog'], '');
  const headerEnd = Buffer.from(invite).indexOf('\r\n\r\n') + 4;
  const call = (first: Msg): Msg[] => [first, { payload: response('200 OK', 1, sdpOf('b', [])), fromA: false }, ack(), srA(), srB()];

  // cut exactly at the end of CRLFCRLF: headers read, the INVITE's AI-Pref none governs the call's RTCP (as uncut), one snaplen-cut report naming the snap length
  it('cut at the CRLFCRLF: the AI-Pref header governs, one report', async () => {
    const whole = await replayMsgs(ws, 'crlf-whole.pcap', call({ payload: invite, fromA: true }));
    const cut = await replayMsgs(ws, 'crlf-cut.pcap', call({ payload: invite, fromA: true, keep: headerEnd }));
    expect(whole.decisions).toEqual(['4 drop export-none', '5 drop export-none']);
    expect(cut.decisions).toEqual(whole.decisions);
    expect(cut.reports.filter((r) => r.type === 'malformed-input').map((r) => r.detail)).toEqual([
      `frame 1: sip snaplen-cut at byte ${headerEnd} (body cut by the capture's snap length after ${headerEnd} of ${invite.length} bytes)`,
    ]);
  });

  // cut one byte before the end of the header section: one snaplen-cut report, no dialog, nothing read; the RTCP is dropped (no preference)
  it('cut inside the header section, its identifying lines captured: read, what the rest said unresolved (dropped as uncut)', async () => {
    const cut = await replayMsgs(ws, 'hdr-cut.pcap', call({ payload: invite, fromA: true, keep: headerEnd - 1 }));
    const malformed = cut.reports.filter((r) => r.type === 'malformed-input');
    expect(malformed.map((r) => r.detail)).toEqual([`frame 1: sip snaplen-cut at byte ${headerEnd - 1} (headers cut by the capture's snap length after ${headerEnd - 1} of ${invite.length} bytes)`]);
    expect(malformed[0]!.dialog).not.toBeNull();
    expect(cut.exports).toBe(0);
  });

  // no Content-Length (UDP, RFC 3261 §18.3: the body runs to the datagram's end), cut in the body: one report, the AI-Pref header governs as uncut
  it('no Content-Length, cut in the body: one report, decisions as uncut', async () => {
    const noCl = Buffer.from(Buffer.from(invite).toString().replace(/Content-Length: \d+\r\n/, ''));
    const whole = await replayMsgs(ws, 'nocl-whole.pcap', call({ payload: noCl, fromA: true }));
    const cut = await replayMsgs(ws, 'nocl-cut.pcap', call({ payload: noCl, fromA: true, keep: noCl.length - 12 }));
    expect(cut.decisions).toEqual(whole.decisions);
    expect(cut.reports.filter((r) => r.type === 'malformed-input')).toHaveLength(1);
  });

  // IPv6 (62 bytes of headers): cut in the body, the AI-Pref header's none governs as uncut
  it('IPv6: cut in the body, decisions as uncut', async () => {
    const whole = await replayMsgs(ws, 'v6-whole.pcap', call({ payload: invite, fromA: true }), true);
    const cut = await replayMsgs(ws, 'v6-cut.pcap', call({ payload: invite, fromA: true, keep: invite.length - 12 }), true);
    expect(cut.decisions).toEqual(whole.decisions);
    expect(cut.exports).toBe(0);
    expect(cut.reports.filter((r) => r.type === 'malformed-input')).toHaveLength(1);
  });

  // a multipart INVITE whose application/aipref+json part (export none) is cut mid-JSON: the identifier is unresolved, most restrictive: drop, as uncut
  it('multipart, the aipref+json part cut mid-JSON: still dropped', async () => {
    const json = JSON.stringify({ id: 'apt-x', type: 'user', export: 'none', retention: '1h' });
    const body = `--bnd\r\nContent-Type: application/sdp\r\n\r\n${sdpOf('a', [])}\r\n--bnd\r\nContent-Type: application/aipref+json\r\nContent-ID: <s1@x>\r\n\r\n${json}\r\n--bnd--\r\n`;
    const head = ['INVITE sip:b@10.0.0.2 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKINVITE1', 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>', `Call-ID: ${CALL}`, 'CSeq: 1 INVITE', 'AI-Pref: apt-x;scope=session;uri=<cid:s1@x>', 'Content-Type: multipart/mixed;boundary=bnd', `Content-Length: ${Buffer.byteLength(body)}`];
    const mp = Buffer.from(head.join('\r\n') + '\r\n\r\n' + body);
    const cut = await replayMsgs(ws, 'mp-cut.pcap', call({ payload: mp, fromA: true, keep: mp.indexOf('"export"') + 5 }));
    expect(cut.exports).toBe(0);
    expect(cut.decisions.every((d) => d.includes(' drop '))).toBe(true);
    expect(cut.reports.some((r) => r.type === 'unresolved-apt')).toBe(true);
  });
});

describe('HEP capture times', () => {
  const frame = (tsSeconds: number, tsMicroseconds: number) =>
    decodeHep(encodeHep({ ipVersion: 4, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, tsSeconds, tsMicroseconds, protocolType: 1, payload: new Uint8Array([1]) }));
  // seconds 0 and microseconds past 999999 are malformed; 999999 is taken
  it('seconds 0 and µs 1000000 refused, µs 999999 taken', () => {
    expect(frame(0, 0).ok).toBe(false);
    expect(frame(1767225600, 1_000_000).ok).toBe(false);
    expect(frame(1767225600, 999_999).ok).toBe(true);
  });
});

describe('IPv6 hop-by-hop header', () => {
  const decode = (types: number[]) => {
    const pkt = buildIpv6Packet({ src: '2001:db8::1', dst: '2001:db8::2', protocol: 17, payload: new Uint8Array(8), extensions: types.map((type) => ({ type })) });
    return decodeIpv6Header(pkt, 0, pkt.length, createIpv6Header(), createLayerError());
  };
  // hop-by-hop first is read; after a destination options header it is malformed (RFC 8200 §4.1)
  it('first: read; after another header: malformed', () => {
    expect(decode([0, 60])).toBe(true);
    expect(decode([60, 0])).toBe(false);
    expect(decode([0, 0])).toBe(false);
  });
});
