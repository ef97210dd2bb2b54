/**
 * Checks of the carried SDES tags at HEAD (a0f35dd, 9abb062, 03cc489) that came out fine; each
 * replay runs with 0 and 2 workers and compares exports, reports and decisions
 * (calls-on-any-address.ts replay):
 *  - forked INVITE: a tag carried into early dialog t1 (A's SR to t1's port) survives its 200 and
 *    stays out of the other fork t2;
 *  - a carry made while only the INVITE's offer routes the packet (before any response) goes with
 *    the rekey into the early dialog, then the answered one;
 *  - a re-INVITE moving the call to new addresses (A:4100 ↔ C 10.0.0.3:7000) where tagged media
 *    was seen unbound: carried into the call at its first packet there;
 *  - a call on hold (both sides re-INVITE c=0.0.0.0 a=inactive): a tag sent during the hold,
 *    unbound, is carried into the call when it resumes;
 *  - a carried tag gives the same binding rows, binding-conflict reports, deciding apt and summary
 *    counts (streams, dialogs, reports) as the same tag repeated in the call's own compound;
 *  - the `bindings` command (CLI, workers 0) shows the carried row as the replay's table has it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli, Workspace, writePolicy } from '../../e2e/e2e-helpers.js';
import { A, B, callSetup, type Pkt, replay, rtcp, sdesPriv, sdp, sipMsg, sr } from '../../e2e/calls-on-any-address.js';
import { reinvite } from '../../e2e/calls-both-workers.js';
import { THREE } from '../../e2e/hand-built-calls.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const R = '10.0.0.2';
const C = '10.0.0.3';
const callId = 'fork@x';
const via = `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}`;
const from = `From: <sip:a@${A}>;tag=ft`;
const raw = (addr: string, port: number, dir = 'a=sendrecv') => sdp(addr, [[`m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', dir]], ['a=aipref:session apt-raw']);
const resp = (status: string, tt: string, body: string | null): Pkt => ({
  src: R,
  dst: A,
  sport: 5060,
  dport: 5060,
  payload: sipMsg([`SIP/2.0 ${status}`, via, from, `To: <sip:b@${R}>;tag=${tt}`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:b@${R}:5060>`], body),
});
const invite: Pkt = { src: A, dst: R, sport: 5060, dport: 5060, payload: sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', via, from, `To: <sip:b@${R}>`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:a@${A}:5060>`], raw(A, 4000)) };
const ack: Pkt = { src: A, dst: R, sport: 5060, dport: 5060, payload: sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}-ack`, from, `To: <sip:b@${R}>;tag=t1`, `Call-ID: ${callId}`, 'CSeq: 1 ACK'], null) };
const tagged = (dst: string, dport: number) => rtcp(A, dst, 4001, dport, [sr(1111), sdesPriv(1111, 'apt-none')]);
type Run = Awaited<ReturnType<typeof replay>>;
const d = (r: Run) => r.decisions.map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} [${x.apt}]`);
const rowByTag = (r: Run, tt: string) => r.bindings.find((b) => b.ssrc === 1111 && (b.dialog as { toTag?: string } | null)?.toTag === tt && !b.ended)?.apt;

describe('carried SDES tags (round 26, third review): checked fine', () => {
  it('forked INVITE: a carry into early dialog t1 survives its 200 and stays out of fork t2', async () => {
    const r = await replay(
      ws,
      [
        tagged(R, 5001), // 1
        invite, // 2
        resp('183 Session Progress', 't1', raw(R, 5000)), // 3
        resp('183 Session Progress', 't2', raw(R, 6000)), // 4
        rtcp(A, R, 4001, 5001, [sr(1111)]), // 5: t1 takes the note
        rtcp(A, R, 4001, 6001, [sr(1111)]), // 6: t2
        resp('200 OK', 't1', raw(R, 5000)), // 7
        ack, // 8
        rtcp(A, R, 4001, 5001, [sr(1111)]), // 9
      ],
      THREE,
    );
    expect(d(r).slice(2)).toEqual(['5 1111 drop export-none [apt-none]', '6 1111 export raw-allowed [apt-raw]', '9 1111 drop export-none [apt-none]']);
    expect(rowByTag(r, 't1')).toEqual(['apt-raw', 'apt-none']);
    expect(rowByTag(r, 't2')).toEqual(['apt-raw']);
  });

  it("a carry into the INVITE's key (no response yet) is rekeyed into the answered fork", async () => {
    const r = await replay(
      ws,
      [
        tagged(R, 5001), // 1
        invite, // 2
        rtcp(A, R, 4001, 5001, [sr(1111)]), // 3: routed by the offer alone
        resp('183 Session Progress', 't1', raw(R, 5000)), // 4
        resp('183 Session Progress', 't2', raw(R, 6000)), // 5
        rtcp(A, R, 4001, 6001, [sr(1111)]), // 6
        resp('200 OK', 't1', raw(R, 5000)), // 7
        ack, // 8
        rtcp(A, R, 4001, 5001, [sr(1111)]), // 9
      ],
      THREE,
    );
    expect(d(r).slice(2)).toEqual(['3 1111 drop export-none [apt-none]', '6 1111 export raw-allowed [apt-raw]', '9 1111 drop export-none [apt-none]']);
    expect(rowByTag(r, 't1')).toEqual(['apt-raw', 'apt-none']);
    expect(rowByTag(r, 't2')).toEqual(['apt-raw']);
  });

  it('a re-INVITE moving the call to addresses where tagged media was seen unbound: carried', async () => {
    const r = await replay(
      ws,
      [
        ...callSetup({ offer: raw(A, 4000), answer: raw(B, 5000) }), // 1-3
        rtcp(A, C, 4101, 7001, [sr(1111), sdesPriv(1111, 'apt-none')]), // 4: unbound
        ...reinvite('rb-call@10.0.0.1', raw(A, 4100), raw(C, 7000)), // 5-7
        rtcp(A, C, 4101, 7001, [sr(1111)]), // 8
      ],
      THREE,
    );
    expect(d(r)).toEqual(['4 1111 drop export-none [apt-none]', '4 1111 drop export-none [apt-none]', '8 1111 drop export-none [apt-none]']);
    expect(r.exports).toEqual([]);
    expect(rowByTag(r, 'ttag')).toEqual(['apt-raw', 'apt-none']);
  });

  it('hold (c=0.0.0.0, a=inactive both ways): a tag sent during the hold is carried when the call resumes', async () => {
    const hold = (p: number) => sdp('0.0.0.0', [[`m=audio ${p} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=inactive']], ['a=aipref:session apt-raw']);
    const r = await replay(
      ws,
      [
        ...callSetup({ offer: raw(A, 4000), answer: raw(B, 5000) }), // 1-3
        ...reinvite('rb-call@10.0.0.1', hold(4000), hold(5000)), // 4-6
        rtcp(A, B, 4001, 5001, [sr(1111), sdesPriv(1111, 'apt-none')]), // 7
        ...reinvite('rb-call@10.0.0.1', raw(A, 4000), raw(B, 5000), 3), // 8-10
        rtcp(A, B, 4001, 5001, [sr(1111)]), // 11
      ],
      THREE,
    );
    expect(d(r).filter((x) => x.startsWith('11 '))).toEqual(['11 1111 drop export-none [apt-none]']);
    expect(r.exports).toEqual([]);
    expect(rowByTag(r, 'ttag')).toEqual(['apt-raw', 'apt-none']);
  });

  it("a carried tag's bindings, reports, deciding apt and summary counts are those of a tag repeated in the call's own RTCP", async () => {
    const pre = tagged(B, 5001);
    const call = callSetup({ offer: raw(A, 4000), answer: raw(B, 5000) });
    const carried = await replay(ws, [pre, ...call, rtcp(A, B, 4001, 5001, [sr(1111)])], THREE);
    const repeated = await replay(ws, [pre, ...call, rtcp(A, B, 4001, 5001, [sr(1111), sdesPriv(1111, 'apt-none')])], THREE);
    expect(carried.bindings).toEqual(repeated.bindings);
    expect(carried.reports).toEqual(repeated.reports);
    expect(new Set(d(carried))).toEqual(new Set(d(repeated)));
    const counts = (r: Run) => ({ streams: r.summary.streams, dialogs: r.summary.dialogs, reports: r.summary.reports, exported: (r.summary.telemetry as { export: number }).export });
    expect(counts(carried)).toEqual(counts(repeated));
    // the `bindings` command, same engine (workers 0), prints the carried row as the replay's table has it
    const policy = await writePolicy(ws, 'three.json', {
      apts: {
        'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
        'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' },
        'apt-none': { type: 'user', export: 'none', retention: '1h' },
      },
    });
    const b = await cli('bindings', carried.file, '--policy', policy, '--json');
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toEqual(JSON.parse(JSON.stringify(carried.bindings)));
  });
});
