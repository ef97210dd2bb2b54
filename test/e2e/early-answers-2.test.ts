/**
 * Early answers and failing calls, the third and fourth reviews' cases (SPEC §5; each failed
 * before its fix); an UPDATE's or PRACK's offer settles apart from the INVITE's outcome:
 * an INVITE's 183 answer is not in force before the 2xx whatever comes meanwhile (a relay's copy,
 * a 180, an INFO), what was stated outside it survives its failure, exchanges built on it
 * (a PRACK's or an UPDATE's offer) stand on their own, and a refused call's statements (its
 * 180's, its PRACK's, those of an INVITE without SDP) go with it. Hand-built calls replayed with
 * 0 and 2 workers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseLines, type ReportLine, Workspace } from './e2e-helpers.js';
import { type At, decided, message, onPort, REFUSED, replayCall, request, response, sdpOf, sr, srOfA, THREE, v1, v2 } from './hand-built-calls.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const Y = 'y@10.0.0.1';

/** A call whose audio is under apt-none (the caller's a=aipref), dialog-level apt-raw. */
const noneEstablished = (at: Parameters<Parameters<typeof replayCall>[2]>[0]) => {
  at(0, request('INVITE', 1, sdpOf('a', ['a=aipref:mid apt-none']), ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1
  at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
  at(0.2, request('ACK', 1, null), true); // 3
  at(1, srOfA(), true, 4001, 5001); // 4: drop export-none
  at(2, request('INVITE', 2, sdpOf('a', [])), true); // 5: re-INVITE offering to lift apt-none
  at(2.1, response('183 Session Progress', 2, sdpOf('b', [])), false); // 6: early answer accepts the lift
  at(2.2, srOfA(), true, 4001, 5001); // 7: not confirmed: still drop
};

describe('a second provisional answer after a re-INVITE 183 answer relaxes nothing before the 2xx', () => {
  it('the same 183 answer seen again through a relay (its own addresses), then 488', async () => {
    const run = await replayCall(ws, 'r1-relay-copy', (at) => {
      noneEstablished(at);
      at(2.3, response('183 Session Progress', 2, onPort(sdpOf('b', []), 7000)), false); // 8: relay's copy of the answer
      at(2.4, srOfA(), true, 4001, 5001); // 9: still unconfirmed: must drop
      at(2.5, response('488 Not Acceptable Here', 2, null, REFUSED), false); // 10
      at(2.6, request('ACK', 2, null), true); // 11
      at(3, srOfA(), true, 4001, 5001); // 12
    }, THREE);
    expect(decided(run)).toEqual(['4 drop export-none', '7 drop export-none', '9 drop export-none', '12 drop export-none']);
  });

  it('a 180 restating the answer with AI-Pref, then 488', async () => {
    const run = await replayCall(ws, 'r1-180-restates', (at) => {
      noneEstablished(at);
      at(2.3, response('180 Ringing', 2, sdpOf('b', []), ['AI-Pref: apt-raw;scope=dialog']), false); // 8
      at(2.4, srOfA(), true, 4001, 5001); // 9: must drop
      at(2.5, response('488 Not Acceptable Here', 2, null, REFUSED), false); // 10
      at(2.6, request('ACK', 2, null), true); // 11
      at(3, srOfA(), true, 4001, 5001); // 12
    }, THREE);
    expect(decided(run)).toEqual(['4 drop export-none', '7 drop export-none', '9 drop export-none', '12 drop export-none']);
  });
});

describe('an INFO after a re-INVITE 183 answer', () => {
  it('an INFO naming a new dialog identifier does not put the unconfirmed answer in force', async () => {
    const run = await replayCall(ws, 'r2-info-relaxes', (at) => {
      noneEstablished(at);
      at(2.3, request('INFO', 3, null, ['AI-Pref: apt-agg;scope=dialog']), true); // 8
      at(2.4, srOfA(), true, 4001, 5001); // 9: the lift is not confirmed: must drop
      at(2.5, response('488 Not Acceptable Here', 2, null, REFUSED), false); // 10
      at(2.6, request('ACK', 2, null), true); // 11
      at(3, srOfA(), true, 4001, 5001); // 12
    }, THREE);
    expect(decided(run)).toEqual(['4 drop export-none', '7 drop export-none', '9 drop export-none', '12 drop export-none']);
  });

  it("the INFO's restriction stays when the re-INVITE then fails", async () => {
    const run = await replayCall(ws, 'r2-info-lost', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: raw
      at(2, request('INVITE', 2, sdpOf('a', [])), true); // 5: a session refresh
      at(2.1, response('183 Session Progress', 2, sdpOf('b', [])), false); // 6: answered early
      at(2.3, request('INFO', 3, null, ['AI-Pref: apt-agg;scope=dialog']), true); // 7: restricts the dialog
      at(2.35, response('200 OK', 3, null, [], 'INFO'), false); // 8
      at(2.4, srOfA(), true, 4001, 5001); // 9: aggregate
      at(2.5, response('488 Not Acceptable Here', 2, null, REFUSED), false); // 10: the re-INVITE refused
      at(2.6, request('ACK', 2, null), true); // 11
      at(3, srOfA(), true, 4001, 5001); // 12: the INFO was not the re-INVITE's: still aggregate
    }, THREE);
    expect(decided(run)).toEqual(['4 export raw-allowed', '9 aggregate aggregated-only', '12 aggregate aggregated-only']);
  });
});

describe('an UPDATE offer after a re-INVITE reliable 183 answer and its PRACK', () => {
  it('builds on that answer (RFC 3311); its own answer applies at once', async () => {
    const run = await replayCall(ws, 'r3-update-offer-relaxes', (at) => {
      noneEstablished(at);
      at(2.25, request('PRACK', 3, null, ['RAck: 1 2 INVITE']), true); // 8
      at(2.3, response('200 OK', 3, null, [], 'PRACK'), false); // 9
      at(2.4, request('UPDATE', 4, sdpOf('a', [])), true); // 10: the UPDATE offers the lift again
      // 11: the UPDATE builds on the re-INVITE's answer, which the reliable 183 and its PRACK
      // completed (RFC 3262, RFC 3311): that answer is what stands now, the UPDATE's offer on top
      at(2.45, srOfA(), true, 4001, 5001);
      at(2.5, response('200 OK', 4, sdpOf('b', []), [], 'UPDATE'), false); // 12: the UPDATE's answer
      at(2.6, srOfA(), true, 4001, 5001); // 13: raw
    }, THREE);
    expect(decided(run)).toEqual(['4 drop export-none', '7 drop export-none', '11 export raw-allowed', '13 export raw-allowed']);
  });
});

describe('a PRACK carrying a new offer after a re-INVITE 183 answer', () => {
  it('builds on that answer (RFC 3262); the re-INVITE failing undoes it', async () => {
    const run = await replayCall(ws, 'r4-prack-offer-relaxes', (at) => {
      noneEstablished(at);
      at(2.25, request('PRACK', 3, sdpOf('a', []), ['RAck: 1 2 INVITE']), true); // 8: PRACK offer (the lift again)
      at(2.3, srOfA(), true, 4001, 5001); // 9: the PRACK's offer builds on the 183's answer (RFC 3262): what that answered stands
      at(2.4, response('488 Not Acceptable Here', 2, null, REFUSED), false); // 10: the re-INVITE fails
      at(3, srOfA(), true, 4001, 5001); // 11: its early answer undone
    }, THREE);
    expect(decided(run)).toEqual(['4 drop export-none', '7 drop export-none', '9 export raw-allowed', '11 drop export-none']);
  });
});

describe('an initial INVITE without SDP, its offer in a reliable 183 answered by PRACK, then refused', () => {
  it("leaves its looser version behind for no other call", async () => {
    const run = await replayCall(ws, 'r5-no-sdp-prack-refused', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // 1: this call, version 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: aggregate
      at(2, message(Y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, null, [v2, 'Supported: 100rel'], ''), true); // 5: Y, no SDP, version 2
      at(2.1, message(Y, 'SIP/2.0 183 Session Progress', 'INVITE', 1, onPort(sdpOf('b', []), 7000), ['Require: 100rel', 'RSeq: 1']), false); // 6: offer
      at(2.2, message(Y, 'PRACK sip:b@10.0.0.2 SIP/2.0', 'PRACK', 2, onPort(sdpOf('a', []), 6000), ['RAck: 1 1 INVITE']), true); // 7: answer
      at(2.3, message(Y, 'SIP/2.0 200 OK', 'PRACK', 2, null), false); // 8
      at(2.6, message(Y, 'SIP/2.0 488 Not Acceptable Here', 'INVITE', 1, null, REFUSED), false); // 9: refused
      at(3, srOfA(), true, 4001, 5001); // 10: Y left nothing behind
    });
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '10 aggregate aggregated-only']);
  });
});

describe('an initial INVITE with SDP, reliable 183 answer, an offer in the PRACK answered in its 200, then refused', () => {
  it("the refused call's looser version reaches no running call", async () => {
    const run = await replayCall(ws, 'r5b-prack-exchange-refused', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // 1: this call, version 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: aggregate
      at(2, message(Y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [v2, 'Supported: 100rel'], ''), true); // 5: Y offers version 2
      at(2.1, message(Y, 'SIP/2.0 183 Session Progress', 'INVITE', 1, onPort(sdpOf('b', []), 7000), ['Require: 100rel', 'RSeq: 1']), false); // 6: early answer
      at(2.2, message(Y, 'PRACK sip:b@10.0.0.2 SIP/2.0', 'PRACK', 2, onPort(sdpOf('a', []), 6002), ['RAck: 1 1 INVITE']), true); // 7: a new offer in the PRACK
      at(2.3, message(Y, 'SIP/2.0 200 OK', 'PRACK', 2, onPort(sdpOf('b', []), 7002)), false); // 8: its answer
      at(2.6, message(Y, 'SIP/2.0 488 Not Acceptable Here', 'INVITE', 1, null, REFUSED), false); // 9: the INVITE refused
      at(3, srOfA(), true, 4001, 5001); // 10: Y left nothing behind
    });
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '10 aggregate aggregated-only']);
  });
});

describe('what a refused call states outside its offer/answer goes with it', () => {
  it('a 180 Ringing carrying version 2, then 488 Warning 399 aipref', async () => {
    const run = await replayCall(ws, 'r7-180-refused', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: aggregate
      at(2, message(Y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [], ''), true); // 5
      at(2.1, message(Y, 'SIP/2.0 180 Ringing', 'INVITE', 1, null, [v2]), false); // 6: Y's callee states version 2
      at(2.6, message(Y, 'SIP/2.0 488 Not Acceptable Here', 'INVITE', 1, null, REFUSED), false); // 7: refused
      at(3, srOfA(), true, 4001, 5001); // 8
    });
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '8 aggregate aggregated-only']);
  });

  it('a PRACK carrying version 2 after a reliable 183 answer, then 488', async () => {
    const run = await replayCall(ws, 'r7-prack-refused', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: aggregate
      at(2, message(Y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), ['Supported: 100rel'], ''), true); // 5
      at(2.1, message(Y, 'SIP/2.0 183 Session Progress', 'INVITE', 1, onPort(sdpOf('b', []), 7000), ['Require: 100rel', 'RSeq: 1']), false); // 6
      at(2.2, message(Y, 'PRACK sip:b@10.0.0.2 SIP/2.0', 'PRACK', 2, null, ['RAck: 1 1 INVITE', v2]), true); // 7: Y's caller states version 2
      at(2.6, message(Y, 'SIP/2.0 488 Not Acceptable Here', 'INVITE', 1, null, REFUSED), false); // 8: refused
      at(3, srOfA(), true, 4001, 5001); // 9
    });
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '9 aggregate aggregated-only']);
  });
});

describe('forks: the early fork a 2xx on another fork left behind', () => {
  const XRAW = 'AI-Pref: apt-x;scope=dialog;type=user;export=raw;retention=1h';
  const XNONE = 'AI-Pref: apt-x;scope=dialog;type=user;export=none;retention=1h';
  it('with the 487 captured, the early fork ends and its statement goes: the confirmed call is raw', async () => {
    const run = await replayCall(ws, 'r6-fork-487', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [XRAW], ''), true); // 1
      at(0.1, response('183 Session Progress', 1, onPort(sdpOf('b', []), 5100), [XNONE], 'INVITE', 'b2'), false); // 2
      at(0.5, response('200 OK', 1, sdpOf('b', []), [], 'INVITE', 'b1'), false); // 3
      at(0.6, request('ACK', 1, null, [], ';tag=b1'), true); // 4
      at(0.7, response('487 Request Terminated', 1, null, [], 'INVITE', 'b2'), false); // 5
      at(1, srOfA(), true, 4001, 5001); // 6
      at(100, srOfA(), true, 4001, 5001); // 7
    });
    expect(decided(run)).toEqual(['6 export raw-allowed', '7 export raw-allowed']);
  });
});

describe('an initial INVITE without SDP whose answer the capture never sees', () => {
  const XRAW = 'AI-Pref: apt-x;scope=dialog;type=user;export=raw;retention=1h';
  const XNONE = 'AI-Pref: apt-x;scope=dialog;type=user;export=none;retention=1h';
  it('the call ends (BYE) with its ACK lost: what it stated goes with it, a later call naming the identifier is not held to it', async () => {
    const Z = 'z@10.0.0.1';
    const run = await replayCall(ws, 'r8-invite-key-leak', (at) => {
      at(0, message(Y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, null, [XNONE], ''), true); // 1: Y, no SDP, apt-x export=none (awaits the answer)
      at(0.1, message(Y, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false); // 2: the offer; its ACK (the answer) is not captured
      at(1, message(Y, 'BYE sip:b@10.0.0.2 SIP/2.0', 'BYE', 2, null), true); // 3: Y is over, its offer never answered
      at(1.1, message(Y, 'SIP/2.0 200 OK', 'BYE', 2, null), false); // 4
      at(2, message(Z, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, sdpOf('a', []), [XRAW], ''), true); // 5: another call, apt-x raw
      at(2.1, message(Z, 'SIP/2.0 200 OK', 'INVITE', 1, sdpOf('b', [])), false); // 6
      at(2.2, message(Z, 'ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, null), true); // 7
      at(3, srOfA(), true, 4001, 5001); // 8
    });
    expect(decided(run)).toEqual(['8 export raw-allowed']);
  });
});

describe('an initial INVITE without SDP, a 180, then the 2xx with the offer', () => {
  it('what it states waits for the ACK that answers, with a 180 or without', async () => {
    const flow = (ringing: boolean) => (at: At) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // version 1 aggregate
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
      at(0.2, request('ACK', 1, null), true);
      at(1, message(Y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, null, [v2], ''), true); // Y: version 2, no SDP
      if (ringing) at(1.05, message(Y, 'SIP/2.0 180 Ringing', 'INVITE', 1, null), false);
      at(1.1, message(Y, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false); // the offer
      at(1.2, srOfA(), true, 4001, 5001); // before Y's ACK: aggregate
      at(1.3, message(Y, 'ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, onPort(sdpOf('a', []), 6000)), true);
      at(2, srOfA(), true, 4001, 5001);
    };
    const strip = (l: string[]) => l.map((x) => x.split(' ').slice(1).join(' '));
    const without = strip(decided(await replayCall(ws, 'no-sdp-no-180', flow(false))));
    const with180 = strip(decided(await replayCall(ws, 'no-sdp-180', flow(true))));
    expect(without).toEqual(['aggregate aggregated-only', 'export raw-allowed']);
    expect(with180).toEqual(without);
  });

  it('its ACK lost and the call over (BYE): what it stated goes with it', async () => {
    const XRAW = 'AI-Pref: apt-x;scope=dialog;type=user;export=raw;retention=1h';
    const XNONE = 'AI-Pref: apt-x;scope=dialog;type=user;export=none;retention=1h';
    const Z = 'z@10.0.0.1';
    const run = await replayCall(ws, 'no-sdp-180-ack-lost', (at) => {
      at(0, message(Y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, null, [XNONE], ''), true); // 1
      at(0.05, message(Y, 'SIP/2.0 180 Ringing', 'INVITE', 1, null), false); // 2
      at(0.1, message(Y, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false); // 3: the offer; its ACK not captured
      at(1, message(Y, 'BYE sip:b@10.0.0.2 SIP/2.0', 'BYE', 2, null), true); // 4
      at(1.1, message(Y, 'SIP/2.0 200 OK', 'BYE', 2, null), false); // 5
      at(2, message(Z, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, sdpOf('a', []), [XRAW], ''), true); // 6
      at(2.1, message(Z, 'SIP/2.0 200 OK', 'INVITE', 1, sdpOf('b', [])), false); // 7
      at(2.2, message(Z, 'ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, null), true); // 8
      at(3, srOfA(), true, 4001, 5001); // 9
    });
    expect(decided(run)).toEqual(['9 export raw-allowed']);
  });
});

const v3none = 'AI-Pref: apt-v;scope=dialog;type=user;version=3;export=none;retention=1h';

describe("an UPDATE's offer awaiting its answer at the INVITE's 2xx", () => {
  it('in an early dialog, then refused: its looser version never applies', async () => {
    const run = await replayCall(ws, 'x-b1', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1, 'Supported: 100rel'], ''), true); // 1: version 1 (aggregate)
      at(0.1, response('183 Session Progress', 1, sdpOf('b', []), ['Require: 100rel', 'RSeq: 1']), false); // 2
      at(0.2, request('PRACK', 2, null, ['RAck: 1 1 INVITE']), true); // 3
      at(0.25, response('200 OK', 2, null, [], 'PRACK'), false); // 4
      at(0.3, request('UPDATE', 3, sdpOf('a', []), [v2]), true); // 5: offers version 2 (raw)
      at(0.4, response('200 OK', 1, sdpOf('b', [])), false); // 6: the INVITE's 2xx
      at(0.45, request('ACK', 1, null), true); // 7
      at(0.5, srOfA(), true, 4001, 5001); // 8: the UPDATE is not answered: aggregate
      at(0.6, response('488 Not Acceptable Here', 3, null, REFUSED, 'UPDATE'), false); // 9: refused
      at(1, srOfA(), true, 4001, 5001); // 10: aggregate
    });
    expect(decided(run)).toEqual(['8 aggregate aggregated-only', '10 aggregate aggregated-only']);
  });
  it('when a re-INVITE 2xx confirms its 183, then refused: its looser version never applies', async () => {
    const run = await replayCall(ws, 'x-b2', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: aggregate
      at(2, request('INVITE', 2, sdpOf('a', []), ['Supported: 100rel']), true); // 5
      at(2.1, response('183 Session Progress', 2, sdpOf('b', []), ['Require: 100rel', 'RSeq: 1']), false); // 6
      at(2.15, request('PRACK', 3, null, ['RAck: 1 2 INVITE']), true); // 7
      at(2.2, response('200 OK', 3, null, [], 'PRACK'), false); // 8
      at(2.3, request('UPDATE', 4, sdpOf('a', []), [v2]), true); // 9: offers version 2 (raw)
      at(2.4, response('200 OK', 2, null), false); // 10: the re-INVITE's 2xx
      at(2.45, request('ACK', 2, null), true); // 11
      at(2.5, srOfA(), true, 4001, 5001); // 12: aggregate
      at(2.6, response('488 Not Acceptable Here', 4, null, REFUSED, 'UPDATE'), false); // 13
      at(3, srOfA(), true, 4001, 5001); // 14: aggregate
    });
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '12 aggregate aggregated-only', '14 aggregate aggregated-only']);
  });
});

describe("a re-INVITE failing after its 183 while an UPDATE's offer awaits its answer", () => {
  const upTo183 = (at: At) => {
    at(2, request('INVITE', 2, sdpOf('a', []), ['Supported: 100rel']), true); // 5: session refresh
    at(2.1, response('183 Session Progress', 2, sdpOf('b', []), ['Require: 100rel', 'RSeq: 1']), false); // 6
    at(2.2, request('PRACK', 3, null, ['RAck: 1 2 INVITE']), true); // 7
    at(2.25, response('200 OK', 3, null, [], 'PRACK'), false); // 8
  };
  it("the UPDATE then accepted: its AI-Pref version 3 (export none) is in force", async () => {
    const run = await replayCall(ws, 'x-a2', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v2], ''), true); // 1: raw, version 2
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: raw
      upTo183(at);
      at(2.3, request('UPDATE', 4, sdpOf('a', []), [v3none]), true); // 9
      at(2.4, response('488 Not Acceptable Here', 2, null, REFUSED), false); // 10: the re-INVITE refused
      at(2.45, request('ACK', 2, null), true); // 11
      at(2.6, response('200 OK', 4, sdpOf('b', []), [], 'UPDATE'), false); // 12: the UPDATE accepted
      at(3, srOfA(), true, 4001, 5001); // 13: version 3: none
    });
    expect(decided(run)).toEqual(['4 export raw-allowed', '13 drop export-none']);
  });
  it("the UPDATE's restriction keeps applying after the re-INVITE's 488", async () => {
    const run = await replayCall(ws, 'x-a1', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: raw
      upTo183(at);
      at(2.3, request('UPDATE', 4, sdpOf('a', ['a=aipref:mid apt-none'])), true); // 9: UPDATE restricts
      at(2.35, srOfA(), true, 4001, 5001); // 10: drop
      at(2.4, response('488 Not Acceptable Here', 2, null, REFUSED), false); // 11
      at(2.45, request('ACK', 2, null), true); // 12
      at(2.5, srOfA(), true, 4001, 5001); // 13: the UPDATE still awaits its answer: drop
      at(2.6, response('200 OK', 4, sdpOf('b', []), [], 'UPDATE'), false); // 14
      at(3, srOfA(), true, 4001, 5001); // 15: drop
    }, THREE);
    expect(decided(run)).toEqual(['4 export raw-allowed', '10 drop export-none', '13 drop export-none', '15 drop export-none']);
  });
});

describe('a re-INVITE without SDP: its offer in a reliable 183, the answer in the PRACK', () => {
  it('relaxes nothing before the 2xx, and a 488 undoes it', async () => {
    const run = await replayCall(ws, 'x-h1', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', ['a=aipref:mid apt-none']), ['AI-Pref: apt-agg;scope=dialog'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: drop (apt-none)
      at(2, request('INVITE', 2, null, ['Supported: 100rel']), true); // 5: re-INVITE without SDP
      at(2.1, response('183 Session Progress', 2, sdpOf('b', []), ['Require: 100rel', 'RSeq: 1']), false); // 6: the callee's offer
      at(2.2, request('PRACK', 3, sdpOf('a', []), ['RAck: 1 2 INVITE']), true); // 7: the answer lifts apt-none
      at(2.25, response('200 OK', 3, null, [], 'PRACK'), false); // 8
      at(2.3, srOfA(), true, 4001, 5001); // 9: no 2xx yet: drop
      at(2.4, response('488 Not Acceptable Here', 2, null, REFUSED), false); // 10
      at(2.45, request('ACK', 2, null), true); // 11
      at(3, srOfA(), true, 4001, 5001); // 12: drop
    }, THREE);
    expect(decided(run)).toEqual(['4 drop export-none', '9 drop export-none', '12 drop export-none']);
  });
});

describe("a re-INVITE's 183 answer restricting, a PRACK's offer built on it, and an INFO", () => {
  it('the INFO does not lift the apt-none the 183 answer added', async () => {
    const run = await replayCall(ws, 'x-i1', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: raw
      at(2, request('INVITE', 2, sdpOf('a', []), ['Supported: 100rel']), true); // 5
      at(2.1, response('183 Session Progress', 2, sdpOf('b', ['a=aipref:mid apt-none']), ['Require: 100rel', 'RSeq: 1']), false); // 6: restricts
      at(2.15, srOfA(), true, 4001, 5001); // 7: drop
      at(2.2, request('PRACK', 3, sdpOf('a', []), ['RAck: 1 2 INVITE']), true); // 8: new offer in the PRACK
      at(2.25, srOfA(), true, 4001, 5001); // 9: drop
      at(2.3, request('INFO', 4, null, ['AI-Pref: apt-raw;scope=dialog, apt-agg;scope=dialog']), true); // 10
      at(2.35, srOfA(), true, 4001, 5001); // 11: still drop
    }, THREE);
    expect(decided(run)).toEqual(['4 export raw-allowed', '7 drop export-none', '9 drop export-none', '11 drop export-none']);
  });
});

/** apt-none on the audio; a re-INVITE lifting it answered in a reliable 183 (PRACKed), no 2xx yet */
const liftAnsweredEarly = (at: At) => {
  at(0, request('INVITE', 1, sdpOf('a', ['a=aipref:mid apt-none']), ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1
  at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
  at(0.2, request('ACK', 1, null), true); // 3
  at(1, srOfA(), true, 4001, 5001); // 4: drop
  at(2, request('INVITE', 2, sdpOf('a', []), ['Supported: 100rel']), true); // 5: re-INVITE lifting apt-none
  at(2.1, response('183 Session Progress', 2, sdpOf('b', []), ['Require: 100rel', 'RSeq: 1']), false); // 6: early answer
  at(2.2, srOfA(), true, 4001, 5001); // 7: not confirmed: drop
  at(2.25, request('PRACK', 3, null, ['RAck: 1 2 INVITE']), true); // 8
  at(2.3, response('200 OK', 3, null, [], 'PRACK'), false); // 9
};
describe("an UPDATE refused (488/399) while a re-INVITE's 183 answer awaits its 2xx", () => {
  it('an UPDATE restating apt-none, refused: the unconfirmed lift stays out of force', async () => {
    const run = await replayCall(ws, 'd1-update-restrict-refused', (at) => {
      liftAnsweredEarly(at);
      at(2.4, request('UPDATE', 4, sdpOf('a', ['a=aipref:mid apt-none'])), true); // 10
      at(2.45, srOfA(), true, 4001, 5001); // 11: drop
      at(2.5, response('488 Not Acceptable Here', 4, null, REFUSED, 'UPDATE'), false); // 12: UPDATE refused
      at(2.6, srOfA(), true, 4001, 5001); // 13: the re-INVITE still has no 2xx: drop
      at(2.7, response('488 Not Acceptable Here', 2, null, REFUSED), false); // 14: re-INVITE refused
      at(2.8, request('ACK', 2, null), true); // 15
      at(3, srOfA(), true, 4001, 5001); // 16: drop
    }, THREE);
    expect(decided(run)).toEqual(['4 drop export-none', '7 drop export-none', '11 drop export-none', '13 drop export-none', '16 drop export-none']);
  });
  it('an UPDATE offering the lift, refused: nothing confirms the lift before the 2xx', async () => {
    const run = await replayCall(ws, 'd1-update-lift-refused', (at) => {
      liftAnsweredEarly(at);
      at(2.4, request('UPDATE', 4, sdpOf('a', [])), true); // 10
      at(2.5, response('488 Not Acceptable Here', 4, null, REFUSED, 'UPDATE'), false); // 11: the peer refused the lift
      at(2.6, srOfA(), true, 4001, 5001); // 12: must drop (the 183 answer is unconfirmed, the UPDATE refused)
      at(2.7, response('200 OK', 2, null), false); // 13: the re-INVITE's 2xx
      at(2.8, request('ACK', 2, null), true); // 14
      at(3, srOfA(), true, 4001, 5001); // 15: raw now
    }, THREE);
    expect(decided(run)).toEqual(['4 drop export-none', '7 drop export-none', '12 drop export-none', '15 export raw-allowed']);
  });
});

describe("an UPDATE's exchange built on a re-INVITE's 183 answer, then the re-INVITE refused", () => {
  it("the re-INVITE's looser version reaches no call: what it stated waits for its final response", async () => {
    const run = await replayCall(ws, 'x5', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v1], ''), true); // 1: this call, version 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: aggregate
      at(1.1, message(Y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [v1], ''), true); // 5: Y, version 1
      at(1.2, message(Y, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false); // 6
      at(1.3, message(Y, 'ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, null), true); // 7
      at(2, message(Y, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 2, onPort(sdpOf('a', []), 6000), [v2, 'Supported: 100rel']), true); // 8: Y re-INVITE, version 2
      at(2.1, message(Y, 'SIP/2.0 183 Session Progress', 'INVITE', 2, onPort(sdpOf('b', []), 7000), ['Require: 100rel', 'RSeq: 1']), false); // 9: early answer
      at(2.2, message(Y, 'PRACK sip:b@10.0.0.2 SIP/2.0', 'PRACK', 3, null, ['RAck: 1 2 INVITE']), true); // 10
      at(2.25, message(Y, 'SIP/2.0 200 OK', 'PRACK', 3, null), false); // 11
      at(2.3, message(Y, 'UPDATE sip:b@10.0.0.2 SIP/2.0', 'UPDATE', 4, onPort(sdpOf('a', []), 6000)), true); // 12: session refresh, no AI-Pref
      at(2.35, message(Y, 'SIP/2.0 200 OK', 'UPDATE', 4, onPort(sdpOf('b', []), 7000)), false); // 13
      at(2.6, message(Y, 'SIP/2.0 488 Not Acceptable Here', 'INVITE', 2, null, REFUSED), false); // 14: the re-INVITE (and its version 2) refused
      at(3, srOfA(), true, 4001, 5001); // 15: version 1 still
    });
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '15 aggregate aggregated-only']);
  });
});

const X = 'x@10.0.0.1';
describe('a re-INVITE whose 183 answer an UPDATE exchange built on, then refused or cancelled', () => {
  it("488 after the UPDATE's answer: the re-INVITE's dialog-level AI-Pref (apt-raw) is never in force", async () => {
    const run = await replayCall(ws, 'r1-488', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-agg;scope=dialog'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: aggregate
      at(2, request('INVITE', 2, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog', 'Supported: 100rel']), true); // 5: re-INVITE relaxing to apt-raw
      at(2.1, response('183 Session Progress', 2, sdpOf('b', []), ['Require: 100rel', 'RSeq: 1']), false); // 6
      at(2.2, request('PRACK', 3, null, ['RAck: 1 2 INVITE']), true); // 7
      at(2.25, response('200 OK', 3, null, [], 'PRACK'), false); // 8
      at(2.3, request('UPDATE', 4, sdpOf('a', [])), true); // 9: session refresh, no AI-Pref
      at(2.35, response('200 OK', 4, sdpOf('b', []), [], 'UPDATE'), false); // 10
      at(2.4, srOfA(), true, 4001, 5001); // 11: re-INVITE not confirmed: aggregate
      at(2.6, response('488 Not Acceptable Here', 2, null, REFUSED), false); // 12: refused
      at(2.65, request('ACK', 2, null), true); // 13
      at(3, srOfA(), true, 4001, 5001); // 14: refused: aggregate
    }, THREE);
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '11 aggregate aggregated-only', '14 aggregate aggregated-only']);
  });

  it('CANCEL / 487 while the UPDATE awaits its answer, the UPDATE then accepted: apt-raw never comes into force', async () => {
    const run = await replayCall(ws, 'r1-cancel', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-agg;scope=dialog'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4: aggregate
      at(2, request('INVITE', 2, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog', 'Supported: 100rel']), true); // 5
      at(2.1, response('183 Session Progress', 2, sdpOf('b', []), ['Require: 100rel', 'RSeq: 1']), false); // 6
      at(2.2, request('PRACK', 3, null, ['RAck: 1 2 INVITE']), true); // 7
      at(2.25, response('200 OK', 3, null, [], 'PRACK'), false); // 8
      at(2.3, request('UPDATE', 4, sdpOf('a', [])), true); // 9: UPDATE, no AI-Pref
      at(2.35, request('CANCEL', 2, null), true); // 10: the re-INVITE cancelled
      at(2.4, response('487 Request Terminated', 2, null), false); // 11
      at(2.45, request('ACK', 2, null), true); // 12
      at(2.5, response('200 OK', 4, sdpOf('b', []), [], 'UPDATE'), false); // 13: UPDATE answered
      at(3, srOfA(), true, 4001, 5001); // 14: the cancelled re-INVITE's apt-raw: must stay aggregate
    }, THREE);
    expect(decided(run)).toEqual(['4 aggregate aggregated-only', '14 aggregate aggregated-only']);
  });
});

describe('an INVITE challenged and sent again', () => {
  it("the challenged INVITE's looser version is not committed by the re-sent INVITE's answer", async () => {
    const run = await replayCall(ws, 'r2-407-lost', (at) => {
      at(0, message(X, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [v1], ''), true); // 1: X, version 1
      at(0.1, message(X, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false); // 2
      at(0.2, message(X, 'ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, null), true); // 3
      at(1, request('INVITE', 1, sdpOf('a', []), [v2], ''), true); // 4: CALL version 2 (challenged; 407 not captured)
      at(1.5, request('INVITE', 2, sdpOf('a', []), [], ''), true); // 5: re-sent with credentials, no AI-Pref
      at(1.6, response('200 OK', 2, sdpOf('b', [])), false); // 6
      at(1.7, request('ACK', 2, null), true); // 7
      // X's A declares a=ssrc:6000 (onPort): its stream sends as 6000 — 1111 is CALL's, and RTCP of an
      // SSRC another live call declares is that call's (TransportMap.declaredOver)
      at(3, sr(6000), true, 6001, 7001); // 8: X's stream: version 1, aggregate
    });
    expect(decided(run)).toEqual(['8 aggregate aggregated-only']);
  });

  it('407 captured, re-sent INVITE states version 1: version 2 never applies', async () => {
    const run = await replayCall(ws, 'r2-407', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [v2], ''), true); // 1
      at(0.1, response('407 Proxy Authentication Required', 1, null, [], 'INVITE', 'p1'), false); // 2
      at(0.15, request('ACK', 1, null, [], ';tag=p1'), true); // 3
      at(0.2, request('INVITE', 2, sdpOf('a', []), [v1], ''), true); // 4
      at(0.3, response('200 OK', 2, sdpOf('b', [])), false); // 5
      at(0.4, request('ACK', 2, null), true); // 6
      at(1, srOfA(), true, 4001, 5001); // 7: aggregate
    });
    expect(decided(run)).toEqual(['7 aggregate aggregated-only']);
  });
});

describe("a forking proxy's 487 from a branch that never sent a provisional, after another fork's 2xx", () => {
  it("INVITE without SDP stating version 3 (none): the unseen branch's 487 does not discard it", async () => {
    const run = await replayCall(ws, 'r3-unseen-487', (at) => {
      at(0, message(X, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [v2], ''), true); // 1: X, version 2 raw
      at(0.1, message(X, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false); // 2
      at(0.2, message(X, 'ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, null), true); // 3
      at(0.5, sr(6000), true, 6001, 7001); // 4: raw
      at(1, request('INVITE', 1, null, [v3none], ''), true); // 5: CALL, no SDP, version 3 (none)
      at(1.1, response('200 OK', 1, sdpOf('b', []), [], 'INVITE', 'b1'), false); // 6: fork b1 offers
      at(1.15, response('487 Request Terminated', 1, null, [], 'INVITE', 'b3'), false); // 7: branch b3 (only a 100 before) cancelled
      at(1.2, request('ACK', 1, sdpOf('a', []), [], ';tag=b1'), true); // 8: the answer
      at(2, srOfA(), true, 4001, 5001); // 9: version 3: none
      at(2.1, sr(6000), true, 6001, 7001); // 10: X: version 3 replaced 2: none
    });
    expect(decided(run)).toEqual(['4 export raw-allowed', '9 drop export-none', '10 drop export-none']);
  });

  it('INVITE with SDP: the running call keeps its statements and scope after the unseen branch 487', async () => {
    const run = await replayCall(ws, 'r3-unseen-487-sdp', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', ['a=aipref:mid apt-none']), ['AI-Pref: apt-raw;scope=dialog'], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', []), [], 'INVITE', 'b1'), false); // 2
      at(0.15, response('487 Request Terminated', 1, null, [], 'INVITE', 'b3'), false); // 3
      at(0.2, request('ACK', 1, null, [], ';tag=b1'), true); // 4
      at(1, srOfA(), true, 4001, 5001); // 5: drop (apt-none)
    }, THREE);
    expect(decided(run)).toEqual(['5 drop export-none']);
  });
});
