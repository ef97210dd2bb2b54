import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../src/pipeline/media-core.js';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { emptyPolicy, parsePolicy } from '../../src/policy/policy-file.js';
import { parseSipMessage } from '../../src/signaling/sip-message.js';
import { audioSdp, callMessage, udpContext } from '../signaling/sip-fixtures.js';

const ctx = { frame: 1, ts: 1767225600, src: '10.1.0.1', dst: '10.2.0.1', sport: 5060, dport: 5060, transport: 'udp' as const };

/** The sample INVITE as call `n` (its own Call-ID and branch: a new dialog, not a retransmission), edited by `edit`. */
async function invite(n: number, edit: (text: string) => string = (t) => t) {
  const edited = edit((await readFile('samples/sip/invite-bundle.sip', 'utf8')).replaceAll('ffd04841f5', `ffd04841${n}`));
  // an edit of the body keeps its Content-Length right (a body cut short is discarded)
  const body = edited.slice(edited.indexOf('\r\n\r\n') + 4);
  const text = edited.replace(/^Content-Length: \d+$/m, `Content-Length: ${Buffer.byteLength(body)}`);
  const bytes = new TextEncoder().encode(text);
  return parseSipMessage(bytes, 0, bytes.length);
}

/** The identifiers of the statements the events hand to the shards, in order. */
function statementIds(events: CoreEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'statements' ? e.statements.map((s) => s.id) : []));
}

describe('statements sent to the shards', () => {
  it('go out when they change, not each time signaling repeats them', async () => {
    // the INVITE's uri=<https:…> handle for call-1 is the policy file's to resolve offline (a miss
    // there makes it unresolved, pending under each call's offer: a change each time)
    const front = new SignalingFront(parsePolicy(JSON.stringify({ apts: { 'urn:example:apt:call-1': { type: 'user', export: 'raw', retention: '1h' } } }), 'call-1.json'));
    await front.message(await invite(1), { ...ctx, frame: 1 });
    const first = front.takeEvents();
    expect(statementIds(first).sort()).toEqual(['apt-dom-1', 'apt-user-1', 'apt-video-1', 'urn:example:apt:call-1']);

    // A second call saying the same about the same identifiers: its scope goes out, no statement does.
    await front.message(await invite(2), { ...ctx, frame: 2 });
    const second = front.takeEvents();
    expect(second.map((e) => e.kind)).toContain('scope');
    expect(statementIds(second)).toEqual([]);

    // A third one says something new about one of them: that one goes out, as the registry now holds it.
    await front.message(await invite(3, (t) => t.replace('apt-dom-1 export=aggregated-only', 'apt-dom-1 export=none')), { ...ctx, frame: 3 });
    const third = front.takeEvents();
    expect(statementIds(third)).toEqual(['apt-dom-1']);
    const sent = third.flatMap((e) => (e.kind === 'statements' ? e.statements : []))[0]!;
    expect(sent.export).toBe('none');
  });
});

/**
 * SPEC §5: what a re-INVITE says about a pref-id awaits its answer — the shards get the stricter
 * of the statement without and with it — and a policy reload meanwhile keeps it pending.
 */
describe('statements a re-INVITE brings', () => {
  const INVITE = 'INVITE sip:bob@b.example SIP/2.0';
  const sdpSaying = (params: string) => audioSdp({ media: ['a=mid:0', `a=aipref:mid apt-x type=user ${params}`] });

  /** The export of the last statement of apt-x the events hand to the shards, if any. */
  function sentExport(events: CoreEvent[]): string | null | undefined {
    const sent = events.flatMap((e) => (e.kind === 'statements' ? e.statements : [])).filter((s) => s.id === 'apt-x');
    return sent.length === 0 ? undefined : sent[sent.length - 1]!.export;
  }

  /** A call in force with apt-x version 1 (export=none) and a re-INVITE offering version 2 (export=raw), frames 1-3. */
  async function callAwaitingAnswer(front: SignalingFront): Promise<void> {
    await front.message(callMessage(INVITE, { callId: 'reinvite', cseq: '1 INVITE', sdp: sdpSaying('version=1 export=none') }), udpContext(1));
    await front.message(callMessage('SIP/2.0 200 OK', { callId: 'reinvite', cseq: '1 INVITE', toTag: 'b1', sdp: audioSdp({ ip: '192.0.2.2', media: ['a=mid:0'] }) }), udpContext(2));
    expect(sentExport(front.takeEvents())).toBe('none');
    await front.message(callMessage(INVITE, { callId: 'reinvite', cseq: '2 INVITE', toTag: 'b1', sdp: sdpSaying('version=2 export=raw') }), udpContext(3));
    // a relaxation: the shards keep the statement in force until the answer
    expect(sentExport(front.takeEvents())).toBe('none');
  }

  const reload = (front: SignalingFront, frame: number) => {
    front.updatePolicy(parsePolicy(JSON.stringify({ apts: { 'apt-other': { export: 'raw' } } }), 'reloaded.json'), 10, frame, 1000 + frame);
    return front.takeEvents();
  };

  it('stay pending across a policy reload; the answer commits them, and a later reload keeps them', async () => {
    const front = new SignalingFront(emptyPolicy());
    await callAwaitingAnswer(front);
    expect(sentExport(reload(front, 4))).toBe('none');
    await front.message(callMessage('SIP/2.0 200 OK', { callId: 'reinvite', cseq: '2 INVITE', toTag: 'b1', sdp: audioSdp({ ip: '192.0.2.2', media: ['a=mid:0'] }) }), udpContext(5));
    const answered = front.takeEvents();
    expect(sentExport(answered)).toBe('raw');
    expect(answered.find((e) => e.kind === 'statements')?.frame).toBe(5);
    expect(sentExport(reload(front, 6))).toBe('raw');
  });

  it('a refusal after a reload discards them, and a later reload does not bring them back', async () => {
    const front = new SignalingFront(emptyPolicy());
    await callAwaitingAnswer(front);
    reload(front, 4);
    await front.message(
      callMessage('SIP/2.0 488 Not Acceptable Here', { callId: 'reinvite', cseq: '2 INVITE', toTag: 'b1', headers: ['Warning: 399 aipref "Preference unsupported"'] }),
      udpContext(5),
    );
    expect(sentExport(front.takeEvents())).toBe('none');
    expect(sentExport(reload(front, 6))).toBe('none');
  });

  it('a dialog that ends before the answer never accepted them', async () => {
    const front = new SignalingFront(emptyPolicy());
    await callAwaitingAnswer(front);
    await front.message(callMessage('BYE sip:bob@b.example SIP/2.0', { callId: 'reinvite', cseq: '3 BYE', toTag: 'b1' }), udpContext(4));
    expect(sentExport(front.takeEvents())).toBe('none');
    expect(sentExport(reload(front, 5))).toBe('none');
  });
});
