/**
 * SPEC §5: an offer awaiting its answer restricts from the offer on. A stream is bound to the
 * offer's m-sections by the offer's own identifiers (a=ssrc, mid, transport address), so an
 * m-section only the offer has — one a re-INVITE adds, or the offer in the 200 of an INVITE
 * sent without SDP — governs its streams before the answer; the answer commits that binding,
 * a refusal drops it.
 */
import { describe, expect, it } from 'vitest';
import { bindStream, sectionOf, type StreamState, StreamTable } from '../../src/binding/stream-table.js';
import type { DialogScope, SectionScope } from '../../src/binding/types.js';
import { StatementTable, StreamPreferences } from '../../src/enforce/stream-preferences.js';
import { encodeRtpPacket } from '../../src/media/rtp-encode.js';
import { MediaCore, type PacketAddress } from '../../src/pipeline/media-core.js';
import { buildStatement } from '../../src/policy/statement.js';

function section(index: number, mid: string, apts: string[], more: Partial<SectionScope> = {}): SectionScope {
  return { index, mid, kind: index === 0 ? 'audio' : 'video', disabled: false, rtp: [], rtcp: [], ssrcs: [], midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: apts.map((id) => ({ id, origin: 'mid' as const })), ...more };
}

function scope(sections: SectionScope[], pending: DialogScope | null = null, dialogApts = ['apt-raw']): DialogScope {
  return { key: 'd1', dialog: { callId: 'c1', fromTag: 'f', toTag: 't' }, sections, dialogApts, repositoryApts: [], pending };
}

const AUDIO = section(0, 'a', [], { ssrcs: [1111] });

/** In force: audio only, under the dialog-level apt-raw. Offered: video (index 1, mid v) under apt-none too. */
function offering(video: Partial<SectionScope>): DialogScope {
  return scope([AUDIO], scope([AUDIO, section(1, 'v', ['apt-none'], video)]));
}

function setup(initial: DialogScope, ssrc = 3333): { stream: StreamState; preferences: StreamPreferences; rescope: (next: DialogScope, candidates?: number[]) => boolean } {
  const statements = new StatementTable();
  statements.set(buildStatement('apt-raw', [{ prefId: 'apt-raw', source: 'policy-file', params: { export: 'raw', type: 'user' } }]).statement);
  statements.set(buildStatement('apt-none', [{ prefId: 'apt-none', source: 'policy-file', params: { export: 'none', type: 'user' } }]).statement);
  const table = new StreamTable();
  const stream = table.stream(table.session('d1', initial), ssrc, 0);
  const rescope = (next: DialogScope, candidates: number[] = []) => {
    stream.session.scope = next;
    return bindStream(stream, next, candidates);
  };
  return { stream, preferences: new StreamPreferences(statements), rescope };
}

describe('binding to the m-sections of an offer awaiting its answer', () => {
  it.each<[string, Partial<SectionScope>, number[], string | null, string]>([
    ['its a=ssrc', { ssrcs: [3333] }, [], null, 'a=ssrc'],
    ['its mid, learned from the media plane', {}, [], 'v', 'sdes-mid'],
    ['its transport address', {}, [1], null, 'transport'],
  ])('binds a stream only the offer identifies, by %s: its identifiers apply restrictively', (_name, video, candidates, mid, via) => {
    const offer = offering(video);
    const { stream, preferences, rescope } = setup(offer);
    if (mid !== null) stream.learnedMid = mid;
    expect(rescope(offer, candidates)).toBe(true);
    expect([stream.section, stream.via]).toEqual([null, 'dialog']);
    expect([stream.pendingSection, stream.pendingVia]).toEqual([offer.pending!.sections[1], via]);
    const pref = preferences.of(stream);
    expect(pref.ids).toEqual(['apt-raw', 'apt-none']);
    expect(pref.resolved?.export).toBe('none');
    // bound again to the same: nothing changed
    expect(rescope(offer, candidates)).toBe(false);
  });

  it('binds the in-force m-section and the offer\'s at its index where the offer does not say more (as before)', () => {
    const offer = scope([AUDIO], scope([section(0, 'a', ['apt-none'])]));
    const { stream, preferences, rescope } = setup(offer, 1111);
    rescope(offer);
    expect([stream.section, stream.via]).toEqual([AUDIO, 'a=ssrc']);
    expect([stream.pendingSection, stream.pendingVia]).toEqual([offer.pending!.sections[0], 'a=ssrc']);
    expect(preferences.of(stream).resolved?.export).toBe('none');
  });

  it('keeps a binding by transport address across a new scope while the offer still awaits its answer, and commits it at the answer', () => {
    const offer = offering({});
    const { stream, preferences, rescope } = setup(offer);
    rescope(offer, [1]);
    // an INFO meanwhile: a new scope, the same offer pending (rebound with no packet: no candidates)
    const again = scope([AUDIO], scope([AUDIO, section(1, 'v', ['apt-none'])]));
    rescope(again);
    expect([stream.pendingSection, stream.pendingVia]).toEqual([again.pending!.sections[1], 'transport']);
    expect(preferences.of(stream).resolved?.export).toBe('none');
    // the answer: the offer's m-section is in force, the stream bound to it (rebound at the scope event, no packet yet)
    const committed = scope([AUDIO, section(1, 'v', ['apt-none'])]);
    expect(rescope(committed)).toBe(true);
    expect([stream.section, stream.via, stream.pendingSection, stream.pendingVia]).toEqual([committed.sections[1], 'transport', null, null]);
    const pref = preferences.of(stream);
    expect([pref.ids, pref.implicit, pref.resolved?.export]).toEqual([['apt-none'], false, 'none']);
  });

  it('commits a binding by a=ssrc at the answer', () => {
    const offer = offering({ ssrcs: [3333] });
    const { stream, rescope } = setup(offer);
    rescope(offer);
    const committed = scope([AUDIO, section(1, 'v', ['apt-none'], { ssrcs: [3333] })]);
    rescope(committed);
    expect([stream.section, stream.via, stream.pendingSection]).toEqual([committed.sections[1], 'a=ssrc', null]);
  });

  it.each<[string, Partial<SectionScope>, number[]]>([
    ['transport address', {}, [1]],
    ['a=ssrc', { ssrcs: [3333] }, []],
  ])('drops the binding when the offer is refused (bound by %s): the dialog-level fallback governs again', (_name, video, candidates) => {
    const offer = offering(video);
    const { stream, preferences, rescope } = setup(offer);
    rescope(offer, candidates);
    expect(preferences.of(stream).resolved?.export).toBe('none');
    // refused: what was in force stays, with no offer pending
    const refused = scope([AUDIO]);
    expect(rescope(refused)).toBe(true);
    expect([stream.section, stream.via, stream.pendingSection, stream.pendingVia]).toEqual([null, 'dialog', null, null]);
    const pref = preferences.of(stream);
    expect([pref.ids, pref.implicit, pref.resolved?.export]).toEqual([['apt-raw'], true, 'raw']);
  });

  it('sectionOf: the routes of SPEC §2 in order, against any one scope', () => {
    const s = scope([section(0, 'a', [], { ssrcs: [7] }), section(1, 'v', [])]);
    const { stream } = setup(s, 7);
    expect(sectionOf(stream, s, [1])).toEqual({ section: s.sections[0], via: 'a=ssrc' });
    stream.ssrc = 8;
    stream.learnedMid = 'v';
    stream.learnedMidVia = 'rtp-mid';
    expect(sectionOf(stream, s, [0])).toEqual({ section: s.sections[1], via: 'rtp-mid' });
    stream.learnedMid = null;
    expect(sectionOf(stream, s, [0])).toEqual({ section: s.sections[0], via: 'transport' });
    expect(sectionOf(stream, s, [0, 1])).toEqual({ section: undefined, via: 'dialog' });
    stream.sdesApts.push('apt-x');
    expect(sectionOf(stream, s, [])).toEqual({ section: undefined, via: 'sdes-priv' });
  });
});

describe('the RTP mid extension of an m-section only the pending offer declares', () => {
  it('is read, and binds the stream to the offer\'s m-section', () => {
    // BUNDLE: audio in force on the address; the offer adds video there, declaring the extension (id 5)
    const at = [{ address: '10.0.0.2', port: 40002 }];
    const audio = section(0, 'a', [], { rtp: at, rtcp: at });
    const offer = scope([audio], scope([audio, section(1, 'v', ['apt-none'], { rtp: at, rtcp: at, midExtIds: [5] })]));
    const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, bindings: true });
    core.event({ kind: 'scope', frame: 1, ts: 100, scope: offer });
    const addr: PacketAddress = { v6: false, src4: 0x0a000001, dst4: 0x0a000002, src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002 };
    const packet = encodeRtpPacket({ pt: 96, seq: 1, ts: 0, ssrc: 7777, extensions: [{ id: 5, value: new TextEncoder().encode('v') }], payload: new Uint8Array(20) });
    core.rtp(2, 100.02, packet, 0, packet.length, addr);
    const [row] = [...core.streams()];
    // read by the offer's id alone: the offer's m-section only, never one in force (a refused offer relaxes nothing)
    expect([row!.stream.learnedMid, row!.stream.offeredMid]).toEqual([null, 'v']);
    expect([row!.stream.section, row!.stream.pendingSection?.mid, row!.stream.pendingVia]).toEqual([null, 'v', 'rtp-mid']);
    expect(row!.preference.ids).toEqual(['apt-raw', 'apt-none']);
  });
});
