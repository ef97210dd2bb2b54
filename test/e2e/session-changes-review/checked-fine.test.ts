/**
 * Checks of the last hour's changes that came out fine (review of 8118748, bf822ad's SDES part,
 * 071afaf, 63cc0b9, 24bcf33). One short comment per check.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';
import { decryptSrtcp, deriveSrtcpKeys, type SessionKeys } from '../../../src/media/srtcp.js';
import { parseSdp } from '../../../src/signaling/sdp.js';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { type DecisionLine, parseLines, type PcapRecord, replayLines, Workspace, writePcapRecords } from '../e2e-helpers.js';
import { replayCall, request, response, sdpOf } from '../hand-built-calls.js';
import { cname, compound, item, mid, POLICY, priv, run } from '../sdes-tags-review/helpers.js';
import { judge } from '../vocabulary-review/harness.js';
import { plainCompound, sdpWith, srtcpAt, withMki } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const inlineOf = (key: Buffer, salt: Buffer, tail = '') => `inline:${Buffer.concat([key, salt]).toString('base64')}${tail}`;
function keysOf(keyParams: string, sessionParams?: string[]): SessionKeys {
  const k = deriveSrtcpKeys({ suite: 'AES_CM_128_HMAC_SHA1_80', keyParams, ...(sessionParams && { sessionParams }) });
  if (typeof k === 'string') throw new Error(k);
  return k;
}
const opens = (packet: Buffer, keys: SessionKeys[], plain: Buffer) => {
  const out = decryptSrtcp(packet, 0, packet.length, keys);
  return typeof out === 'string' ? out : Buffer.from(out).equals(plain);
};

describe('SRTCP KDR (24bcf33)', () => {
  // two senders sharing one KDR key, their indexes in different r, interleaved back and forth:
  // the single last-r cache thrashes but every compound decrypts
  it('two senders with one key across r boundaries, interleaved', () => {
    const key = randomBytes(16);
    const salt = randomBytes(14);
    const keys = keysOf(inlineOf(key, salt), ['KDR=2']);
    const seq: [number, number][] = [[1, 9], [2, 2], [1, 10], [2, 3], [2, 4], [1, 13], [2, 5], [1, 3], [2, 100], [1, 14], [2, 0x7ffffff0]];
    for (const [ssrc, index] of seq) {
      const plain = plainCompound(ssrc, index);
      expect(opens(srtcpAt(plain, key, salt, 2, index), [keys], plain)).toBe(true);
    }
  });

  // KDR with a 4-byte MKI: E|index is read before the MKI, the tag after it
  it('KDR with MKI', () => {
    const key = randomBytes(16);
    const salt = randomBytes(14);
    const keys = keysOf(inlineOf(key, salt, '|2^31|7:4'), ['KDR=1']);
    for (const index of [1, 2, 5, 77]) {
      const plain = plainCompound(9, index);
      expect(opens(withMki(srtcpAt(plain, key, salt, 1, index), Buffer.from([0, 0, 0, 7])), [keys], plain)).toBe(true);
    }
  });

  // a line with two ;-separated keys (MKI 1 and 2) and KDR=3: the SDP reader keeps the session
  // parameters for the line, each key decrypts its own compounds past r = 0
  it('several keys of one line share its KDR', () => {
    const [k1, s1, k2, s2] = [randomBytes(16), randomBytes(14), randomBytes(16), randomBytes(14)];
    const line = `a=crypto:1 AES_CM_128_HMAC_SHA1_80 ${inlineOf(k1, s1, '|2^20|1:4')};${inlineOf(k2, s2, '|2^20|2:4')} KDR=3`;
    const c = parseSdp(sdpWith(line)).sdp.media[0]!.crypto[0]!;
    expect(c.sessionParams).toEqual(['KDR=3']);
    const keys = c.keyParams.split(';').map((kp) => keysOf(kp.trim(), c.sessionParams));
    const p1 = plainCompound(1, 20);
    const p2 = plainCompound(2, 33);
    expect(opens(withMki(srtcpAt(p1, k1, s1, 3, 20), Buffer.from([0, 0, 0, 1])), keys, p1)).toBe(true);
    expect(opens(withMki(srtcpAt(p2, k2, s2, 3, 33), Buffer.from([0, 0, 0, 2])), keys, p2)).toBe(true);
  });

  // session parameters separated by extra spaces (and a trailing tab) are read
  it('extra spaces between session parameters', () => {
    const key = randomBytes(16);
    const salt = randomBytes(14);
    const c = parseSdp(sdpWith(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 ${inlineOf(key, salt)}   KDR=3   UNENCRYPTED_SRTCP\t`)).sdp.media[0]!.crypto[0]!;
    expect(c.sessionParams).toEqual(['KDR=3', 'UNENCRYPTED_SRTCP']);
    const plain = plainCompound(3, 9);
    expect(opens(srtcpAt(plain, key, salt, 3, 9), [keysOf(c.keyParams, c.sessionParams)], plain)).toBe(true);
  });

  // the real-world upper-case parameters and a "-" vendor parameter stay usable
  it('UNENCRYPTED_SRTCP and -vendor parameters', () => {
    for (const p of [['UNENCRYPTED_SRTCP'], ['-X_VENDOR=1', 'KDR=24'], ['WSH=64']]) expect(typeof deriveSrtcpKeys({ suite: 'AES_CM_128_HMAC_SHA1_80', keyParams: inlineOf(randomBytes(16), randomBytes(14)), sessionParams: p })).toBe('object');
  });
});

describe('NDJSON failed deletion retry (8118748)', () => {
  const line = (name: string, expiresAt: number) => JSON.stringify({ type: 'telemetry', requestId: name, ts: 1, expiresAt });
  const block = async (path: string) => {
    await rename(path, `${path}.aside`);
    await mkdir(path);
  };

  // the timer retries an undeletable expired file about once a second: no busy loop
  it('timer cadence on a permanent failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scr-pass-'));
    const errors: number[] = [];
    const t0 = Date.now();
    const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports', onError: () => errors.push(Date.now() - t0) });
    const now = Date.now() / 1000;
    await ex.writeLine(line('A', now + 0.1), now + 0.1);
    await ex.rotate();
    await ex.writeLine(line('B', now + 1000), now + 1000);
    await block(join(dir, 'exports.000001.ndjson'));
    await new Promise((r) => setTimeout(r, 2300));
    const byTimer = errors.length;
    await ex.close();
    // attempts about 0.1 s, 1.1 s, 2.1 s: never more than one a second
    expect(byTimer).toBeGreaterThanOrEqual(2);
    expect(byTimer).toBeLessThanOrEqual(3);
    await rm(dir, { recursive: true, force: true });
  }, 10000);

  // close() with an undeletable expired file resolves, tells the error, removes its lock
  it('close with an undeletable file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scr-pass-'));
    let now = 1000;
    const errors: string[] = [];
    const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports', clock: () => now, onError: (e) => errors.push(e.message) });
    await ex.writeLine(line('A', 1010), 1010);
    await ex.rotate();
    await block(join(dir, 'exports.000001.ndjson'));
    now = 1011;
    await ex.close();
    expect(errors.length).toBe(1);
    expect((await readdir(dir)).filter((n) => n.endsWith('.lock'))).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });

  // maxFiles with two undeletable oldest files: the trim ends (no loop), the deletable ones go
  it('maxFiles trimming with several undeletable files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scr-pass-'));
    const errors: string[] = [];
    const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports', maxBytes: 1, maxFiles: 1, clock: () => 1000, onError: (e) => errors.push(e.message) });
    await ex.writeLine(line('A', 5000), 5000);
    await ex.writeLine(line('B', 5000), 5000); // 1 closed
    await block(join(dir, 'exports.000001.ndjson'));
    await ex.writeLine(line('C', 5000), 5000); // 2 closed: 1 over maxFiles, fails
    await block(join(dir, 'exports.000002.ndjson'));
    await ex.writeLine(line('D', 5000), 5000); // 3 closed
    await ex.writeLine(line('E', 5000), 5000); // 4 closed: 3 deletable goes
    expect(ex.closedPaths.map((p) => p.slice(dir.length + 1))).toEqual(['exports.000001.ndjson', 'exports.000002.ndjson', 'exports.000004.ndjson']);
    await ex.close();
    expect(errors.length).toBeGreaterThan(0);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('SDES salvage (bf822ad)', () => {
  const SIGNALED_RAW = { offerLines: ['a=aipref:mid apt-raw'] };

  // a tag in an earlier, whole chunk of a packet broken in a later chunk is salvaged (signaled stream): SR dropped
  it('tag of an earlier whole chunk', async () => {
    const x = await run(ws, 'pass-earlier-chunk', SIGNALED_RAW, [compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', 'apt-none')] }, { ssrc: 1111, items: [item(8, new Uint8Array(0))] }])]);
    expect(x.decisions.filter((d) => d.pt === 200).map((d) => `${d.decision} ${d.reason}`)).toEqual(['drop export-none']);
  });

  // an earlier whole chunk's MID is not taken from a broken packet (by design: a MID could relax); no crash, reported once
  it('MID of an earlier whole chunk is not taken', async () => {
    const x = await run(ws, 'pass-earlier-mid', SIGNALED_RAW, [compound(1111, [{ ssrc: 1111, items: [cname(), mid('zzz')] }, { ssrc: 1111, items: [item(8, new Uint8Array(0))] }])]);
    expect(x.reports.filter((r) => r.type === 'malformed-input').length).toBe(1);
    expect(x.decisions.filter((d) => d.pt === 200).map((d) => `${d.decision} ${d.reason}`)).toEqual(['export raw-allowed']);
  });

  // a broken packet before any signaling binds nothing (session.scope null: by design, a tag could be the only word):
  // frame 1's SR has no preference, and after the call is set up the signaled apt-raw decides alone
  it('salvaged tag before signaling is not taken', async () => {
    const r = await replayCall(ws, 'pass-before-sig', (at) => {
      at(0, compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', 'apt-none'), item(8, new Uint8Array(0))] }]), true, 4001, 5001);
      at(0.1, request('INVITE', 1, sdpOf('a', ['a=aipref:mid apt-raw']), [], ''), true);
      at(0.2, response('200 OK', 1, sdpOf('b', ['a=aipref:mid apt-raw'])), false);
      at(0.3, request('ACK', 1, null), true);
      at(1, compound(1111, [{ ssrc: 1111, items: [cname()] }]), true, 4001, 5001);
    }, POLICY);
    expect(parseLines<DecisionLine>(r.decisions).filter((d) => d.pt === 200).map((d) => `${d.frame} ${d.decision} ${d.reason}`)).toEqual(['1 drop no-preference', '5 export raw-allowed']);
  });

  // 17 salvaged tags: the 16-tag cap holds (sdesLimit), every SR dropped, same with --workers 0 and 2 (run compares)
  it('salvaged tags respect the 16-tag cap', async () => {
    const tags = Array.from({ length: 17 }, (_, i) => priv('aipref', `t${i}`));
    const x = await run(ws, 'pass-cap', SIGNALED_RAW, [compound(1111, [{ ssrc: 1111, items: [cname(), ...tags, item(8, new Uint8Array(0))] }])]);
    const w = await run(ws, 'pass-cap-whole', SIGNALED_RAW, [compound(1111, [{ ssrc: 1111, items: [cname(), ...tags] }])]);
    expect(x.decisions.filter((d) => d.pt === 200).every((d) => d.decision === 'drop')).toBe(true);
    // as a whole packet: apt-raw, t0..t15 and the too-many marker
    expect(x.bindings.find((b) => b.ssrc === 1111)!.apt).toEqual(w.bindings.find((b) => b.ssrc === 1111)!.apt);
    expect(x.reports.filter((r) => r.type === 'state-limit').length).toBe(1);
  });
});

describe('a=aipref version (071afaf)', () => {
  const ok = (lines: string[]) => lines.length > 0 && lines.every((l) => l.includes(' export '));
  // leading zeros and version=0 are 1*DIGIT: the line is read
  it('version=007 and version=0 are versions', async () => {
    expect(ok((await judge(ws, 'v007', 'sdp', 'apt-x', [['version', '007'], ['export', 'raw'], ['retention', '1h']])).lines)).toBe(true);
    expect(ok((await judge(ws, 'v0', 'sdp', 'apt-x', [['version', '0'], ['export', 'raw'], ['retention', '1h']])).lines)).toBe(true);
  });
  // an empty version= breaks the line as in the header: nothing exported raw
  it('empty version= breaks the line', async () => {
    const j = await judge(ws, 'vempty', 'sdp', 'apt-x', [['version', ''], ['export', 'raw'], ['retention', '1h']]);
    expect(j.lines.some((l) => l.includes(' export '))).toBe(false);
    const h = await judge(ws, 'vempty-h', 'header', 'apt-x', [['version', ''], ['export', 'raw'], ['retention', '1h']]);
    expect(h.lines.some((l) => l.includes(' export '))).toBe(false);
  });
});

describe('well-formed output strings (63cc0b9)', () => {
  // a JSON body part naming a lone-surrogate identifier ("\ud800" escape): the identifier reaches a report only
  // (exports and decisions carry ids from the header, SDP and SDES, all decoded bytes): every line of all three files is well formed
  it('a lone surrogate from a body part reaches no output file unrepaired', async () => {
    const A = '10.0.0.1';
    const B = '10.0.0.2';
    const sdp = (addr: string, port: number, ssrc: number) => ['v=0', `o=u 1 1 IN IP4 ${addr}`, 's=-', `c=IN IP4 ${addr}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=mid:a', `a=ssrc:${ssrc} cname:x@y`, ''].join('\r\n');
    const message = (lines: string[], body: Uint8Array = new Uint8Array(0)) => Buffer.concat([Buffer.from([...lines, `Content-Length: ${body.length}`].join('\r\n') + '\r\n\r\n'), body]);
    const part = Buffer.from('{"\\ud800x": {"type": "user", "export": "raw"}, "id": "\\udc00", "export": "raw"}');
    const body = Buffer.concat([Buffer.from(`--bnd\r\nContent-Type: application/sdp\r\n\r\n${sdp(A, 20000, 1111)}\r\n--bnd\r\nContent-Type: application/aipref+json\r\nContent-ID: <s1@x>\r\n\r\n`), part, Buffer.from('\r\n--bnd--\r\n')]);
    const dialog = ['From: <sip:a@x>;tag=ft1', 'Call-ID: c1@x'];
    const invite = message(['INVITE sip:b@y SIP/2.0', `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-c1-1`, ...dialog, 'To: <sip:b@y>', 'CSeq: 1 INVITE', 'AI-Pref: apt-b;scope=session;type=user;export=raw;retention=1h;uri=<cid:s1@x>', 'Content-Type: multipart/mixed;boundary=bnd'], body);
    const ok = message(['SIP/2.0 200 OK', `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-c1-1`, ...dialog, 'To: <sip:b@y>;tag=tt1', 'CSeq: 1 INVITE', 'Content-Type: application/sdp'], Buffer.from(sdp(B, 30000, 2222)));
    const rtcp = encodeRtcpCompound([{ pt: 201, ssrc: 1111, reports: [{ ssrc: 2222, fractionLost: 1, cumulativeLost: 2, highestSeq: 3, jitter: 4, lsr: 0, dlsr: 0 }] }]);
    const sip = (src: string, dst: string, payload: Uint8Array) => buildEthernetIpv4Udp({ src, dst, sport: 5060, dport: 5060, payload });
    const frames = [sip(A, B, invite), sip(B, A, ok), buildEthernetIpv4Udp({ src: A, dst: B, sport: 20001, dport: 30001, payload: rtcp })];
    const records: PcapRecord[] = frames.map((data, i) => ({ ts: 1767225600 + (i + 1) / 100, data }));
    const file = await ws.file('lone-surrogate.pcap');
    await writePcapRecords(file, encodePcapFileHeader(1), records);
    const out = await replayLines({ capture: file, explain: true });
    const loneEscape = /\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i;
    const texts = [out.exports, out.reports, out.decisions].map((t) => (Array.isArray(t) ? t.join('\n') : String(t)));
    for (const text of texts) expect(loneEscape.test(text)).toBe(false);
    // the body's lone-surrogate identifiers did reach a report (repaired): the path was exercised
    expect(texts[1]).toMatch(/\ufffd|\\ufffd/);
  });
});
