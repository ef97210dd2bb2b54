/**
 * The signaling front's side of a token expiring mid-call (SPEC §3: expired fails integrity;
 * SignalingFront.expireDue): what a policy reload and a refused re-INVITE do with it.
 */
import { readFile } from 'node:fs/promises';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../src/pipeline/media-core.js';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { parsePolicy } from '../../src/policy/policy-file.js';
import { parseSipMessage } from '../../src/signaling/sip-message.js';
import { sampleInviteAnswer } from '../signaling/sip-fixtures.js';

const T = 1767225600;
const ctx = { frame: 1, ts: T, src: '10.1.0.1', dst: '10.2.0.1', sport: 5060, dport: 5060, transport: 'udp' as const };
let signer: CryptoKey;
let jwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signer = pair.privateKey;
  jwk = await exportJWK(pair.publicKey);
});

const token = (exportValue: string, expSec: number) =>
  new SignJWT({ type: 'user', export: exportValue }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('apt-x').setIssuedAt(T - 60).setExpirationTime(T + expSec).sign(signer);

/** the sample INVITE with `aiPref`, as a re-INVITE (To tag, CSeq, branch) when `cseq` is given */
async function inviteText(aiPref: string, cseq?: number): Promise<string> {
  let text = (await readFile('samples/sip/invite-bundle.sip', 'utf8')).replace(/^AI-Pref: .*$/m, `AI-Pref: ${aiPref}`);
  if (cseq !== undefined) text = text.replace(/^(To: .*)$/m, '$1;tag=callee1').replace(/^CSeq: \d+ INVITE$/m, `CSeq: ${cseq} INVITE`).replace(/branch=(\w+)/, `branch=$1-${cseq}`);
  return text;
}

const parsed = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return parseSipMessage(bytes, 0, bytes.length);
};

const invite = async (aiPref: string, cseq?: number) => parsed(await inviteText(aiPref, cseq));

/** a final response to the re-INVITE of `cseq` (a 2xx with the offer's SDP as its answer) */
async function answer(status: string, cseq: number) {
  const [head, sdp] = (await inviteText('x', cseq)).split('\r\n\r\n') as [string, string];
  const lines = head.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
  const body = status.startsWith('2') ? sdp : '';
  return parsed([`SIP/2.0 ${status}`, ...lines, ...(body ? ['Content-Type: application/sdp'] : []), `Content-Length: ${Buffer.byteLength(body)}`].join('\r\n') + '\r\n\r\n' + body);
}

function lastSent(events: CoreEvent[], id: string) {
  const sent = events.flatMap((e) => (e.kind === 'statements' ? e.statements : [])).filter((s) => s.id === id);
  return sent[sent.length - 1];
}

const policy = () => parsePolicy(JSON.stringify({ keys: { k1: jwk } }), 'p.json');

async function callWithToken(expSec: number): Promise<SignalingFront> {
  const front = new SignalingFront(policy());
  front.initialEvents();
  await front.message(await invite(`apt-x;integrity=jws;token=${await token('raw', expSec)}`), ctx);
  await front.message(await sampleInviteAnswer(), { ...ctx, frame: 2 });
  expect(lastSent(front.takeEvents(), 'apt-x')).toMatchObject({ status: 'resolved', export: 'raw' });
  expect(front.nextExpiry).toBe(T + expSec);
  return front;
}

describe('a token expiring mid-call, at the signaling front', () => {
  it('is an integrity failure from its exp, sent to the shards at the frame it fell due', async () => {
    const front = await callWithToken(10);
    front.expireDue(3, T + 9.5);
    expect(lastSent(front.takeEvents(), 'apt-x')).toBeUndefined();
    front.expireDue(4, T + 10);
    const events = front.takeEvents();
    expect(events.find((e) => e.kind === 'statements')?.frame).toBe(4);
    expect(lastSent(events, 'apt-x')).toMatchObject({ status: 'integrity-failure', export: 'none' });
    expect(front.nextExpiry).toBe(Infinity);
  });

  it('stays expired through a policy reload (the reload verifies the token at the time it came)', async () => {
    const front = await callWithToken(10);
    front.expireDue(4, T + 10);
    front.takeEvents();
    await front.updatePolicy(policy(), 10, 5, T + 20);
    expect(lastSent(front.takeEvents(), 'apt-x')).toMatchObject({ status: 'integrity-failure', export: 'none' });
  });

  it('a fresh token with another statement lifts the expiry at its answer, not if the re-INVITE is refused', async () => {
    for (const [status, after] of [
      ['488 Not Acceptable Here', 'integrity-failure'],
      ['200 OK', 'resolved'],
    ] as const) {
      const front = await callWithToken(10);
      front.expireDue(4, T + 10);
      front.takeEvents();
      await front.message(await invite(`apt-x;integrity=jws;token=${await token('aggregated-only', 100)}`, 2), { ...ctx, frame: 5, ts: T + 12 });
      expect(lastSent(front.takeEvents(), 'apt-x') ?? { status: 'integrity-failure' }).toMatchObject({ status: 'integrity-failure' });
      await front.message(await answer(status, 2), { ...ctx, frame: 6, ts: T + 12.1 });
      const sent = lastSent(front.takeEvents(), 'apt-x') ?? { status: 'integrity-failure' };
      expect(sent, status).toMatchObject({ status: after });
    }
  });
});
