/**
 * Found by a review of bounded state, fixed since: past UNFOLDED_PARTS (8) unvouched parts of an identifier, the oldest are folded into one part per source and version resolving to what they did (same statement, disagreements kept), and `signaled` keeps the fold in their place (src/policy/apt-registry.ts addPart/foldOldest/foldInto, src/pipeline/signaling-front.ts foldSignaled).
 */
/**
 * Input: one SignalingFront (the live service's signaling thread) and a policy file stating
 * `apt-user` (user, raw, 1h). 1200 short calls one after another (INVITE, 200, ACK, BYE, 200;
 * each call ended), every INVITE naming the standing identifier `apt-user`:
 *  (a) a multipart INVITE whose application/aipref+json part states apt-user as the policy
 *      does, plus one extension member that differs per call (`"issued": 1700000000 + n`, an
 *      issue time — any per-call member: a nonce, a trace id), referenced by
 *      `AI-Pref: apt-user;scope=dialog;uri=<cid:…>` (seed §5.2, SPEC §2.2);
 *  (b) a plain header `AI-Pref: apt-user;scope=dialog;retention=<1000+n>s` (a caller-controlled
 *      value: any SIP client may send it).
 * The registry's held parts of apt-user and the front's `signaled` map (what a policy reload
 * delivers again) are read after 300 and after 1200 calls.
 *
 * Was: every ended call leaves one more statement part of apt-user behind, for good:
 * (a) held parts 302 → 1202 ("expected 1202 to be 302");
 * (b) held parts 301 → 1201 ("expected 1201 to be 301");
 * and the front's `signaled` map grows the same, one entry per call.
 * apt-user is named by the policy file, so forgetIdle never takes it, and nothing else bounds
 * the parts of one identifier (partKey keys a part by everything it says but scope, integrity
 * and uri: an extension member or a retention value that differs makes a new part). Each new
 * part also rebuilds the statement from all the parts (addPart → buildStatement): measured
 * with (b), 500 calls 1.6 s, 1000 calls 5.3 s, 2000 calls 11.7 s of the signaling thread —
 * superlinear; a caller sending INVITEs with a new retention each grinds a live service down and
 * grows its heap without limit. (The uri=<cid:…> case, parts that differ in binding keys only,
 * was fixed: test/pipeline/state-growth/cid-handle-parts.test.ts; this is the same growth by
 * what a part says.)
 * Correct: README "Limits": "What was kept for a dialog goes when it ends … a live service holds
 * the calls still running"; the identifiers signaling brought are bounded (20 000) — the parts of
 * one identifier must be too. After 1200 ended calls apt-user holds what it held after 300.
 * Fix: src/policy/apt-registry.ts addPart (and signaledKey/`signaled` in
 * src/pipeline/signaling-front.ts): bound the parts of one identifier — e.g. fold parts of the
 * same source into one part holding the most restrictive value of each key (what buildStatement
 * would resolve them to anyway; differing extension values kept once each, or as a count) once
 * more than a few are held, or drop the wire parts a dialog brought when the last dialog naming
 * them ends (keeping their restriction only while a running dialog names them).
 */
import { describe, expect, it } from 'vitest';
import { SignalingFront } from '../../../src/pipeline/signaling-front.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { parseSipMessage, type SipParseResult } from '../../../src/signaling/sip-message.js';
import { audioSdp, bytesOf, callMessage, sipText, udpContext } from '../../signaling/sip-fixtures.js';

type Any = Record<string, any>;

function multipartInvite(callId: string, n: number): SipParseResult {
  const cid = `st-${n}@a.example`;
  const statement = JSON.stringify({ version: 1, statements: [{ id: 'apt-user', type: 'user', export: 'raw', retention: '1h', issued: 1700000000 + n }] });
  const body = ['--B', 'Content-Type: application/sdp', '', audioSdp({ port: 4000, media: ['a=mid:0'] }), '--B', 'Content-Type: application/aipref+json', `Content-ID: <${cid}>`, '', statement, '--B--', ''].join('\r\n');
  const text = sipText(
    ['INVITE sip:bob@b.example SIP/2.0', `Via: SIP/2.0/UDP a.example;branch=z9hG4bK-${callId}-1-INVITE`, 'From: <sip:alice@a.example>;tag=a1', 'To: <sip:bob@b.example>', `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `AI-Pref: apt-user;scope=dialog;uri=<cid:${cid}>`, 'Content-Type: multipart/mixed;boundary=B'],
    body,
  );
  const b = bytesOf(text);
  return parseSipMessage(b, 0, b.length);
}

async function run(invite: (callId: string, n: number) => SipParseResult): Promise<{ parts: number; signaled: number }[]> {
  const policy = parsePolicy(JSON.stringify({ apts: { 'apt-user': { type: 'user', export: 'raw', retention: '1h' } } }), 'p.json');
  const front = new SignalingFront(policy, null);
  let frame = 0;
  const send = async (m: SipParseResult) => {
    await front.message(m, udpContext(++frame));
    front.takeEvents();
    front.takeReports();
  };
  const snapshots: { parts: number; signaled: number }[] = [];
  for (let n = 1; n <= 1200; n++) {
    const callId = `call-${n}`;
    await send(invite(callId, n));
    await send(callMessage('SIP/2.0 200 OK', { callId, cseq: '1 INVITE', toTag: `b${n}`, sdp: audioSdp({ port: 6000, media: ['a=mid:0'] }) }));
    await send(callMessage('ACK sip:bob@b.example SIP/2.0', { callId, cseq: '1 ACK', toTag: `b${n}` }));
    await send(callMessage('BYE sip:bob@b.example SIP/2.0', { callId, cseq: '2 BYE', toTag: `b${n}` }));
    await send(callMessage('SIP/2.0 200 OK', { callId, cseq: '2 BYE', toTag: `b${n}` }));
    if (n === 300 || n === 1200) {
      const entry = (front as unknown as Any).registry.entries.get('apt-user');
      snapshots.push({ parts: entry.held.parts.length + entry.pending.length, signaled: (front as unknown as Any).signaled.size });
    }
  }
  expect((front as unknown as Any).heldDialogs()).toBe(0);
  return snapshots;
}

describe('the statement parts of a standing identifier, many ended calls each saying something a little different', () => {
  it('(a) body statements with a per-call extension member: apt-user holds after 1200 calls what it held after 300', async () => {
    const [early, late] = await run(multipartInvite);
    expect(late!.parts).toBe(early!.parts);
    expect(late!.signaled).toBe(early!.signaled);
  }, 60_000);

  it('(b) AI-Pref values with a per-call retention: apt-user holds after 1200 calls what it held after 300', async () => {
    const [early, late] = await run((callId, n) => callMessage('INVITE sip:bob@b.example SIP/2.0', { callId, cseq: '1 INVITE', aiPref: `apt-user;scope=dialog;retention=${1000 + n}s`, sdp: audioSdp({ port: 4000, media: ['a=mid:0'] }) }));
    expect(late!.parts).toBe(early!.parts);
    expect(late!.signaled).toBe(early!.signaled);
  }, 60_000);
});
