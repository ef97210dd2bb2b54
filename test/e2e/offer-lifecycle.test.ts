/**
 * How an offer's changes take effect over a dialog's life (SPEC §5: restrictions from the
 * offer, relaxations from the answer, a refusal discards them): early answers to a re-INVITE,
 * refused offers with nothing in force before them, messages outside the offer while it awaits
 * its answer. Each case is a small hand-built call, replayed with 0 and 2 media workers (same
 * lines), in the style of pending-offer.test.ts. Found by a review; each failed before its fix.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from './e2e-helpers.js';
import { type At, decided, message, onPort, REFUSED, replayCall as replay, request, response, sdpOf, sr, srOfA, THREE, v1, v2, withVideo } from './hand-built-calls.js';
import { policyOf } from './e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const replayCall = (name: string, write: (at: At) => void, policy = policyOf({ apts: {} })) => replay(ws, name, write, policy);

describe('a re-INVITE answered early (183 with SDP), then refused', () => {
  it('488 Warning 399 aipref after an unreliable 183: the looser version offered never applies', async () => {
    const run = await replayCall('reinvite-183-488', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: aggregate
      at(2, request('INVITE', 2, sdpOf('a', []), [v2]), true); // 5: offers the looser version 2
      at(2.2, response('183 Session Progress', 2, sdpOf('b', [])), false); // 6: an early answer
      at(3, response('488 Not Acceptable Here', 2, null, REFUSED), false); // 7: the re-INVITE fails: refused
      at(3.1, request('ACK', 2, null), true); // 8
      at(4, srOfA(), true, 4001, 5001); // 9: as before the re-INVITE
    });
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '9 aggregate aggregated-only']);
  });

  it('488 Warning 399 aipref after a reliable, PRACKed 183: the looser version offered never applies', async () => {
    const run = await replayCall('reinvite-183rel-488', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4
      at(2, request('INVITE', 2, sdpOf('a', []), [v2, 'Supported: 100rel']), true); // 5
      at(2.2, response('183 Session Progress', 2, sdpOf('b', []), ['Require: 100rel', 'RSeq: 1']), false); // 6
      at(2.3, request('PRACK', 3, null, ['RAck: 1 2 INVITE']), true); // 7
      at(2.35, response('200 OK', 3, null, [], 'PRACK'), false); // 8
      at(3, response('488 Not Acceptable Here', 2, null, REFUSED), false); // 9: the re-INVITE fails
      at(3.1, request('ACK', 2, null), true); // 10
      at(4, srOfA(), true, 4001, 5001); // 11
    });
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '11 aggregate aggregated-only']);
  });
});

describe('a refused offer with nothing in force before it', () => {
  it('a dialog joined at a re-INVITE that is refused (488 Warning 399 aipref): what it offered is discarded', async () => {
    const run = await replayCall('adopted-refused', (at) => {
      at(0, request('INVITE', 7, sdpOf('a', ['a=aipref:mid apt-raw'])), true); // 1: the first the capture sees of the call
      at(1, response('488 Not Acceptable Here', 7, null, REFUSED), false); // 2: refused
      at(1.1, request('ACK', 7, null), true); // 3
      at(2, srOfA(), true, 4001, 5001); // 4: nothing known to be in force: no preference
    }, policyOf({ apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' } } }));
    expect(decided(run)).toEqual(['4 drop no-preference']);
  });

  it("an initial INVITE refused with 488 Warning 399 aipref: its newer, looser version is discarded, not left in force for a running call", async () => {
    const run = await replayCall('refused-initial', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // 1: this call, version 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: aggregate
      const y = 'y@10.0.0.1';
      at(2, message(y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [v2], ''), true); // 5: another call offers version 2
      at(2.1, message(y, 'SIP/2.0 488 Not Acceptable Here', 'INVITE', 1, null, REFUSED), false); // 6: refused
      at(3, srOfA(), true, 4001, 5001); // 7
    });
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '7 aggregate aggregated-only']);
  });
});

describe("a message outside the offer, while a re-INVITE awaits its answer, keeps the offer's restrictions", () => {
  it('an INFO adding a stricter dialog-level identifier (the offer put the m-section under apt-none)', async () => {
    const run = await replayCall('info-during-restricting-offer', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: raw
      at(2, request('INVITE', 2, sdpOf('a', ['a=aipref:mid apt-none'])), true); // 5: restricts the section
      at(2.5, srOfA(), true, 4001, 5001); // 6: drop from the offer on
      at(2.6, request('INFO', 3, null, ['AI-Pref: apt-raw;scope=dialog, apt-agg;scope=dialog']), true); // 7: adds a stricter id
      at(2.8, srOfA(), true, 4001, 5001); // 8: the offer still awaits its answer
      at(3, response('200 OK', 2, sdpOf('b', [])), false); // 9
      at(3.1, request('ACK', 2, null), true); // 10
      at(4, srOfA(), true, 4001, 5001); // 11
    }, THREE);
    expect(decided(run)).toEqual(['4 export raw-allowed', '6 drop export-none', '8 drop export-none', '11 drop export-none']);
  });

  it('an INFO while an offer disabling the m-section awaits its answer', async () => {
    const run = await replayCall('info-during-disabling-offer', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4
      at(2, request('INVITE', 2, sdpOf('a', [], 0)), true); // 5: disables the audio m-section
      at(2.5, srOfA(), true, 4001, 5001); // 6
      at(2.6, request('INFO', 3, null, ['AI-Pref: apt-raw;scope=dialog, apt-agg;scope=dialog']), true); // 7
      at(2.8, srOfA(), true, 4001, 5001); // 8
    }, THREE);
    expect(decided(run).map((d) => d.split(' ').slice(0, 2).join(' '))).toEqual(['4 export', '6 drop', '8 drop']);
  });

  it("a relay's copy of an earlier exchange's 200 arriving while the new offer awaits its answer", async () => {
    const run = await replayCall('repeat-answer-pending', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, request('INVITE', 2, sdpOf('a', [])), true); // 4: a session refresh
      at(1.1, response('200 OK', 2, sdpOf('b', [])), false); // 5
      at(1.2, request('ACK', 2, null), true); // 6
      at(2, request('INVITE', 3, sdpOf('a', ['a=aipref:mid apt-none'])), true); // 7: restricts the section
      at(2.2, srOfA(), true, 4001, 5001); // 8: drop
      at(2.3, response('200 OK', 2, sdpOf('b', [], 5020)), false); // 9: a relay's copy of the refresh's 200, late
      at(2.5, srOfA(), true, 4001, 5001); // 10: the offer of frame 7 still awaits its answer
    }, THREE);
    expect(decided(run)).toEqual(['8 drop export-none', '10 drop export-none']);
  });
});

describe('m-sections only the pending offer has restrict from the offer on', () => {
  it('a re-INVITE adding a video m-section under apt-none: its stream is not exported raw before the answer', async () => {
    const run = await replayCall('new-section-pending', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: audio, raw
      at(2, request('INVITE', 2, withVideo('a', ['a=aipref:mid apt-none'])), true); // 5: adds video under apt-none
      at(2.5, sr(3333), true, 4003, 5003); // 6: the new video stream's SR, before the answer
      at(3, response('200 OK', 2, withVideo('b', [])), false); // 7
      at(3.1, request('ACK', 2, null), true); // 8
      at(4, sr(3333), true, 4003, 5003); // 9
    }, THREE);
    expect(decided(run)).toEqual(['4 export raw-allowed', '6 drop export-none', '9 drop export-none']);
  });

  it("an offer in the 200 of an INVITE sent without SDP (with AI-Pref): the offerer's a=aipref applies before the ACK answers", async () => {
    const run = await replayCall('offer-in-200', (at) => {
      at(0, request('INVITE', 1, null, ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1: the offer comes in the 200
      at(0.1, response('200 OK', 1, sdpOf('b', ['a=aipref:mid apt-none'])), false); // 2: B's offer puts its audio under apt-none
      at(0.5, sr(2222), false, 5001, 4001); // 3: B's SR, before the ACK
      at(1, request('ACK', 1, sdpOf('a', [])), true); // 4: the answer
      at(1.5, sr(2222), false, 5001, 4001); // 5
    }, THREE);
    expect(decided(run)).toEqual(['3 drop export-none', '5 drop export-none']);
  });
});
