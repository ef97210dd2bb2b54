/**
 * SPEC §2.1: unknown AI-Pref header parameters are ignored (seed §5.1.2, RFC 4485 §4.4) — a
 * repeated one too. It must not cost the dialog its signalled identifier: here a regulatory
 * floor, which would otherwise vanish and leave the stream to the operator's default.
 */
import { describe, expect, it } from 'vitest';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { parsePolicy } from '../../src/policy/policy-file.js';
import { audioSdp, callMessage, udpContext } from '../signaling/sip-fixtures.js';

const policy = parsePolicy(
  JSON.stringify({ apts: { 'apt-reg': { type: 'regulatory', export: 'none' }, 'apt-default': { type: 'domain', export: 'raw' } }, default: 'apt-default' }),
  'policy.json',
);

/** The dialog-level identifiers of the scope an INVITE with this AI-Pref value offers, and the reports it made. */
async function offered(aiPref: string): Promise<{ dialogApts: string[]; reports: string[] }> {
  const front = new SignalingFront(policy, null);
  await front.message(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId: 'c1', cseq: '1 INVITE', aiPref, sdp: audioSdp({ media: ['a=mid:a'] }) }), udpContext(1));
  const scope = front.takeEvents().find((e) => e.kind === 'scope');
  return { dialogApts: scope?.kind === 'scope' ? scope.scope.dialogApts : [], reports: front.takeReports().map((r) => (JSON.parse(r.text) as { type: string }).type) };
}

describe('dialog-level AI-Pref values with unknown parameters', () => {
  it('keep their identifier when an unknown parameter repeats, as with a single one', async () => {
    expect(await offered('apt-reg;scope=dialog;x-foo=1')).toEqual({ dialogApts: ['apt-reg'], reports: [] });
    expect(await offered('apt-reg;scope=dialog;x-foo=1;x-foo=2')).toEqual({ dialogApts: ['apt-reg'], reports: [] });
  });

  it('a repeated known parameter still makes the value malformed: reported, its identifier kept for the scope read first, bare', async () => {
    const r = await offered('apt-reg;scope=dialog;Scope=media');
    expect(r.dialogApts).toEqual(['apt-reg']);
    expect(r.reports).toContain('malformed-input');
  });
});
