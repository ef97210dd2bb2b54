/**
 * Found by a review of SIP dialog identity, fixed since: a second row of Call-ID, From, To,
 * CSeq, Content-Type or Content-Length is reported (`duplicate-header`), the first kept.
 *
 * Input: one UDP call A → B (INVITE with SDP `a=aipref:session apt-raw`, 200 with SDP, ACK, A's SR
 * at frame 4, BYE, 200, SR at frame 7) where header fields that may appear only once are
 * written twice (RFC 3261 §7.3.1: several rows of one field name only for fields whose value
 * is a comma-separated list; Call-ID, From, To and Content-Length are not, §25.1):
 *  (a) every message carries `Call-ID: cid-1@10.0.0.1` then `Call-ID: other@10.0.0.1`;
 *  (b) the 200, ACK, BYE and its 200 carry `To: …;tag=tt1` then `To: …;tag=zz9`;
 *  (c) the INVITE carries `Content-Length: 0` then `Content-Length: <real length>`.
 * tshark reads both values in each case (sip.Call-ID "cid-1@10.0.0.1,other@10.0.0.1",
 * sip.to.tag "tt1,zz9").
 * Was: no report at all; the first row wins silently — (a) dialog cid-1@10.0.0.1 bound and
 * exported raw, (b) dialog toTag "tt1", (c) the offer's SDP is dropped unread, so the call's
 * SR at frame 4 is `drop no-preference` with only `unbound-stream 4` reported
 * (reports: ["unbound-stream 4"], malformed 0).
 * Correct: each such message is malformed input and is reported, one `malformed-input` per
 * frame naming the duplicated header (SPEC §6 "malformed-input (with where: … frame number)",
 * §8 "Malformed packets … are counted and reported"); which dialog the message joins is ambiguous
 * and must not be decided silently. (For (c) a duplicated, disagreeing Content-Length is also
 * a framing ambiguity, RFC 3261 §18.3/§20.14.)
 * Fix: src/signaling/sip-message.ts readWellKnownHeaders — it keeps `callId ??= h` etc.; count
 * the rows of call-id, from, to, cseq, content-length (and content-type) and push a
 * sipError (e.g. a new 'duplicate-header' reason in sip-errors.ts, detail the header name) when
 * a second row is seen.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { callOf, PLAIN } from './call-shapes.js';
import { type Pkt, run } from './identity-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const malformed = (o: Awaited<ReturnType<typeof run>>) => o.reports.filter((r) => r.type === 'malformed-input');

describe('a header field that may appear once, written twice', () => {
  it('(a) two Call-ID rows: every message reported', async () => {
    const o = await run(ws, callOf({ ...PLAIN, callId: 'Call-ID: cid-1@10.0.0.1\r\nCall-ID: other@10.0.0.1' }));
    const m = malformed(o);
    expect(m.map((r) => r.frame)).toEqual([1, 2, 3, 5, 6]);
    for (const r of m) expect(r.detail).toMatch(/call-id/i);
  });

  it('(b) two To rows with different tags: the four messages carrying them reported', async () => {
    const o = await run(ws, callOf({ ...PLAIN, toTagged: 'To: <sip:b@10.0.0.2>;tag=tt1\r\nTo: <sip:b@10.0.0.2>;tag=zz9' }));
    const m = malformed(o);
    expect(m.map((r) => r.frame)).toEqual([2, 3, 5, 6]);
    for (const r of m) expect(r.detail).toMatch(/\bto\b/i);
  });

  it('(c) two Content-Length rows (0, then the real length) in the INVITE: reported', async () => {
    const call = callOf(PLAIN);
    const invite = new TextDecoder().decode(call[0]!.payload).replace(/Content-Length: (\d+)/, 'Content-Length: 0\r\nContent-Length: $1');
    call[0] = { ...call[0]!, payload: new TextEncoder().encode(invite) } as Pkt;
    const o = await run(ws, call);
    const m = malformed(o);
    expect(m.map((r) => r.frame)).toEqual([1]);
    expect(m[0]!.detail).toMatch(/content-length/i);
  });
});
