/**
 * Answers in provisional responses and calls that fail (SPEC §5): an INVITE's 183 answer applies
 * its restrictions at once and its relaxations at the 2xx; a failure after it (488 Warning 399
 * aipref, CANCEL/487) undoes it and discards what the call stated, so nothing of a refused call
 * reaches another call naming the same identifier; an UPDATE after a reliable 183 is an exchange
 * of its own. Found by a second review (each failed before its fix); hand-built calls replayed
 * with 0 and 2 workers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseLines, type ReportLine, Workspace } from './e2e-helpers.js';
import { decided, message, onPort, REFUSED, replayCall, request, response, sdpOf, sr, srOfA, THREE, v1, v2 } from './hand-built-calls.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const Y = 'y@10.0.0.1';

describe('another call refused: its looser version never reaches a running call', () => {
  it('INVITE without SDP carrying version 2 (raw), refused 488 Warning 399 aipref', async () => {
    const run = await replayCall(ws, 'no-sdp-invite-refused', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // 1: this call, version 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: aggregate
      at(2, message(Y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, null, [v2], ''), true); // 5: another call, no SDP, offers version 2
      at(2.05, srOfA(), true, 4001, 5001); // 6: nothing answered yet
      at(2.1, message(Y, 'SIP/2.0 488 Not Acceptable Here', 'INVITE', 1, null, REFUSED), false); // 7: refused
      at(3, srOfA(), true, 4001, 5001); // 8
    });
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '6 aggregate aggregated-only', '8 aggregate aggregated-only']);
  });

  it('INVITE with SDP, early media (183 with SDP), then 488 Warning 399 aipref', async () => {
    const run = await replayCall(ws, 'early-media-refused', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: aggregate
      at(2, message(Y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [v2], ''), true); // 5
      at(2.1, message(Y, 'SIP/2.0 183 Session Progress', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false); // 6: early media
      at(2.6, message(Y, 'SIP/2.0 488 Not Acceptable Here', 'INVITE', 1, null, REFUSED), false); // 7: refused
      at(3, srOfA(), true, 4001, 5001); // 8
    });
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '8 aggregate aggregated-only']);
  });

  it('INVITE with SDP, early media (183 with SDP), then CANCEL / 487', async () => {
    const run = await replayCall(ws, 'early-media-cancelled', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4
      at(2, message(Y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [v2], ''), true); // 5
      at(2.1, message(Y, 'SIP/2.0 183 Session Progress', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false); // 6
      at(2.5, message(Y, 'CANCEL sip:b@10.0.0.2 SIP/2.0', 'CANCEL', 1, null, [], ''), true); // 7
      at(2.6, message(Y, 'SIP/2.0 487 Request Terminated', 'INVITE', 1, null), false); // 8
      at(3, srOfA(), true, 4001, 5001); // 9
    });
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '9 aggregate aggregated-only']);
  });
});

describe('an UPDATE after a re-INVITE reliable 183 answer: the UPDATE relaxes at its own answer', () => {
  it('an UPDATE offering to lift apt-none is not answered yet: still drop', async () => {
    const run = await replayCall(ws, 'update-during-held-reinvite', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: raw
      at(2, request('INVITE', 2, sdpOf('a', ['a=aipref:mid apt-none']), ['Supported: 100rel']), true); // 5: restricts
      at(2.1, srOfA(), true, 4001, 5001); // 6: drop
      at(2.2, response('183 Session Progress', 2, sdpOf('b', []), ['Require: 100rel', 'RSeq: 1']), false); // 7: reliable answer
      at(2.3, request('PRACK', 3, null, ['RAck: 1 2 INVITE']), true); // 8
      at(2.35, response('200 OK', 3, null, [], 'PRACK'), false); // 9
      at(2.4, srOfA(), true, 4001, 5001); // 10: drop
      at(2.5, request('UPDATE', 4, sdpOf('a', [])), true); // 11: offers to lift apt-none
      at(2.6, srOfA(), true, 4001, 5001); // 12: the UPDATE is not answered: must still drop
      at(2.7, response('200 OK', 4, sdpOf('b', []), [], 'UPDATE'), false); // 13: now lifted
      at(3, srOfA(), true, 4001, 5001); // 14: raw
      at(3.5, response('200 OK', 2, null), false); // 15
      at(3.6, request('ACK', 2, null), true); // 16
    }, THREE);
    expect(decided(run)).toEqual(['4 export raw-allowed', '6 drop export-none', '10 drop export-none', '12 drop export-none', '14 export raw-allowed']);
    const reports = parseLines<ReportLine>(run.reports);
    expect(reports.some((r) => /superseded/.test(String(r.detail)))).toBe(false);
    expect(reports.some((r) => r.type === 'scope-removed' && r.frame === 13)).toBe(true);
  });
});

describe('a dialog joined at a refused offer: nothing of the offer stays in force', () => {
  it('re-INVITE answered early (183 with SDP), then 488 Warning 399 aipref', async () => {
    const run = await replayCall(ws, 'adopted-183-refused', (at) => {
      at(0, request('INVITE', 7, sdpOf('a', ['a=aipref:mid apt-raw'])), true); // 1: the first the capture sees
      at(0.5, response('183 Session Progress', 7, sdpOf('b', [])), false); // 2
      at(1, response('488 Not Acceptable Here', 7, null, REFUSED), false); // 3: refused
      at(1.1, request('ACK', 7, null), true); // 4
      at(2, srOfA(), true, 4001, 5001); // 5
    }, THREE);
    expect(decided(run)).toEqual(['5 drop no-preference']);
  });

  it('an INFO with AI-Pref while the offer awaits its answer, then 488 Warning 399 aipref', async () => {
    const run = await replayCall(ws, 'adopted-info-refused', (at) => {
      at(0, request('INVITE', 7, sdpOf('a', ['a=aipref:mid apt-raw'])), true); // 1
      at(0.5, request('INFO', 8, null, ['AI-Pref: apt-agg;scope=dialog']), true); // 2
      at(1, response('488 Not Acceptable Here', 7, null, REFUSED), false); // 3: refused
      at(1.1, request('ACK', 7, null), true); // 4
      at(2, srOfA(), true, 4001, 5001); // 5: the refused offer's apt-raw is gone; with no SDP in force, no address ties this SR to the dialog
    }, THREE);
    expect(decided(run)).toEqual(['5 drop no-preference']);
  });
});

describe("a re-INVITE's early answer: its own restrictions apply at once, and stay", () => {
  const established = (at: Parameters<Parameters<typeof replayCall>[2]>[0]) => {
    at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1
    at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
    at(0.2, request('ACK', 1, null), true); // 3
    at(1, srOfA(), true, 4001, 5001); // 4: raw
    at(2, request('INVITE', 2, sdpOf('a', [])), true); // 5: a session refresh
  };

  it('183 answer puts the audio under apt-none', async () => {
    const run = await replayCall(ws, 'held-183-restricts', (at) => {
      established(at);
      at(2.2, response('183 Session Progress', 2, sdpOf('b', ['a=aipref:mid apt-none'])), false); // 6
      at(2.5, srOfA(), true, 4001, 5001); // 7
      at(2.6, sr(2222), false, 5001, 4001); // 8
      at(3, response('200 OK', 2, sdpOf('b', ['a=aipref:mid apt-none'])), false); // 9
      at(3.1, request('ACK', 2, null), true); // 10
      at(4, srOfA(), true, 4001, 5001); // 11
    }, THREE);
    expect(decided(run)).toEqual(['4 export raw-allowed', '7 drop export-none', '8 drop export-none', '11 drop export-none']);
  });

  it('183 answer disables the audio (port 0)', async () => {
    const run = await replayCall(ws, 'held-183-disables', (at) => {
      established(at);
      at(2.2, response('183 Session Progress', 2, sdpOf('b', [], 0)), false); // 6
      at(2.5, srOfA(), true, 4001, 5001); // 7
      at(3, response('200 OK', 2, null), false); // 8
      at(3.1, request('ACK', 2, null), true); // 9
      at(4, srOfA(), true, 4001, 5001); // 10
    }, THREE);
    expect(decided(run)).toEqual(['4 export raw-allowed', '7 drop stream-disabled', '10 drop stream-disabled']);
  });

  it("183's AI-Pref export=none: applied late, and lost when the 200 has AI-Pref of its own", async () => {
    const run = await replayCall(ws, 'held-183-aipref', (at) => {
      established(at);
      at(2.2, response('183 Session Progress', 2, sdpOf('b', []), ['AI-Pref: apt-raw;scope=dialog;export=none']), false); // 6
      at(2.5, srOfA(), true, 4001, 5001); // 7
      at(3, response('200 OK', 2, sdpOf('b', []), ['AI-Pref: apt-raw;scope=dialog']), false); // 8
      at(3.1, request('ACK', 2, null), true); // 9
      at(4, srOfA(), true, 4001, 5001); // 10
    }, THREE);
    expect(decided(run)).toEqual(['4 export raw-allowed', '7 drop export-none', '10 drop export-none']);
  });
});

describe('forks: a 487 on one early fork after another fork answered 200', () => {
  it('is not reported as the offer refused', async () => {
    const X = 'AI-Pref: apt-x;scope=dialog;type=user;export=raw;retention=1h';
    const run = await replayCall(ws, 'fork-487-after-200', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [X], ''), true); // 1
      at(0.1, response('183 Session Progress', 1, sdpOf('b', []), [], 'INVITE', 'b1'), false); // 2
      at(0.2, response('183 Session Progress', 1, onPort(sdpOf('b', []), 5100), [], 'INVITE', 'b2'), false); // 3
      at(0.5, response('200 OK', 1, sdpOf('b', []), [], 'INVITE', 'b1'), false); // 4: b1 answers
      at(0.6, request('ACK', 1, null, [], ';tag=b1'), true); // 5
      at(0.7, response('487 Request Terminated', 1, null, [], 'INVITE', 'b2'), false); // 6: the proxy cancels b2
      at(1, srOfA(), true, 4001, 5001); // 7
    }, THREE);
    expect(decided(run)).toEqual(['7 export raw-allowed']);
    const refused = parseLines<ReportLine>(run.reports).filter((r) => /offer refused/.test(String(r.detail)));
    expect(refused).toEqual([]);
  });
});
