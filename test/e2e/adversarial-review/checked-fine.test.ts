/**
 * Adversarial and oversized input checked fine: each capture replays with exit 0, the same
 * reports, decisions and exports with --workers 0 and 2, and the bound or report README names.
 */
import { describe, expect, it } from 'vitest';
import { invite, malformedDetails, replayBoth, type Rec, type Run, sdp, tmpCapture, udpCall } from './adv.js';
import * as C from './cases.js';

async function both(name: string, records: Rec[]): Promise<Run> {
  const cap = await tmpCapture(`${name}.pcap`, records);
  try {
    const [w0, w2] = await replayBoth(cap.file);
    expect(w0.code, w0.stderr).toBe(0);
    expect(w2.code, w2.stderr).toBe(0);
    expect(w0.signal).toBeNull();
    expect(w2.raw).toEqual(w0.raw);
    expect(w0.summary?.packets).toBe(records.length);
    return w0;
  } finally {
    await cap.cleanup();
  }
}
const overTcp = (inv: Uint8Array, after: Rec[] = C.mediaAfter()) => [...C.tcpCall(inv), ...after];
const tcpInvite = (body: string) => invite(body, [], undefined, 'TCP');
const part = (type: string, bytes: Uint8Array) => overTcp(C.statementPart(type, bytes));

describe('SDP', () => {
  it('10 000 m-lines in one offer: read, nothing malformed', async () => {
    const r = await both('mlines', overTcp(tcpInvite(C.sdpManyMLines(10000))));
    expect(r.summary?.sip).toBe(3);
    expect(r.summary?.malformed).toBe(0);
  }, 30_000);
  it('10 000 a=ssrc lines in one m-section: read, nothing malformed', async () => {
    const r = await both('ssrc10k', overTcp(tcpInvite(C.sdpManySsrc(10000))));
    expect(r.summary?.malformed).toBe(0);
  }, 30_000);
  it('50 000 a=ssrc lines (1.15 MB message): one oversized-message report, the rest goes on', async () => {
    const r = await both('ssrc50k', overTcp(tcpInvite(C.sdpManySsrc(50000))));
    expect(malformedDetails(r)).toEqual(['frame 3: sip oversized-message at byte 0 (1150366)']);
  }, 30_000);
  it('a=group:BUNDLE naming 10 000 mids (3 sections): its group scope still applies', async () => {
    const r = await both('bundle', overTcp(tcpInvite(C.sdpBundle(10000, 3))));
    expect(r.summary?.telemetry).toEqual({ export: 1, aggregate: 0, drop: 0 });
  }, 30_000);
});

describe('SIP', () => {
  it('1 MB of header lines over TCP: oversized-message, then what it passes over, one report at most per segment', async () => {
    const r = await both('headers', overTcp(C.hugeHeaders(1 << 20)));
    const m = malformedDetails(r);
    expect(m[0]).toBe('frame 190: sip oversized-message at byte 0 (263200)');
    expect(m.length).toBeLessThanOrEqual(r.summary!.packets);
    expect(m.slice(1).every((d) => / sip garbage-skipped at byte \d+ \(\d+\)$/.test(d))).toBe(true);
  }, 30_000);
  it('10 000 AI-Pref values in one header: the dialog keeps 64 and a stand-in for the rest, each reported unresolved once, plus the stream', async () => {
    const r = await both('aipref', overTcp(C.manyAiPrefValues(10000)));
    expect(r.summary?.reports).toEqual({ 'implicit-binding': 1, 'unresolved-apt': 64 + 1 + 1 });
  }, 30_000);
  it('a multipart body nested 1 000 levels: no stack overflow, no crash', async () => {
    const r = await both('multipart', overTcp(C.nestedMultipart(1000)));
    expect(r.summary?.sip).toBe(3);
  }, 30_000);
  it('an INVITE declaring Content-Length 2^31: over TCP the message is skipped as oversized, over UDP refused', async () => {
    const tcp = await both('cl-tcp', overTcp(C.inviteDeclaring('2147483648')));
    expect(malformedDetails(tcp)).toEqual(['frame 3: sip oversized-message at byte 0 (2147483891)']);
    const udp = await both('cl-udp', [...udpCall(C.inviteDeclaring('2147483648', 'UDP')), ...C.mediaAfter()]);
    expect(malformedDetails(udp)).toEqual(['frame 1: sip bad-content-length at byte 213 (10 digits, more than a body can have)']);
  }, 30_000);
});

describe('statement parts', () => {
  const JSON_DEEP = 'frame 17: application/aipref+json part <s1@x> is nested deeper than 16 levels';
  it('application/aipref+json nested 10 000 arrays deep: reported, no recursion', async () => {
    expect(malformedDetails(await both('json10k', part('application/aipref+json', C.deepJson(10000))))).toEqual([JSON_DEEP]);
  }, 30_000);
  it('application/aipref+json nested 120 000 arrays / 40 000 objects deep: reported', async () => {
    expect(malformedDetails(await both('json120k', part('application/aipref+json', C.deepJson(120000))))).toEqual([JSON_DEEP.replace('frame 17', 'frame 174')]);
    expect(malformedDetails(await both('jsonobj', part('application/aipref+json', C.deepJsonObject(40000))))).toEqual([JSON_DEEP.replace('frame 17', 'frame 174')]);
  }, 30_000);
  it('application/aipref+cbor nested 100 000 arrays, definite and indefinite: reported at the bound', async () => {
    expect(malformedDetails(await both('cbor', part('application/aipref+cbor', C.deepCbor(100000))))).toEqual([
      'frame 74: application/aipref+cbor part <s1@x> is not CBOR that JSON could express: at byte 16: nested deeper than 16',
    ]);
    expect(malformedDetails(await both('cbor-indef', part('application/aipref+cbor', C.cborIndefiniteDeep(100000))))).toEqual([
      'frame 74: application/aipref+cbor part <s1@x> is not CBOR that JSON could express: at byte 0: indefinite-length array not supported',
    ]);
  }, 30_000);
  it('application/aipref+cbor declaring huge lengths: checked against the bytes left, nothing allocated', async () => {
    const p = 'frame 3: application/aipref+cbor part <s1@x> is not CBOR that JSON could express: at byte ';
    expect(malformedDetails(await both('cbor-text', part('application/aipref+cbor', C.cborHugeText())))).toEqual([`${p}4: text string of 9223372036854776000 bytes but 1 left`]);
    expect(malformedDetails(await both('cbor-array', part('application/aipref+cbor', C.cborHugeArray())))).toEqual([`${p}0: array of 4294967295 items but 1 bytes left`]);
    expect(malformedDetails(await both('cbor-map', part('application/aipref+cbor', C.cborHugeMap())))).toEqual([`${p}0: map of 4294967296 pairs but 1 bytes left`]);
  }, 30_000);
});

describe('RTCP on the call media port', () => {
  const call = (rtcp: number[]) => [...udpCall(invite(sdp('a'))), C.rtcpFromA(1, rtcp), ...C.mediaAfter()];
  it('a compound of an SR and 1 000 empty RRs: each judged, nothing malformed', async () => {
    const r = await both('rr1000', call(C.compoundOfTinyRRs(1000)));
    expect(r.decisions).toBe(1002);
    expect(r.summary?.malformed).toBe(0);
  }, 30_000);
  it('an SDES of 31 chunks of seven 255-byte items: read, 31 streams', async () => {
    const r = await both('sdes', call(C.fatSdes(31, 7)));
    expect(r.summary?.malformed).toBe(0);
    expect(r.summary?.streams).toBe(31);
  }, 30_000);
  it('31 chunks of 20 SDES PRIV aipref items: 16 kept per stream, one state-limit per stream', async () => {
    const r = await both('priv', call(C.privSdes(31, 20)));
    const limits = r.reports.filter((x) => x.type === 'state-limit').map((x) => x.detail);
    expect(limits).toEqual(new Array(31).fill('more than 16 SDES PRIV aipref identifiers: the others are not kept, the stream counts as most restrictive'));
  }, 30_000);
  it('an XR of 500 RRT blocks and one of 500 VoIP-metrics blocks: every block judged', async () => {
    expect((await both('xr', call(C.xrManyBlocks(500)))).decisions).toBe(502);
    expect((await both('xrvoip', call(C.xrManyVoip(500)))).decisions).toBe(1002);
  }, 30_000);
  it('a TWCC with status count 65 535 and no chunks: one malformed-input', async () => {
    expect(malformedDetails(await both('twcc', call(C.twccNoChunks(65535))))).toEqual(['frame 4: rtcp packet-too-short at byte 48: TWCC: packet chunks end after 0 of 65535 packet statuses']);
  }, 30_000);
});

describe('state limits', () => {
  it('210 800 SSRCs named by SDES on one call: the stream table stays at 200 000 and says so', async () => {
    const r = await both('streams', [...udpCall(invite(sdp('a'))), ...C.sdesFlood(6800), ...C.mediaAfter()]);
    expect(r.summary?.streams).toBe(200000);
    const limits = r.reports.filter((x) => x.type === 'state-limit').map((x) => String(x.detail));
    expect(limits[0]).toBe('stream table full (200000 streams): 1 least recently seen stream evicted so far');
  }, 30_000);
  it('3 ended calls naming 9 000 identifiers each: the APT identifier limit (20 000) says so', async () => {
    const r = await both('apts', C.callsWithManyIdentifiers(3, 9000));
    expect(r.reports.filter((x) => x.type === 'state-limit').map((x) => x.detail)).toEqual([
      'APT identifier limit reached (20000): 9000 least recently signaled identifiers no running dialog names forgotten so far',
    ]);
  }, 40_000);
});
