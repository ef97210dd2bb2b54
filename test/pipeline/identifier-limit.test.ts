/**
 * The signaling front keeps at most so many identifiers signaling brought: past the limit the
 * least recently delivered ones that neither the policy file nor a running dialog names are
 * forgotten, in the front and (a `forget` event) in the shards. Signed APTs carry a token per
 * call as their identifier, so without the bound a live service would keep every one.
 */
import { describe, expect, it } from 'vitest';
import type { AptStatement } from '../../src/policy/statement.js';
import { MediaCore, type CoreEvent } from '../../src/pipeline/media-core.js';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { parsePolicy } from '../../src/policy/policy-file.js';
import { audioSdp, callMessage, udpContext } from '../signaling/sip-fixtures.js';


describe('the bound on identifiers signaling brings', () => {
  it('forgets the least recently signaled identifiers no running dialog or policy entry names, and takes them again when signaled again', async () => {
    const policy = parsePolicy(JSON.stringify({ apts: { 'apt-file': { type: 'domain', export: 'raw' } } }), 'p.json');
    const front = new SignalingFront(policy, null, { maxIdentifiers: 10 });
    const events: CoreEvent[] = [];
    const reports: string[] = [];
    let frame = 0;
    const send = async (m: ReturnType<typeof callMessage>) => {
      await front.message(m, udpContext(++frame));
      events.push(...front.takeEvents());
      reports.push(...front.takeReports().map((r) => r.text));
    };
    // a call that stays up, then 40 calls refused one after the other, each naming its own identifier
    await send(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId: 'keep', cseq: '1 INVITE', aiPref: '"urn:x:keep";scope=dialog;export=raw', sdp: audioSdp({ media: ['a=mid:0'] }) }));
    await send(callMessage('SIP/2.0 200 OK', { callId: 'keep', cseq: '1 INVITE', toTag: 'bk', sdp: audioSdp({ port: 6000, media: ['a=mid:0'] }) }));
    for (let n = 1; n <= 40; n++) {
      const callId = `call-${n}`;
      await send(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId, cseq: '1 INVITE', aiPref: `"urn:x:${callId}";scope=dialog;export=raw`, sdp: audioSdp({ port: 4000 + 2 * n, media: ['a=mid:0'] }) }));
      await send(callMessage('SIP/2.0 486 Busy Here', { callId, cseq: '1 INVITE', toTag: `b${n}` }));
    }
    const forgotten = events.flatMap((e) => (e.kind === 'forget' ? e.ids : []));
    // 41 identifiers signaled, at most 10 kept: rounds down to 9 whenever the eleventh comes
    expect(forgotten.length).toBeGreaterThanOrEqual(31);
    expect(forgotten).not.toContain('urn:x:keep');
    expect(forgotten).toContain('urn:x:call-1');
    expect(new Set(forgotten).size).toBe(forgotten.length);
    const limits = reports.filter((r) => r.includes('"type":"state-limit"'));
    expect(limits.length).toBeGreaterThanOrEqual(1);
    expect(limits[0]).toMatch(/APT identifier limit reached \(10\): \d+ least recently signaled identifiers no running dialog names forgotten so far/);

    // the shards forget them too: a core given every event resolves call-1's identifier as unknown
    const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null });
    for (const e of events) core.event(e);
    const table = (core as unknown as { statements: { get(id: string): AptStatement | undefined } }).statements;
    expect(table.get('urn:x:call-1')).toBeUndefined();
    expect(table.get('urn:x:keep')?.export).toBe('raw');
    // a refused call's statement is discarded with its offer; its identifier is still known
    expect(table.get('urn:x:call-40')?.export).toBe('none');

    // signaled again, call-1's identifier is new again: its statement goes to the shards once more
    events.length = 0;
    await send(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId: 'call-1-again', cseq: '1 INVITE', aiPref: '"urn:x:call-1";scope=dialog;export=raw', sdp: audioSdp({ port: 5000, media: ['a=mid:0'] }) }));
    const sent = events.flatMap((e) => (e.kind === 'statements' ? e.statements.map((s) => s.id) : []));
    expect(sent).toContain('urn:x:call-1');
  });
});
