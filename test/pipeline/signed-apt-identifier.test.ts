import { readFile } from 'node:fs/promises';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../src/pipeline/media-core.js';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { type PolicyFile, parsePolicy } from '../../src/policy/policy-file.js';
import { parseSipMessage } from '../../src/signaling/sip-message.js';
import { sampleInviteAnswer } from '../signaling/sip-fixtures.js';

/**
 * A signed APT speaks for the identifier it names (`sub`): a token legitimately signed for
 * another identifier, presented for the operator's, is an integrity failure, not a newer
 * version that replaces what the policy file says.
 */
const ctx = { frame: 1, ts: 1767225600, src: '10.1.0.1', dst: '10.2.0.1', sport: 5060, dport: 5060, transport: 'udp' as const };

let signer: CryptoKey;
let policy: PolicyFile;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signer = pair.privateKey;
  policy = parsePolicy(JSON.stringify({ apts: { 'apt-op': { type: 'domain', version: 1, export: 'none' } }, keys: { k1: await exportJWK(pair.publicKey) } }), 'p.json');
});

function signed(sub: string): Promise<string> {
  return new SignJWT({ type: 'domain', version: 50, export: 'raw' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject(sub)
    .setIssuedAt(ctx.ts - 60)
    .setExpirationTime(ctx.ts + 3600)
    .sign(signer);
}

async function inviteWith(aiPref: string) {
  const text = (await readFile('samples/sip/invite-bundle.sip', 'utf8')).replace(/^AI-Pref: .*$/m, `AI-Pref: ${aiPref}`);
  const bytes = new TextEncoder().encode(text);
  return parseSipMessage(bytes, 0, bytes.length);
}

function lastSent(events: CoreEvent[], id: string) {
  const sent = events.flatMap((e) => (e.kind === 'statements' ? e.statements : [])).filter((s) => s.id === id);
  return sent[sent.length - 1];
}

describe('a signed APT presented for an identifier', () => {
  it('signed for another identifier: integrity failure, the operator statement is not replaced', async () => {
    const front = new SignalingFront(policy);
    front.initialEvents();
    await front.message(await inviteWith(`apt-op;integrity=jws;token=${await signed('apt-mine')}`), ctx);
    expect(lastSent(front.takeEvents(), 'apt-op')).toMatchObject({ status: 'integrity-failure', export: 'none' });
    const reports = front.takeReports().map((l) => JSON.stringify(l));
    expect(reports.some((r) => r.includes('integrity-failure') && r.includes('identifier-mismatch'))).toBe(true);
  });

  it('signed for this identifier: its newer version replaces the file entry', async () => {
    const front = new SignalingFront(policy);
    front.initialEvents();
    await front.message(await inviteWith(`apt-op;integrity=jws;token=${await signed('apt-op')}`), ctx);
    await front.message(await sampleInviteAnswer(), { ...ctx, frame: 2 });
    expect(lastSent(front.takeEvents(), 'apt-op')).toMatchObject({ status: 'resolved', export: 'raw' });
  });

  it('a token that is itself the quoted pref-id names itself, and speaks for nothing else', async () => {
    const front = new SignalingFront(policy);
    front.initialEvents();
    const jwt = await signed('apt-op');
    await front.message(await inviteWith(`"${jwt}";integrity=jws`), ctx);
    await front.message(await sampleInviteAnswer(), { ...ctx, frame: 2 });
    const events = front.takeEvents();
    expect(lastSent(events, jwt)).toMatchObject({ status: 'resolved', export: 'raw' });
    expect(lastSent(events, 'apt-op')).toBeUndefined();
  });
});
