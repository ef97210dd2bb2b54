/**
 * SPEC §2.4: the RTP header extension urn:ietf:params:rtp-hdrext:sdes:mid, declared by
 * a=extmap, binds an SSRC to a mid. Under BUNDLE every m-section at the shared address may
 * declare it — one of them or all, with the same id or different ones — and a packet's mid
 * is read by any id a section at its address declares, not only the first section's.
 */
import { describe, expect, it } from 'vitest';
import { bindingVia } from '../../src/binding/stream-table.js';
import type { DialogScope, SectionScope } from '../../src/binding/types.js';
import { encodeRtpPacket } from '../../src/media/rtp-encode.js';
import { MediaCore, type PacketAddress } from '../../src/pipeline/media-core.js';
import type { MediaWork } from '../../src/pipeline/media-work.js';
import { Shard } from '../../src/pipeline/shard-state.js';

const addr: PacketAddress = { v6: false, src4: 0x0a000001, dst4: 0x0a000002, src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002 };
const at = [{ address: '10.0.0.2', port: 40002 }];

function section(index: number, mid: string, kind: string, midExtIds: number[]): SectionScope {
  return { index, mid, kind, disabled: false, rtp: at, rtcp: at, ssrcs: [], midExtIds, clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: [{ id: `apt-${mid}`, origin: 'mid' }] };
}

/** A BUNDLE dialog: an audio (mid a) and a video (mid v) m-section on one address. */
function bundle(audioIds: number[], videoIds: number[]): DialogScope {
  return {
    key: 'd1',
    dialog: { callId: 'c1', fromTag: 'f', toTag: 't' },
    sections: [section(0, 'a', 'audio', audioIds), section(1, 'v', 'video', videoIds)],
    dialogApts: [],
    repositoryApts: [],
    pending: null,
  };
}

/** The binding of SSRC 7777 after one RTP packet carrying `mid` in extension `id`. */
function bindingAfter(scope: DialogScope, id: number, mid: string): { mid: string | null; via: string | null; apt: string[] } {
  const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, bindings: true });
  core.event({ kind: 'scope', frame: 1, ts: 100, scope });
  const packet = encodeRtpPacket({ pt: 96, seq: 1, ts: 0, ssrc: 7777, extensions: [{ id, value: new TextEncoder().encode(mid) }], payload: new Uint8Array(20) });
  core.rtp(2, 100.02, packet, 0, packet.length, addr);
  const [row] = [...core.streams()];
  return { mid: row!.stream.section?.mid ?? null, via: bindingVia(row!.stream), apt: row!.preference.ids };
}

describe('the RTP mid extension on a BUNDLE address', () => {
  it('is read by the id of the first m-section (as before)', () => {
    expect(bindingAfter(bundle([5], []), 5, 'v')).toEqual({ mid: 'v', via: 'rtp-mid', apt: ['apt-v'] });
  });

  it('is read by the id only a later m-section declares', () => {
    expect(bindingAfter(bundle([], [5]), 5, 'v')).toEqual({ mid: 'v', via: 'rtp-mid', apt: ['apt-v'] });
  });

  it('is read by whichever of the ids the m-sections declare the packet carries', () => {
    expect(bindingAfter(bundle([4], [5]), 5, 'v')).toEqual({ mid: 'v', via: 'rtp-mid', apt: ['apt-v'] });
    expect(bindingAfter(bundle([4], [5]), 4, 'a')).toEqual({ mid: 'a', via: 'rtp-mid', apt: ['apt-a'] });
  });

  it('binds nothing by an id no m-section declares, nor by a mid no m-section has', () => {
    expect(bindingAfter(bundle([4], [5]), 6, 'v')).toEqual({ mid: null, via: 'dialog', apt: [] });
    expect(bindingAfter(bundle([], [5]), 5, 'x')).toEqual({ mid: null, via: 'dialog', apt: [] });
  });
});

describe('a stream its dialog holds by no m-section (bindings via)', () => {
  it('is via repository where the operator\'s repository supplies its identifiers, via dialog where the AI-Pref dialog values do', () => {
    const repository = { ...bundle([4], [5]), repositoryApts: ['apt-repo'] };
    expect(bindingAfter(repository, 6, 'v')).toEqual({ mid: null, via: 'repository', apt: ['apt-repo'] });
    const both = { ...repository, dialogApts: ['apt-dialog'] };
    expect(bindingAfter(both, 6, 'v')).toEqual({ mid: null, via: 'dialog', apt: ['apt-dialog', 'apt-repo'] });
  });

  it('is so in the rows a shard answers with at the end of the capture', () => {
    const shard = new Shard({ windowSec: 10, explain: false, defaultApt: null, bindings: true });
    shard.core.event({ kind: 'scope', frame: 1, ts: 100, scope: { ...bundle([4], [5]), repositoryApts: ['apt-repo'] } });
    const packet = encodeRtpPacket({ pt: 96, seq: 1, ts: 0, ssrc: 7777, payload: new Uint8Array(20) });
    shard.core.rtp(2, 100.02, packet, 0, packet.length, addr);
    const none = new Uint32Array(0);
    const end: MediaWork = {
      bytes: new Uint8Array(0), count: 0, frame: new Float64Array(0), ts: new Float64Array(0), proto: new Uint8Array(0), pt: new Uint8Array(0), off: none, len: none, ssrc: none,
      extProfile: new Uint16Array(0), seq: new Uint16Array(0), src4: none, dst4: none, sport: new Uint16Array(0), dport: new Uint16Array(0), v6: {}, hasV6: false, events: [], clocks: new Float64Array(0), firstFrame: 3, lastFrame: 2, lastTs: 100.02,
    };
    expect(shard.finish(end).bindings.map(({ ssrc, via, apt }) => ({ ssrc, via, apt }))).toEqual([{ ssrc: 7777, via: 'repository', apt: ['apt-repo'] }]);
  });

  it('keeps how it was tied to its m-section when the repository adds identifiers to it', () => {
    const repository = { ...bundle([4], [5]), repositoryApts: ['apt-repo'] };
    expect(bindingAfter(repository, 5, 'v')).toEqual({ mid: 'v', via: 'rtp-mid', apt: ['apt-v', 'apt-repo'] });
  });
});
