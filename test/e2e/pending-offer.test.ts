/**
 * SPEC §5 and §3, end to end: what a re-INVITE offers — its scopes and the statement parts it
 * carries (a=aipref and AI-Pref parameters, a newer `version`) — awaits the answer. Until then
 * the stricter of what is in force and what is offered governs: a restriction applies from
 * the offer, a relaxation from the answer. A refused offer (488 with Warning 399 aipref, or
 * any other failure) changes nothing. Going from an APT to none is a restriction and from
 * none to an APT a relaxation: absence of preference is not consent (SPEC §3), a drop unless
 * the operator's default APT stands in for it. A value garbled after its identifier keeps the
 * identifier, unresolved (the most restrictive): not a removal, nor what else states it.
 *
 * Each case is a small call: INVITE, 200, ACK (frames 1-3); an SR before the re-INVITE
 * (frame 4); the re-INVITE (5); an SR while it awaits its answer (6); the answer (7), ACK (8);
 * an SR after it (9). Results are the same whatever the number of media workers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { PcapWriter } from '../../native-free/write.js';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import { type DecisionLine, parseLines, policyOf, type PolicyJson, replayLines, type ReplayLines, type ReportLine, Workspace } from './e2e-helpers.js';
import { type At, replayCall as replay, writeCall } from './hand-built-calls.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const T0 = 1767225600;
const CALL = 'pending-offer@10.0.0.1';
const encoder = new TextEncoder();

function sip(head: string[], sdp: string | null): Uint8Array {
  const body = sdp ?? '';
  const lines = [...head, ...(sdp ? ['Content-Type: application/sdp'] : []), `Content-Length: ${encoder.encode(body).length}`];
  return encoder.encode(lines.join('\r\n') + '\r\n\r\n' + body);
}

function sdpOf(party: 'a' | 'b', lines: string[]): string {
  const ip = party === 'a' ? '10.0.0.1' : '10.0.0.2';
  const port = party === 'a' ? 4000 : 5000;
  const ssrc = party === 'a' ? 1111 : 2222;
  return [`v=0`, `o=${party} 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtpmap:0 PCMU/8000', `a=ssrc:${ssrc} cname:${party}`, ...lines, 'a=sendrecv', ''].join('\r\n');
}

function request(method: string, cseq: number, sdp: string | null, headers: string[] = [], toTag = ';tag=bbb'): Uint8Array {
  return sip(
    [
      `${method} sip:b@10.0.0.2 SIP/2.0`,
      `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK${method}${cseq}`,
      'From: <sip:a@10.0.0.1>;tag=aaa',
      `To: <sip:b@10.0.0.2>${toTag}`,
      `Call-ID: ${CALL}`,
      `CSeq: ${cseq} ${method}`,
      'Contact: <sip:a@10.0.0.1:5060>',
      ...headers,
    ],
    sdp,
  );
}

function response(status: string, cseq: number, sdp: string | null, headers: string[] = []): Uint8Array {
  return sip(
    [
      `SIP/2.0 ${status}`,
      `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKINVITE${cseq}`,
      'From: <sip:a@10.0.0.1>;tag=aaa',
      'To: <sip:b@10.0.0.2>;tag=bbb',
      `Call-ID: ${CALL}`,
      `CSeq: ${cseq} INVITE`,
      'Contact: <sip:b@10.0.0.2:5060>',
      ...headers,
    ],
    sdp,
  );
}

interface Case {
  name: string;
  /** a=aipref lines (or other media-level lines) of the first offer and of the re-INVITE */
  before: string[];
  after: string[];
  /** AI-Pref headers of the INVITE and of the re-INVITE */
  headersBefore?: string[];
  headersAfter?: string[];
  /** the re-INVITE's final response: 200 (with an SDP) or a failure with its headers */
  answer: { status: '200 OK' } | { status: string; headers: string[] };
  policy: PolicyJson;
  /** decision and reason of the SR before the re-INVITE, while it is pending, after its answer */
  want: [string, string, string];
  /** where given: the types (and identifiers) of the reports made at the re-INVITE */
  reportsAtOffer?: string[];
}

const REFUSED = { status: '488 Not Acceptable Here', headers: ['Warning: 399 aipref "Preference unsupported"'] };
/** apt-x stated inline on the m-section, a user statement kept for an hour */
const aptX = (exportValue: 'none' | 'raw', version?: number): string => `a=aipref:mid apt-x type=user${version === undefined ? '' : ` version=${version}`} export=${exportValue} retention=1h`;
const RAW = { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' } };

const CASES: Case[] = [
  {
    name: 'an offer that removes the only APT drops from the offer on (no-preference)',
    before: ['a=aipref:mid apt-raw'],
    after: [],
    answer: { status: '200 OK' },
    policy: { apts: RAW },
    want: ['export raw-allowed', 'drop no-preference', 'drop no-preference'],
  },
  {
    name: "an offer that removes the only APT: the operator's default stands in for none, the stricter applies from the offer",
    before: ['a=aipref:mid apt-raw'],
    after: [],
    answer: { status: '200 OK' },
    policy: { apts: { ...RAW, 'apt-default': { type: 'domain', export: 'aggregated-only', retention: '1h' } }, default: 'apt-default' },
    want: ['export raw-allowed', 'aggregate aggregated-only', 'aggregate aggregated-only'],
  },
  {
    name: 'an offer that adds an APT where there was none relaxes only at the answer',
    before: [],
    after: ['a=aipref:mid apt-raw'],
    answer: { status: '200 OK' },
    policy: { apts: RAW },
    want: ['drop no-preference', 'drop no-preference', 'export raw-allowed'],
  },
  {
    name: 'a newer version that relaxes the statement applies at the answer',
    before: [aptX('none', 1)],
    after: [aptX('raw', 2)],
    answer: { status: '200 OK' },
    policy: { apts: {} },
    want: ['drop export-none', 'drop export-none', 'export raw-allowed'],
  },
  {
    name: 'a newer version that relaxes the statement, refused: never applies',
    before: [aptX('none', 1)],
    after: [aptX('raw', 2)],
    answer: REFUSED,
    policy: { apts: {} },
    want: ['drop export-none', 'drop export-none', 'drop export-none'],
  },
  {
    name: 'a relaxing offer refused without Warning 399 aipref (any failure): discarded too',
    before: [aptX('none', 1)],
    after: [aptX('raw', 2)],
    answer: { status: '500 Server Internal Error', headers: [] },
    policy: { apts: {} },
    want: ['drop export-none', 'drop export-none', 'drop export-none'],
  },
  {
    name: 'a stricter restatement applies from the offer and, refused, is discarded',
    before: [aptX('raw')],
    after: [aptX('none')],
    answer: REFUSED,
    policy: { apts: {} },
    want: ['export raw-allowed', 'drop export-none', 'export raw-allowed'],
  },
  {
    name: 'a stricter newer version applies from the offer and, refused, is discarded',
    before: [aptX('raw', 1)],
    after: [aptX('none', 2)],
    answer: REFUSED,
    policy: { apts: {} },
    want: ['export raw-allowed', 'drop export-none', 'export raw-allowed'],
  },
  {
    name: 'a stricter newer version, accepted, stays',
    before: [aptX('raw', 1)],
    after: [aptX('none', 2)],
    answer: { status: '200 OK' },
    policy: { apts: {} },
    want: ['export raw-allowed', 'drop export-none', 'drop export-none'],
  },
  {
    name: 'an AI-Pref header value restating a newer, looser version applies at the answer',
    before: [],
    after: [],
    headersBefore: ['AI-Pref: apt-h;scope=dialog;type=user;version=1;export=aggregated-only;retention=1h'],
    headersAfter: ['AI-Pref: apt-h;scope=dialog;type=user;version=2;export=raw;retention=1h'],
    answer: { status: '200 OK' },
    policy: { apts: {} },
    want: ['aggregate aggregated-only', 'aggregate aggregated-only', 'export raw-allowed'],
  },
  {
    name: "an a=aipref line the re-INVITE garbles after its identifier is no removal: the identifier is unresolved from the offer on, whatever the operator's file says of it",
    before: ['a=aipref:mid apt-raw'],
    after: ['a=aipref:mid apt-raw export=none note="unterminated'],
    answer: { status: '200 OK' },
    policy: { apts: RAW },
    want: ['export raw-allowed', 'drop export-none', 'drop export-none'],
    reportsAtOffer: ['malformed-input', 'unresolved-apt apt-raw'],
  },
  {
    name: 'a line garbled in an offer that is refused: the identifier unresolved while the offer awaits its answer, as it was after the refusal (SPEC §5)',
    before: ['a=aipref:mid apt-raw'],
    after: ['a=aipref:mid apt-raw export=none note="unterminated'],
    answer: REFUSED,
    policy: { apts: RAW },
    want: ['export raw-allowed', 'drop export-none', 'export raw-allowed'],
  },
  {
    name: 'an AI-Pref value garbled in an offer that is refused: undone with it',
    before: [],
    after: [],
    headersBefore: ['AI-Pref: apt-raw;scope=dialog'],
    headersAfter: ['AI-Pref: apt-raw;scope=dialog;export=none;export=none'],
    answer: REFUSED,
    policy: { apts: RAW },
    want: ['export raw-allowed', 'drop export-none', 'export raw-allowed'],
  },
  {
    name: "an identifier stated only by a garbled line is unresolved, the most restrictive (SPEC §3), not the operator's default",
    before: ['a=aipref:mid apt-new type=user export=raw =x'],
    after: ['a=aipref:mid apt-new type=user export=raw =x'],
    answer: { status: '200 OK' },
    policy: { apts: { 'apt-default': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-default' },
    want: ['drop export-none', 'drop export-none', 'drop export-none'],
  },
  {
    name: 'an AI-Pref value garbled after its pref-id keeps the identifier, unresolved: the most restrictive',
    before: [],
    after: [],
    headersBefore: ['AI-Pref: apt-h;scope=dialog;type=user;export=raw;export=none'],
    headersAfter: ['AI-Pref: apt-h;scope=dialog;type=user;export=raw;export=none'],
    answer: { status: '200 OK' },
    // the operator's file states apt-h raw: what the garbled value said is unknown, so it does not count
    policy: { apts: { 'apt-h': { type: 'user', export: 'raw', retention: '1h' }, 'apt-default': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-default' },
    want: ['drop export-none', 'drop export-none', 'drop export-none'],
  },
];

/** A sender report of A's audio stream (SSRC 1111): what each case looks at is how it is judged. */
const srOfA = (): Uint8Array => encodeRtcpCompound([{ pt: 200, ssrc: 1111, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 10, octetCount: 100, reports: [] }]);

/** A small capture replayed with 0 and 2 media workers, both checked to give the same lines (hand-built-calls.ts). */
const replayCall = (name: string, write: (at: At) => void, policy = policyOf({ apts: {} })): Promise<ReplayLines> => replay(ws, name, write, policy);

async function captureOf(c: Case, file: string): Promise<void> {
  await writeCall(file, (at) => {
    at(0, request('INVITE', 1, sdpOf('a', c.before), c.headersBefore, ''), true);
    at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
    at(0.2, request('ACK', 1, null), true);
    at(1, srOfA(), true, 4001, 5001);
    at(2, request('INVITE', 2, sdpOf('a', c.after), c.headersAfter), true);
    at(2.5, srOfA(), true, 4001, 5001);
    if (c.answer.status === '200 OK') at(3, response('200 OK', 2, sdpOf('b', [])), false);
    else at(3, response(c.answer.status, 2, null, 'headers' in c.answer ? c.answer.headers : []), false);
    at(3.1, request('ACK', 2, null), true);
    at(4, srOfA(), true, 4001, 5001);
  });
}

describe('a re-INVITE awaiting its answer', () => {
  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const file = await ws.file(`pending-${i}.pcap`);
      await captureOf(c, file);
      const policy = policyOf(c.policy);
      const runs = await Promise.all([0, 1, 2].map((workers) => replayLines({ capture: file, policy, workers, explain: true })));
      const decisions = parseLines<DecisionLine>(runs[0]!.decisions);
      expect(decisions.map((d) => d.frame)).toEqual([4, 6, 9]);
      expect(decisions.map((d) => `${d.decision} ${d.reason}`)).toEqual(c.want);
      for (const run of runs.slice(1)) {
        expect(run.decisions).toEqual(runs[0]!.decisions);
        expect(run.exports).toEqual(runs[0]!.exports);
        expect(run.reports).toEqual(runs[0]!.reports);
      }
      if (c.reportsAtOffer) {
        const atOffer = parseLines<ReportLine>(runs[0]!.reports).filter((r) => r.frame === 5);
        expect(atOffer.map((r) => [r.type, ...(r.apt ?? [])].join(' '))).toEqual(c.reportsAtOffer);
      }
      if (c.answer.status !== '200 OK') {
        const refused = parseLines<ReportLine>(runs[0]!.reports).filter((r) => r.frame === 7);
        expect(refused.map((r) => r.detail)).toEqual([expect.stringMatching(/^offer refused: .*its changes are discarded$/)]);
      }
    });
  });
});

describe('an offer superseded before its answer (crossing re-INVITEs, or a failure response the capture lost)', () => {
  // B's own requests and A's responses to them: B's From tag, its CSeq space, sent to A
  const fromB = (method: string, cseq: number, sdp: string | null): Uint8Array =>
    sip(
      [
        `${method} sip:a@10.0.0.1 SIP/2.0`,
        `Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKb${method}${cseq}`,
        'From: <sip:b@10.0.0.2>;tag=bbb',
        'To: <sip:a@10.0.0.1>;tag=aaa',
        `Call-ID: ${CALL}`,
        `CSeq: ${cseq} ${method}`,
        'Contact: <sip:b@10.0.0.2:5060>',
      ],
      sdp,
    );
  const toB = (status: string, cseq: number, sdp: string | null): Uint8Array =>
    sip(
      [
        `SIP/2.0 ${status}`,
        `Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKbINVITE${cseq}`,
        'From: <sip:b@10.0.0.2>;tag=bbb',
        'To: <sip:a@10.0.0.1>;tag=aaa',
        `Call-ID: ${CALL}`,
        `CSeq: ${cseq} INVITE`,
        'Contact: <sip:a@10.0.0.1:5060>',
      ],
      sdp,
    );

  it("the superseded offer's relaxation is never committed by the answer to the offer that took its place", async () => {
    const run = await replayCall('superseded', (at) => {
      const strict = aptX('none', 1);
      at(0, request('INVITE', 1, sdpOf('a', [strict]), [], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [strict])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4
      at(2, request('INVITE', 2, sdpOf('a', [aptX('raw', 2)])), true); // 5: A offers a newer, looser version
      at(2.5, srOfA(), true, 4001, 5001); // 6
      at(2.6, fromB('INVITE', 1, sdpOf('b', [strict])), false); // 7: B's re-INVITE crosses it
      at(2.7, response('491 Request Pending', 2, null), false); // 8: B refuses A's
      at(3, toB('200 OK', 1, sdpOf('a', [strict])), true); // 9: A answers B's
      at(3.1, fromB('ACK', 1, null), false); // 10
      at(4, srOfA(), true, 4001, 5001); // 11
    });
    const decisions = parseLines<DecisionLine>(run.decisions);
    expect(decisions.map((d) => [d.frame, `${d.decision} ${d.reason}`])).toEqual([
      [4, 'drop export-none'],
      [6, 'drop export-none'],
      [11, 'drop export-none'],
    ]);
    const superseded = parseLines<ReportLine>(run.reports).filter((r) => r.frame === 7 && r.type === 'scope-transitioned');
    expect(superseded.map((r) => r.detail)).toEqual([expect.stringMatching(/superseded by a new one .*its changes are discarded$/)]);
  });
});

describe('AI-Pref values in a request without SDP (an INFO, an UPDATE or re-INVITE without an offer)', () => {
  const REFUSAL_HEAD = (method: string): string[] => [
    'SIP/2.0 488 Not Acceptable Here',
    `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK${method}2`,
    'From: <sip:a@10.0.0.1>;tag=aaa',
    'To: <sip:b@10.0.0.2>;tag=bbb',
    `Call-ID: ${CALL}`,
    `CSeq: 2 ${method}`,
    'Warning: 399 aipref "Preference unsupported"',
  ];
  async function run(name: string, header: string, method = 'INFO', refused = false, first = 'AI-Pref: apt-h;scope=dialog'): Promise<string[]> {
    const policy = policyOf({ apts: { 'apt-h': { type: 'user', export: 'raw', retention: '1h' } } });
    const replay = await replayCall(name, (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [first], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4
      at(2, request(method, 2, null, [header]), true); // 5
      at(3, srOfA(), true, 4001, 5001); // 6
      // a refusal of the request (a 488 with Warning 399 aipref), and an SR after it
      if (refused) at(3.5, sip(REFUSAL_HEAD(method), null), false); // 7
      if (refused) at(4, srOfA(), true, 4001, 5001); // 8
    }, policy);
    return parseLines<DecisionLine>(replay.decisions).map((d) => `${d.frame} ${d.decision} ${d.reason}`);
  }

  it('say what they say although they name the identifiers already in force: a restriction applies from there', async () => {
    expect(await run('info-restricts', 'AI-Pref: apt-h;scope=dialog;type=user;export=none')).toEqual(['4 export raw-allowed', '6 drop export-none']);
  });

  it('a relaxation there never applies (no answer confirms it), refused or not (SPEC §5)', async () => {
    const first = 'AI-Pref: apt-v;scope=dialog;type=user;version=1;export=aggregated-only;retention=1h';
    const looser = 'AI-Pref: apt-v;scope=dialog;type=user;version=2;export=raw;retention=1h';
    expect(await run('reinvite-no-sdp-refused', looser, 'INVITE', true, first)).toEqual(['4 aggregate aggregated-only', '6 aggregate aggregated-only', '8 aggregate aggregated-only']);
    expect(await run('update-no-sdp', looser, 'UPDATE', false, first)).toEqual(['4 aggregate aggregated-only', '6 aggregate aggregated-only']);
    expect(await run('info-looser', looser, 'INFO', false, first)).toEqual(['4 aggregate aggregated-only', '6 aggregate aggregated-only']);
  });

  it('an INFO naming what only a pending offer names: held back meanwhile, in force as stated once that offer is refused', async () => {
    const run = await replayCall('info-new-during-offer', (at) => {
      const offered = 'AI-Pref: apt-n;scope=dialog;type=user;version=1;export=raw;retention=1h';
      const stated = 'AI-Pref: apt-n;scope=dialog;type=user;version=1;export=aggregated-only;retention=1h';
      at(0, request('INVITE', 1, sdpOf('a', []), [], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, request('INVITE', 2, sdpOf('a', []), [offered]), true); // 4: the offer names apt-n
      at(1.5, request('INFO', 3, null, [stated]), true); // 5: the INFO names it too
      at(2, srOfA(), true, 4001, 5001); // 6
      at(3, response(REFUSED.status, 2, null, REFUSED.headers), false); // 7
      at(3.1, request('ACK', 2, null), true); // 8
      at(4, srOfA(), true, 4001, 5001); // 9
    });
    expect(parseLines<DecisionLine>(run.decisions).map((d) => `${d.frame} ${d.decision} ${d.reason}`)).toEqual(['6 drop export-none', '9 aggregate aggregated-only']);
  });

  it("an INFO repeating what a pending offer says does not commit it: the offer's refusal still discards it", async () => {
    const run = await replayCall('info-during-offer', (at) => {
      const looser = 'AI-Pref: apt-v;scope=dialog;type=user;version=2;export=raw;retention=1h';
      at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-v;scope=dialog;type=user;version=1;export=aggregated-only;retention=1h'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4
      at(2, request('INVITE', 2, sdpOf('a', []), [looser]), true); // 5
      at(2.5, srOfA(), true, 4001, 5001); // 6
      at(2.6, request('INFO', 3, null, [looser]), true); // 7
      at(2.8, srOfA(), true, 4001, 5001); // 8
      at(3, response(REFUSED.status, 2, null, REFUSED.headers), false); // 9
      at(3.1, request('ACK', 2, null), true); // 10
      at(4, srOfA(), true, 4001, 5001); // 11
    });
    expect(parseLines<DecisionLine>(run.decisions).map((d) => `${d.frame} ${d.decision}`)).toEqual(['4 aggregate', '6 aggregate', '8 aggregate', '11 aggregate']);
  });

  it('an identifier nothing stated before is in force as stated: there is nothing of it to relax', async () => {
    expect(await run('info-new-id', 'AI-Pref: apt-n;scope=dialog;type=user;export=aggregated-only;retention=1h')).toEqual(['4 export raw-allowed', '6 aggregate aggregated-only']);
  });

  it("a response to such a request, or a re-INVITE's ACK, is no answer either: a looser version there never applies", async () => {
    const first = 'AI-Pref: apt-v;scope=dialog;type=user;version=1;export=aggregated-only;retention=1h';
    const looser = 'AI-Pref: apt-v;scope=dialog;type=user;version=2;export=raw;retention=1h';
    const run = await replayCall('mid-call-responses', (at) => {
      const infoOk = sip(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKINFO2', 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>;tag=bbb', `Call-ID: ${CALL}`, 'CSeq: 2 INFO', looser], null);
      at(0, request('INVITE', 1, sdpOf('a', []), [first], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4
      at(2, request('INFO', 2, null, []), true); // 5
      at(2.1, infoOk, false); // 6: the callee's 200 to the INFO says the looser version
      at(2.5, srOfA(), true, 4001, 5001); // 7
      at(3, request('INVITE', 3, sdpOf('a', [])), true); // 8
      at(3.1, response('200 OK', 3, sdpOf('b', [])), false); // 9
      at(3.2, request('ACK', 3, null, [looser]), true); // 10: the re-INVITE's ACK says it too
      at(4, srOfA(), true, 4001, 5001); // 11
    });
    expect(parseLines<DecisionLine>(run.decisions).map((d) => `${d.frame} ${d.decision}`)).toEqual(['4 aggregate', '7 aggregate', '11 aggregate']);
  });

  it('a garbled one makes its identifier unresolved from there', async () => {
    expect(await run('info-garbled', 'AI-Pref: apt-h;scope=dialog;export=raw;export=raw')).toEqual(['4 export raw-allowed', '6 drop export-none']);
  });
});

describe("another call's offer awaiting its answer", () => {
  /** a message of call `call` from the caller (tag aaa) to the callee (tag bbb, absent on the initial INVITE), or the callee's response */
  const message = (call: string, startLine: string, method: string, cseq: number, sdp: string | null, headers: string[] = [], toTag = ';tag=bbb'): Uint8Array =>
    sip([startLine, `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK${call}${method}${cseq}`, 'From: <sip:a@10.0.0.1>;tag=aaa', `To: <sip:b@10.0.0.2>${toTag}`, `Call-ID: ${call}`, `CSeq: ${cseq} ${method}`, ...headers], sdp);
  const onPort = (sdp: string, port: number) => sdp.replace(/m=audio \d+/, `m=audio ${port}`).replace(/a=ssrc:\d+/, `a=ssrc:${port}`);

  it('that ends with the call takes what the call held back with it, even where its offer alone named the identifier', async () => {
    const run = await replayCall('ended-with-offer', (at) => {
      const x = 'x@10.0.0.1';
      at(0, message(x, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [], ''), true); // 1
      at(0.1, message(x, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false); // 2
      at(0.2, message(x, 'ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, null), true); // 3
      at(1, message(x, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 2, onPort(sdpOf('a', []), 6000), ['AI-Pref: apt-n;scope=dialog;type=user;export=raw;retention=1h']), true); // 4
      at(1.5, message(x, 'INFO sip:b@10.0.0.2 SIP/2.0', 'INFO', 3, null, ['AI-Pref: apt-n;scope=dialog;type=user;export=aggregated-only;retention=1h']), true); // 5
      at(2, message(x, 'BYE sip:b@10.0.0.2 SIP/2.0', 'BYE', 4, null), true); // 6: the call ends, its offer unanswered
      at(3, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-n;scope=dialog'], ''), true); // 7: this call names apt-n, says nothing of it
      at(3.1, response('200 OK', 1, sdpOf('b', [])), false); // 8
      at(3.2, request('ACK', 1, null), true); // 9
      at(4, srOfA(), true, 4001, 5001); // 10
    });
    expect(parseLines<DecisionLine>(run.decisions).map((d) => `${d.frame} ${d.decision} ${d.reason}`)).toEqual(['10 drop export-none']);
  });

  it("does not hold back what this call's INFO states of an identifier new to it", async () => {
    const n = 'AI-Pref: apt-n;scope=dialog;type=user;version=1;export=aggregated-only;retention=1h';
    const run = await replayCall('other-call-offer', (at) => {
      const x = 'x@10.0.0.1';
      at(0, message(x, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [], ''), true); // 1
      at(0.1, message(x, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false); // 2
      at(0.2, message(x, 'ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, null), true); // 3
      at(0.3, request('INVITE', 1, sdpOf('a', []), [], ''), true); // 4: this call
      at(0.4, response('200 OK', 1, sdpOf('b', [])), false); // 5
      at(0.5, request('ACK', 1, null), true); // 6
      at(1, message(x, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 2, onPort(sdpOf('a', []), 6000), [n]), true); // 7: the other call offers apt-n
      at(1.5, request('INFO', 2, null, [n]), true); // 8: this call's INFO names apt-n, new to it
      at(2, srOfA(), true, 4001, 5001); // 9
      at(3, message(x, 'SIP/2.0 488 Not Acceptable Here', 'INVITE', 2, null, ['Warning: 399 aipref "no"']), false); // 10
      at(4, srOfA(), true, 4001, 5001); // 11
    });
    expect(parseLines<DecisionLine>(run.decisions).map((d) => `${d.frame} ${d.decision} ${d.reason}`)).toEqual(['9 aggregate aggregated-only', '11 aggregate aggregated-only']);
  });
});
