/**
 * SPEC §2.2 (seed §5.2): a multipart body part `application/aipref+json` or
 * `application/aipref+cbor`, referenced by Content-ID from an AI-Pref value's
 * `uri=<cid:...>`, carries the full statement of that value's identifier. One call per
 * capture: an INVITE whose multipart body holds the SDP offer and one statement part, the
 * 200 and the ACK, then one RTCP compound (a report and an SDES CNAME) from the caller's stream.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../native-free/write.js';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import { type DecisionLine, parseLines, type PcapRecord, replayLines, type ReportLine, Workspace, writePcapRecords } from './e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const A = '10.0.0.1';
const B = '10.0.0.2';
const T0 = 1767225600;

function sdp(addr: string, port: number, ssrc: number): string {
  return ['v=0', `o=u 1 1 IN IP4 ${addr}`, 's=-', `c=IN IP4 ${addr}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=mid:a', `a=ssrc:${ssrc} cname:x@y`, ''].join('\r\n');
}

function message(lines: string[], body: Uint8Array = new Uint8Array(0)): Uint8Array {
  return Buffer.concat([Buffer.from([...lines, `Content-Length: ${body.length}`].join('\r\n') + '\r\n\r\n'), body]);
}

/**
 * Replays the call with `aiPref` as the INVITE's AI-Pref header value and `part` as its
 * statement part (Content-ID <s1@x>), with an empty policy: nothing but signaling resolves.
 */
async function replayCall(aiPref: string, contentType: string, part: Uint8Array) {
  const body = Buffer.concat([
    Buffer.from(`--bnd\r\nContent-Type: application/sdp\r\n\r\n${sdp(A, 20000, 1111)}\r\n--bnd\r\nContent-Type: ${contentType}\r\nContent-ID: <s1@x>\r\n\r\n`),
    part,
    Buffer.from('\r\n--bnd--\r\n'),
  ]);
  const dialog = ['From: <sip:a@x>;tag=ft1', 'Call-ID: c1@x'];
  const invite = message(
    ['INVITE sip:b@y SIP/2.0', `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-c1-1`, ...dialog, 'To: <sip:b@y>', 'CSeq: 1 INVITE', `AI-Pref: ${aiPref}`, 'Content-Type: multipart/mixed;boundary=bnd'],
    body,
  );
  const ok = message(['SIP/2.0 200 OK', `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-c1-1`, ...dialog, 'To: <sip:b@y>;tag=tt1', 'CSeq: 1 INVITE', 'Content-Type: application/sdp'], Buffer.from(sdp(B, 30000, 2222)));
  const ack = message(['ACK sip:b@y SIP/2.0', `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-c1-2`, ...dialog, 'To: <sip:b@y>;tag=tt1', 'CSeq: 1 ACK']);
  const rtcp = encodeRtcpCompound([
    { pt: 201, ssrc: 1111, reports: [{ ssrc: 2222, fractionLost: 1, cumulativeLost: 2, highestSeq: 3, jitter: 4, lsr: 0, dlsr: 0 }] },
    { pt: 202, ssrc: 1111, chunks: [{ ssrc: 1111, items: [{ type: 1, text: 'x@y' }] }] },
  ]);
  const sip = (src: string, dst: string, payload: Uint8Array) => buildEthernetIpv4Udp({ src, dst, sport: 5060, dport: 5060, payload });
  const frames = [sip(A, B, invite), sip(B, A, ok), sip(A, B, ack), buildEthernetIpv4Udp({ src: A, dst: B, sport: 20001, dport: 30001, payload: rtcp })];
  const records: PcapRecord[] = frames.map((data, i) => ({ ts: T0 + (i + 1) / 100, data }));
  const file = await ws.file(`call-${Math.random().toString(36).slice(2)}.pcap`);
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  const run = await replayLines({ capture: file, explain: true });
  return { run, reports: parseLines<ReportLine>(run.reports), decisions: parseLines<DecisionLine>(run.decisions) };
}

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));
/** {"id":"apt-c","export":"raw","type":"user"} in CBOR (RFC 8949): a map of three text pairs */
const CBOR_APT_C = Buffer.from('a3626964656170742d63666578706f7274637261776474797065647573657200'.slice(0, -2), 'hex');

describe('an application/aipref+cbor part', () => {
  it('is decoded: its statement resolves the identifier as the same statement in JSON does', async () => {
    for (const [type, part] of [['application/aipref+cbor', CBOR_APT_C], ['application/aipref+json', json({ id: 'apt-c', export: 'raw', type: 'user' })]] as const) {
      const { reports, decisions } = await replayCall('apt-c;scope=session;uri=<cid:s1@x>', type, part);
      expect(reports.map((r) => r.type), type).toEqual([]);
      expect(decisions.map((d) => [d.decision, d.apt]), type).toEqual([
        ['export', ['apt-c']],
        ['export', ['apt-c']],
      ]);
    }
  });

  it('that is not well-formed CBOR, or says what JSON could not, is one malformed-input report naming +cbor, the part and the byte offset', async () => {
    // {"id": "apt-c", 1: "raw"}: the second key, at byte 10, is an integer
    const part = Buffer.from('a26269646561' + '70742d63' + '01' + '63726177', 'hex');
    const { run, reports, decisions } = await replayCall('apt-c;scope=session;uri=<cid:s1@x>', 'application/aipref+cbor', part);
    const malformed = reports.filter((r) => r.type === 'malformed-input');
    expect(malformed.map((r) => [r.frame, r.detail])).toEqual([[1, 'frame 1: application/aipref+cbor part <s1@x> is not CBOR that JSON could express: at byte 10: map key is not a text string']]);
    expect(run.result.summary.malformed).toBe(1);
    expect(decisions.map((d) => d.decision)).toEqual(['drop', 'drop']);
  });

  it('a JSON part that does not parse is reported once, not once by the tracker and again by the front', async () => {
    const { run, reports } = await replayCall('apt-c;scope=session;uri=<cid:s1@x>', 'application/aipref+json', Buffer.from('{"export":'));
    expect(reports.filter((r) => r.type === 'malformed-input').map((r) => r.detail)).toEqual(['frame 1: application/aipref+json part <s1@x> is not JSON (at line 1, column 11)']);
    expect(run.result.summary.malformed).toBe(1);
  });
});

describe('a part referenced by uri=<cid:...>', () => {
  it("without an id of its own carries the statement of the referencing value's identifier", async () => {
    const { run, reports, decisions } = await replayCall('apt-b;scope=session;uri=<cid:s1@x>', 'application/aipref+json', json({ type: 'user', export: 'raw', retention: '24h' }));
    expect(reports.map((r) => r.type)).toEqual([]);
    expect(run.result.summary.malformed).toBe(0);
    expect(decisions.map((d) => [d.decision, d.apt])).toEqual([
      ['export', ['apt-b']],
      ['export', ['apt-b']],
    ]);
  });

  it('with a differing id is inconsistent-signaling: the referencing identifier gets nothing from it and stays most restrictive', async () => {
    const { reports, decisions } = await replayCall('apt-b;scope=session;uri=<cid:s1@x>', 'application/aipref+json', json({ id: 'apt-x', type: 'user', export: 'raw' }));
    const inconsistent = reports.filter((r) => r.type === 'inconsistent-signaling');
    expect(inconsistent.map((r) => [r.frame, r.apt])).toEqual([[1, ['apt-b']]]);
    expect(inconsistent[0]!.detail).toMatch(/<s1@x>.*apt-x/);
    expect(reports.some((r) => r.type === 'unresolved-apt' && r.apt?.[0] === 'apt-b')).toBe(true);
    expect(decisions.map((d) => [d.decision, d.apt])).toEqual([
      ['drop', ['apt-b']],
      ['drop', ['apt-b']],
    ]);
  });

  it('keyed by identifier is read as before when it names the referencing identifier', async () => {
    const { reports, decisions } = await replayCall('apt-b;scope=session;uri=<cid:s1@x>', 'application/aipref+json', json({ 'apt-b': { type: 'user', export: 'raw' } }));
    expect(reports.map((r) => r.type)).toEqual([]);
    expect(decisions.map((d) => d.decision)).toEqual(['export', 'export']);
  });
});
