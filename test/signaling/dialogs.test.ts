import { describe, expect, test } from 'vitest';
import type { SignalingEvent, SipContext } from '../../src/signaling/dialog-events.js';
import { DialogTracker } from '../../src/signaling/dialogs.js';
import { parseSipMessage } from '../../src/signaling/sip-message.js';
import { audioSdp, bytesOf, sipText } from './sip-fixtures.js';

interface Leg {
  callId: string;
  caller: string;
  callee?: string;
}

interface MessageOpts {
  cseq: number;
  method: string;
  branch?: string;
  sdp?: string;
  aiPref?: string[];
  extra?: string[];
  /** sent by the callee (From/To swapped) */
  fromCallee?: boolean;
}

function headers(leg: Leg, o: MessageOpts): string[] {
  const callerHeader = `<sip:alice@a.example>;tag=${leg.caller}`;
  const calleeHeader = leg.callee ? `<sip:bob@b.example>;tag=${leg.callee}` : '<sip:bob@b.example>';
  return [
    `Via: SIP/2.0/UDP a.example;branch=${o.branch ?? `z9hG4bK-${leg.callId}-${o.cseq}-${o.method}`}`,
    `From: ${o.fromCallee ? calleeHeader : callerHeader}`,
    `To: ${o.fromCallee ? callerHeader : calleeHeader}`,
    `Call-ID: ${leg.callId}`,
    `CSeq: ${o.cseq} ${o.method}`,
    ...(o.aiPref ?? []).map((v) => `AI-Pref: ${v}`),
    ...(o.extra ?? []),
    ...(o.sdp ? ['Content-Type: application/sdp'] : []),
  ];
}

function request(leg: Leg, o: MessageOpts): string {
  return sipText([`${o.method} sip:bob@b.example SIP/2.0`, ...headers(leg, o)], o.sdp ?? '');
}

function response(leg: Leg, status: number, o: MessageOpts): string {
  return sipText([`SIP/2.0 ${status} Reason`, ...headers(leg, o)], o.sdp ?? '');
}

class Replay {
  readonly tracker: DialogTracker;
  frame = 0;
  constructor(tracker = new DialogTracker()) {
    this.tracker = tracker;
  }
  send(text: string, ts = this.frame + 1): SignalingEvent[] {
    this.frame++;
    const b = bytesOf(text);
    const ctx: SipContext = { frame: this.frame, ts, src: '192.0.2.1', dst: '192.0.2.2', sport: 5060, dport: 5060, transport: 'udp' };
    return this.tracker.handle(parseSipMessage(b, 0, b.length), ctx);
  }
}

function types(events: SignalingEvent[]): string[] {
  return events.map((e) => e.type);
}

const OFFER = audioSdp({ session: ['a=aipref:session apt-s export=aggregated-only'], media: ['a=mid:0', 'a=aipref:mid apt-m export=raw'] });
const ANSWER = audioSdp({ ip: '198.51.100.9', port: 5000, media: ['a=mid:0'] });

function establish(r: Replay, leg: Leg, offer = OFFER, answer = ANSWER): SignalingEvent[] {
  const invite = { callId: leg.callId, caller: leg.caller };
  return [
    ...r.send(request(invite, { cseq: 1, method: 'INVITE', sdp: offer })),
    ...r.send(response(leg, 200, { cseq: 1, method: 'INVITE', sdp: answer })),
    ...r.send(request(leg, { cseq: 1, method: 'ACK', branch: 'z9hG4bK-ack' })),
  ];
}

describe('DialogTracker: basic call', () => {
  test('INVITE/100/180/200/ACK/BYE/200: offer, early dialog, answer, confirmed, ended', () => {
    const r = new Replay();
    const leg = { callId: 'call-1', caller: 'a1', callee: 'b1' };
    const invite = { callId: 'call-1', caller: 'a1' };
    const e1 = r.send(request(invite, { cseq: 1, method: 'INVITE', sdp: OFFER }));
    expect(types(e1)).toEqual(['offer']);
    const offer = e1[0]!;
    if (offer.type !== 'offer') throw new Error();
    expect(offer).toMatchObject({ frame: 1, dialog: { callId: 'call-1', fromTag: 'a1', toTag: '' }, offerer: 'caller', method: 'INVITE', cseq: 1, effective: null });
    expect(offer.proposed.sections[0]!.apts.map((a) => a.id)).toEqual(['apt-s', 'apt-m']);

    expect(r.send(response(invite, 100, { cseq: 1, method: 'INVITE' }))).toEqual([]);
    const e3 = r.send(response(leg, 180, { cseq: 1, method: 'INVITE' }));
    expect(e3).toMatchObject([{ type: 'dialog-created', state: 'early', dialog: { callId: 'call-1', fromTag: 'a1', toTag: 'b1' }, fromInvite: offer.key, adopted: false }]);
    const e4 = r.send(response(leg, 200, { cseq: 1, method: 'INVITE', sdp: ANSWER }));
    expect(types(e4)).toEqual(['dialog-confirmed', 'answer']);
    const answer = e4[1]!;
    if (answer.type !== 'answer') throw new Error();
    expect(answer).toMatchObject({ frame: 4, answerer: 'callee', early: false, status: 200, previous: null });
    expect(answer.effective.sections[0]!.rtp).toEqual([
      { address: '192.0.2.1', port: 4000 },
      { address: '198.51.100.9', port: 5000 },
    ]);
    expect(r.send(request(leg, { cseq: 1, method: 'ACK', branch: 'z9hG4bK-ack' }))).toEqual([]);
    const e6 = r.send(request(leg, { cseq: 1, method: 'BYE', fromCallee: true }));
    expect(e6).toMatchObject([{ type: 'dialog-ended', reason: 'bye', frame: 6, key: answer.key }]);
    expect(r.send(response(leg, 200, { cseq: 1, method: 'BYE', fromCallee: true }))).toEqual([]);
    expect(r.tracker.size).toBe(0); // the answered INVITE goes with its last dialog
  });

  test('retransmissions change nothing', () => {
    const r = new Replay();
    const leg = { callId: 'call-r', caller: 'a', callee: 'b' };
    const invite = request({ callId: 'call-r', caller: 'a' }, { cseq: 1, method: 'INVITE', sdp: OFFER });
    const ok = response(leg, 200, { cseq: 1, method: 'INVITE', sdp: ANSWER });
    expect(types(r.send(invite))).toEqual(['offer']);
    expect(r.send(invite)).toEqual([]);
    expect(types(r.send(ok))).toEqual(['dialog-created', 'answer']);
    expect(r.send(ok)).toEqual([]);
    expect(r.tracker.stats.retransmissions).toBe(2);
  });

  test('a message of the same transaction that differs in its body or one header value is no retransmission', () => {
    const r = new Replay();
    const leg = { callId: 'call-d', caller: 'a' };
    const other = OFFER.replace('m=audio 4000 ', 'm=audio 4010 ');
    const subject = (text: string) => ({ cseq: 1, method: 'INVITE', extra: [`Subject: ${text}`] });
    expect(types(r.send(request(leg, { ...subject('one'), sdp: OFFER })))).toEqual(['offer']);
    // the same headers, Content-Length included (both bodies are as long), another body
    expect(other.length).toBe(OFFER.length);
    expect(types(r.send(request(leg, { ...subject('one'), sdp: other })))).toEqual(['offer']);
    // the first body again, with one header value changed
    r.send(request(leg, { ...subject('two'), sdp: OFFER }));
    expect(r.tracker.stats).toMatchObject({ messages: 3, retransmissions: 0 });
    // and each of the three again, byte for byte: three retransmissions
    for (const again of [request(leg, { ...subject('one'), sdp: other }), request(leg, { ...subject('one'), sdp: OFFER }), request(leg, { ...subject('two'), sdp: OFFER })]) {
      expect(r.send(again)).toEqual([]);
    }
    expect(r.tracker.stats).toMatchObject({ messages: 6, retransmissions: 3 });
  });

  test('offer in the 200, answer in the ACK', () => {
    const r = new Replay();
    const leg = { callId: 'late', caller: 'a', callee: 'b' };
    expect(r.send(request({ callId: 'late', caller: 'a' }, { cseq: 1, method: 'INVITE' }))).toEqual([]);
    const e2 = r.send(response(leg, 200, { cseq: 1, method: 'INVITE', sdp: ANSWER }));
    expect(e2).toMatchObject([{ type: 'dialog-created', state: 'confirmed' }, { type: 'offer', offerer: 'callee' }]);
    const e3 = r.send(request(leg, { cseq: 1, method: 'ACK', sdp: OFFER }));
    expect(e3).toMatchObject([{ type: 'answer', answerer: 'caller', method: 'ACK' }]);
  });

  test('early answer in a 183, the same SDP again in the 200 is not a second answer; a changed one is', () => {
    const r = new Replay();
    const leg = { callId: 'early', caller: 'a', callee: 'b' };
    r.send(request({ callId: 'early', caller: 'a' }, { cseq: 1, method: 'INVITE', sdp: OFFER }));
    expect(r.send(response(leg, 183, { cseq: 1, method: 'INVITE', sdp: ANSWER }))).toMatchObject([{ type: 'dialog-created', state: 'early' }, { type: 'answer', early: true, repeat: false }]);
    // the 2xx confirms the 183's answer: what it changed stays (a failure would have undone it)
    expect(types(r.send(response(leg, 200, { cseq: 1, method: 'INVITE', sdp: ANSWER })))).toEqual(['dialog-confirmed', 'answer-confirmed']);

    const r2 = new Replay();
    r2.send(request({ callId: 'early', caller: 'a' }, { cseq: 1, method: 'INVITE', sdp: OFFER }));
    r2.send(response(leg, 183, { cseq: 1, method: 'INVITE', sdp: ANSWER }));
    const revised = audioSdp({ ip: '198.51.100.9', port: 5000, media: ['a=mid:0', 'a=aipref:mid apt-callee'] });
    const e = r2.send(response(leg, 200, { cseq: 1, method: 'INVITE', sdp: revised }));
    // a revision of the answer given: no offer awaits it (what an offer brought was committed by the 183)
    expect(e).toMatchObject([{ type: 'dialog-confirmed' }, { type: 'answer-confirmed', cseq: 1 }, { type: 'answer', early: false, repeat: true }]);
    if (e[2]!.type !== 'answer') throw new Error();
    expect(e[2]!.diff.added.map((a) => a.id)).toEqual(['apt-callee']);
  });

  test('reliable provisional with the offer, PRACK with the answer', () => {
    const r = new Replay();
    const leg = { callId: 'prack', caller: 'a', callee: 'b' };
    r.send(request({ callId: 'prack', caller: 'a' }, { cseq: 1, method: 'INVITE' }));
    expect(types(r.send(response(leg, 183, { cseq: 1, method: 'INVITE', sdp: ANSWER, extra: ['Require: 100rel', 'RSeq: 1'] })))).toEqual(['dialog-created', 'offer']);
    expect(r.send(request(leg, { cseq: 2, method: 'PRACK', sdp: OFFER, extra: ['RAck: 1 1 INVITE'] }))).toMatchObject([{ type: 'answer', method: 'PRACK', answerer: 'caller' }]);
    // a relay's copy of that PRACK, its SDP rewritten: the same answer (its addresses join), not an offer
    const copy = audioSdp({ ip: '203.0.113.7', port: 7000, session: ['a=aipref:session apt-s export=aggregated-only'], media: ['a=mid:0', 'a=aipref:mid apt-m export=raw'] });
    expect(r.send(request(leg, { cseq: 2, method: 'PRACK', sdp: copy, extra: ['RAck: 1 1 INVITE'] }))).toMatchObject([{ type: 'answer', method: 'PRACK', repeat: true }]);
    // the 200 repeating the 183's SDP offers nothing new: no offer is left awaiting an answer
    // (it confirms the exchange the 183 and the PRACK made: a failure would have undone it)
    expect(types(r.send(response(leg, 200, { cseq: 1, method: 'INVITE', sdp: ANSWER })))).toEqual(['dialog-confirmed', 'answer-confirmed']);
    r.send(request(leg, { cseq: 1, method: 'ACK' }));
    // so the next re-INVITE supersedes nothing
    expect(r.send(request(leg, { cseq: 3, method: 'INVITE', sdp: OFFER }))).toMatchObject([{ type: 'offer', supersedes: false }]);
  });
});

describe('DialogTracker: AI-Pref stated outside an offer', () => {
  test('is midCall in a request of a confirmed dialog, not at the set-up (a 180, the ACK)', () => {
    const r = new Replay();
    const leg = { callId: 'mid', caller: 'a', callee: 'b' };
    r.send(request({ callId: 'mid', caller: 'a' }, { cseq: 1, method: 'INVITE', sdp: OFFER, aiPref: ['apt-h;scope=dialog'] }));
    const ringing = r.send(response(leg, 180, { cseq: 1, method: 'INVITE', aiPref: ['apt-c;scope=dialog'] }));
    expect(ringing.filter((e) => e.type === 'aipref-changed')).toMatchObject([{ midCall: false }]);
    r.send(response(leg, 200, { cseq: 1, method: 'INVITE', sdp: ANSWER }));
    expect(r.send(request(leg, { cseq: 1, method: 'ACK', branch: 'z9hG4bK-ack', aiPref: ['apt-h;scope=dialog;export=none'] }))).toMatchObject([{ type: 'aipref-changed', midCall: false }]);
    expect(r.send(request(leg, { cseq: 2, method: 'INFO', aiPref: ['apt-h;scope=dialog;export=none'] }))).toMatchObject([{ type: 'aipref-changed', midCall: true, scopesUnchanged: true }]);
    expect(r.send(request(leg, { cseq: 3, method: 'UPDATE', aiPref: ['apt-n;scope=dialog'] }))).toMatchObject([{ type: 'aipref-changed', midCall: true, scopesUnchanged: false }]);
    // the callee numbers its own CSeq: its re-INVITE 1 is not the initial INVITE's transaction
    expect(r.send(request(leg, { cseq: 1, method: 'INVITE', fromCallee: true, aiPref: ['apt-h;scope=dialog;export=raw'] }))).toMatchObject([{ type: 'aipref-changed', midCall: true }]);
  });

  test('is midCall in a dialog the capture joined mid-call, before any answer is seen', () => {
    const r = new Replay();
    const leg = { callId: 'joined', caller: 'a', callee: 'b' };
    expect(r.send(request(leg, { cseq: 10, method: 'INVITE', sdp: OFFER }))).toMatchObject([{ type: 'dialog-created', adopted: true }, { type: 'offer' }]);
    expect(r.send(request(leg, { cseq: 11, method: 'INFO', aiPref: ['apt-h;scope=dialog;export=raw'] }))).toMatchObject([{ type: 'aipref-changed', midCall: true }]);
  });
});

describe('DialogTracker: forks, CANCEL and failures', () => {
  test('forked responses with different to-tags make one dialog each', () => {
    const r = new Replay();
    const invite = { callId: 'fork', caller: 'a' };
    const offer = r.send(request(invite, { cseq: 1, method: 'INVITE', sdp: OFFER }))[0]!;
    const b1 = r.send(response({ ...invite, callee: 'b1' }, 180, { cseq: 1, method: 'INVITE' }));
    const b2 = r.send(response({ ...invite, callee: 'b2' }, 183, { cseq: 1, method: 'INVITE', sdp: ANSWER }));
    expect(b1).toMatchObject([{ type: 'dialog-created', dialog: { toTag: 'b1' }, fromInvite: offer.key }]);
    expect(b2).toMatchObject([{ type: 'dialog-created', dialog: { toTag: 'b2' } }, { type: 'answer', dialog: { toTag: 'b2' }, early: true }]);
    const ok1 = r.send(response({ ...invite, callee: 'b1' }, 200, { cseq: 1, method: 'INVITE', sdp: ANSWER }));
    expect(ok1).toMatchObject([{ type: 'dialog-confirmed', dialog: { toTag: 'b1' } }, { type: 'answer', dialog: { toTag: 'b1' } }]);
  });

  test('CANCEL then 487: the offer is withdrawn and the early dialogs end', () => {
    const r = new Replay();
    const invite = { callId: 'cancel', caller: 'a' };
    r.send(request(invite, { cseq: 1, method: 'INVITE', sdp: OFFER }));
    r.send(response({ ...invite, callee: 'b' }, 180, { cseq: 1, method: 'INVITE' }));
    expect(r.send(request(invite, { cseq: 1, method: 'CANCEL' }))).toEqual([]);
    const e = r.send(response({ ...invite, callee: 'b' }, 487, { cseq: 1, method: 'INVITE' }));
    expect(e).toMatchObject([
      { type: 'offer-rejected', reason: 'cancelled', status: 487, effective: null },
      { type: 'dialog-ended', reason: 'cancelled', status: 487, dialog: { toTag: 'b' } },
      // the INVITE's own early state, whose offer had a scope
      { type: 'dialog-ended', reason: 'cancelled', status: 487, dialog: { toTag: '' } },
    ]);
    expect(r.tracker.size).toBe(0);
  });

  test('a 407 challenge and the INVITE sent again with a higher CSeq', () => {
    const r = new Replay();
    const invite = { callId: 'auth', caller: 'a' };
    r.send(request(invite, { cseq: 1, method: 'INVITE', sdp: OFFER }));
    expect(types(r.send(response({ ...invite, callee: 'x' }, 407, { cseq: 1, method: 'INVITE' })))).toEqual(['offer-rejected', 'dialog-ended']);
    expect(types(r.send(request(invite, { cseq: 2, method: 'INVITE', sdp: OFFER })))).toEqual(['offer']);
    expect(types(r.send(response({ ...invite, callee: 'b' }, 200, { cseq: 2, method: 'INVITE', sdp: ANSWER })))).toEqual(['dialog-created', 'answer']);
  });

  test('481 to an in-dialog request ends the dialog; messages of ended dialogs are ignored', () => {
    const r = new Replay();
    const leg = { callId: 'gone', caller: 'a', callee: 'b' };
    establish(r, leg);
    expect(types(r.send(request(leg, { cseq: 2, method: 'INFO' })))).toEqual([]);
    expect(r.send(response(leg, 481, { cseq: 2, method: 'INFO' }))).toMatchObject([{ type: 'dialog-ended', reason: 'in-dialog-failure', status: 481 }]);
    expect(r.send(request(leg, { cseq: 3, method: 'INVITE', sdp: OFFER }))).toEqual([]);
  });
});

describe('DialogTracker: renegotiation (SPEC §5)', () => {
  const leg = { callId: 'reneg', caller: 'a', callee: 'b' };
  const WITHOUT_MID_APT = audioSdp({ version: 2, session: ['a=aipref:session apt-s export=aggregated-only'], media: ['a=mid:0'] });

  test('re-INVITE removing a=aipref: the offer shows the removal, the answer confirms it', () => {
    const r = new Replay();
    establish(r, leg);
    const offer = r.send(request(leg, { cseq: 2, method: 'INVITE', sdp: WITHOUT_MID_APT }));
    expect(types(offer)).toEqual(['offer']);
    if (offer[0]!.type !== 'offer') throw new Error();
    expect(offer[0]!.effective!.sections[0]!.apts.map((a) => a.id)).toEqual(['apt-s', 'apt-m']);
    expect(offer[0]!.diff.removed).toMatchObject([{ index: 0, mid: '0', id: 'apt-m', cause: 'attribute-removed', fallback: ['apt-s'], fallbackKind: 'section' }]);
    const answer = r.send(response(leg, 200, { cseq: 2, method: 'INVITE', sdp: ANSWER }));
    expect(answer).toMatchObject([{ type: 'answer', frame: 5, diff: { removed: [{ id: 'apt-m', fallback: ['apt-s'] }] } }]);
    r.send(request(leg, { cseq: 2, method: 'ACK', branch: 'z9hG4bK-ack2' }));

    // the same SDP again (a session refresh) changes nothing
    const again = r.send(request(leg, { cseq: 3, method: 'INVITE', sdp: WITHOUT_MID_APT }));
    expect(again).toMatchObject([{ type: 'offer', diff: { unchanged: true } }]);
    expect(r.send(response(leg, 200, { cseq: 3, method: 'INVITE', sdp: ANSWER }))).toMatchObject([{ type: 'answer', diff: { unchanged: true } }]);
  });

  test('an identifier the answerer echoed does not linger in the proposal once the offerer drops it', () => {
    const r = new Replay();
    const echoing = audioSdp({ ip: '198.51.100.9', port: 5000, session: ['a=aipref:session apt-s export=aggregated-only'], media: ['a=mid:0', 'a=aipref:mid apt-m export=raw'] });
    establish(r, leg, OFFER, echoing);
    const offer = r.send(request(leg, { cseq: 2, method: 'INVITE', sdp: WITHOUT_MID_APT }));
    if (offer[0]!.type !== 'offer') throw new Error();
    expect(offer[0]!.proposed.sections[0]!.apts.map((a) => a.id)).toEqual(['apt-s']);
    // the answerer's addresses still hold while its answer is awaited
    expect(offer[0]!.proposed.sections[0]!.rtp).toEqual([
      { address: '192.0.2.1', port: 4000 },
      { address: '198.51.100.9', port: 5000 },
    ]);
    expect(offer[0]!.diff.removed).toMatchObject([{ id: 'apt-m', fallback: ['apt-s'] }]);
  });

  test('callee re-INVITE disabling the stream with port 0', () => {
    const r = new Replay();
    establish(r, leg);
    const disabled = audioSdp({ ip: '198.51.100.9', port: 0, media: ['a=mid:0'] });
    const offer = r.send(request(leg, { cseq: 1, method: 'INVITE', sdp: disabled, fromCallee: true }));
    expect(offer).toMatchObject([{ type: 'offer', offerer: 'callee', diff: { removed: [{ id: 'apt-m', cause: 'section-disabled' }, { id: 'apt-s', cause: 'section-disabled' }] } }]);
  });

  test('488 with Warning 399 aipref: the offer is discarded, the old scopes stay', () => {
    const r = new Replay();
    establish(r, leg);
    r.send(request(leg, { cseq: 2, method: 'INVITE', sdp: WITHOUT_MID_APT }));
    const refused = r.send(response(leg, 488, { cseq: 2, method: 'INVITE', extra: ['Warning: 399 aipref "Preference unsupported"'] }));
    expect(refused).toMatchObject([{ type: 'offer-rejected', reason: 'aipref-refused', status: 488, warning: { code: 399, agent: 'aipref' } }]);
    if (refused[0]!.type !== 'offer-rejected') throw new Error();
    expect(refused[0]!.effective!.sections[0]!.apts.map((a) => a.id)).toEqual(['apt-s', 'apt-m']);
    // a stray 200 for the refused transaction is not an answer any more
    expect(types(r.send(response(leg, 200, { cseq: 2, method: 'INVITE', sdp: ANSWER, branch: 'z9hG4bK-other' })))).toEqual([]);
  });

  test('403 with Reason AI-Integrity-Failure: refused for integrity (seed §5.1.3)', () => {
    const r = new Replay();
    establish(r, leg);
    r.send(request(leg, { cseq: 2, method: 'INVITE', sdp: WITHOUT_MID_APT, aiPref: ['"ey.x.y";integrity=jws'] }));
    const e = r.send(response(leg, 403, { cseq: 2, method: 'INVITE', extra: ['Reason: SIP ;cause=403 ;text="AI-Integrity-Failure"'] }));
    expect(e).toMatchObject([{ type: 'offer-rejected', reason: 'integrity-refused', status: 403, warning: null, integrityReason: 'SIP ;cause=403 ;text="AI-Integrity-Failure"' }]);
  });

  test('any non-2xx final to a re-INVITE discards the offer; the dialog survives', () => {
    const r = new Replay();
    establish(r, leg);
    r.send(request(leg, { cseq: 2, method: 'INVITE', sdp: WITHOUT_MID_APT }));
    expect(r.send(response(leg, 491, { cseq: 2, method: 'INVITE' }))).toMatchObject([{ type: 'offer-rejected', reason: 'rejected', warning: null }]);
    expect(types(r.send(request(leg, { cseq: 3, method: 'BYE' })))).toEqual(['dialog-ended']);
  });

  test('UPDATE offer and its 200 answer; AI-Pref header values dropped', () => {
    const r = new Replay();
    r.send(request({ callId: 'upd', caller: 'a' }, { cseq: 1, method: 'INVITE', sdp: OFFER, aiPref: ['apt-d;scope=dialog', 'apt-h;scope=media'] }));
    const l = { callId: 'upd', caller: 'a', callee: 'b' };
    const first = r.send(response(l, 200, { cseq: 1, method: 'INVITE', sdp: ANSWER }));
    if (first[1]!.type !== 'answer') throw new Error();
    expect(first[1]!.effective.dialogApts.map((a) => a.id)).toEqual(['apt-d']);
    expect(first[1]!.effective.sections[0]!.apts.map((a) => `${a.id}/${a.origin}`)).toEqual(['apt-s/session', 'apt-m/mid', 'apt-h/header-media']);
    const update = r.send(request(l, { cseq: 2, method: 'UPDATE', sdp: OFFER, aiPref: ['apt-d;scope=dialog'] }));
    expect(update).toMatchObject([{ type: 'offer', method: 'UPDATE', aiPref: [{ id: 'apt-d' }], diff: { removed: [{ id: 'apt-h', cause: 'header-value-dropped', origin: 'header-media' }] } }]);
    expect(r.send(response(l, 200, { cseq: 2, method: 'UPDATE', sdp: ANSWER }))).toMatchObject([{ type: 'answer', method: 'UPDATE', diff: { removed: [{ id: 'apt-h' }] } }]);
  });

  test('a re-INVITE without AI-Pref keeps the stated values; an INFO with AI-Pref changes them at once', () => {
    const r = new Replay();
    const l = { callId: 'hdr', caller: 'a', callee: 'b' };
    r.send(request({ callId: 'hdr', caller: 'a' }, { cseq: 1, method: 'INVITE', sdp: OFFER, aiPref: ['apt-d;scope=dialog'] }));
    r.send(response(l, 200, { cseq: 1, method: 'INVITE', sdp: ANSWER }));
    const reinvite = r.send(request(l, { cseq: 2, method: 'INVITE', sdp: OFFER }));
    expect(reinvite).toMatchObject([{ type: 'offer', diff: { unchanged: true } }]);
    r.send(response(l, 200, { cseq: 2, method: 'INVITE', sdp: ANSWER }));
    const info = r.send(request(l, { cseq: 3, method: 'INFO', aiPref: ['apt-other;scope=dialog'], fromCallee: true }));
    expect(info).toMatchObject([{ type: 'aipref-changed', party: 'callee', diff: { added: [{ id: 'apt-other', index: null }], removed: [] } }]);
  });

  test('a 180 adding AI-Pref before the answer: the offer\'s m-sections stay in force beside it', () => {
    const r = new Replay();
    const l = { callId: 'prov', caller: 'a', callee: 'b' };
    r.send(request({ callId: 'prov', caller: 'a' }, { cseq: 1, method: 'INVITE', sdp: OFFER }));
    const e = r.send(response(l, 180, { cseq: 1, method: 'INVITE', aiPref: ['apt-uas;scope=dialog'] }));
    expect(types(e)).toEqual(['dialog-created', 'aipref-changed']);
    if (e[1]!.type !== 'aipref-changed') throw new Error();
    expect(e[1]!.party).toBe('callee');
    expect(e[1]!.effective.dialogApts.map((a) => a.id)).toEqual(['apt-uas']);
    expect(e[1]!.effective.sections.map((s) => s.apts.map((a) => a.id))).toEqual([['apt-s', 'apt-m']]);
    const answer = r.send(response(l, 200, { cseq: 1, method: 'INVITE', sdp: ANSWER }));
    if (answer[1]!.type !== 'answer') throw new Error();
    expect(answer[1]!.effective.dialogApts.map((a) => a.id)).toEqual(['apt-uas']);
    expect(answer[1]!.diff.unchanged).toBe(true);
  });

  test('a re-INVITE for a dialog whose start was not captured adopts it', () => {
    const r = new Replay();
    const e = r.send(request({ callId: 'mid', caller: 'x', callee: 'y' }, { cseq: 10, method: 'INVITE', sdp: OFFER }));
    expect(e).toMatchObject([{ type: 'dialog-created', adopted: true, state: 'confirmed', dialog: { fromTag: 'x', toTag: 'y' } }, { type: 'offer', effective: null }]);
  });
});

describe('DialogTracker: parse errors and bounded state', () => {
  test('SIP, SDP and AI-Pref problems become parse-error events with frame and where', () => {
    const r = new Replay();
    const badSdp = OFFER + 'a=rtcp:nope\r\n';
    const e = r.send(request({ callId: 'err', caller: 'a' }, { cseq: 1, method: 'INVITE', sdp: badSdp, aiPref: ['apt-1;version=x, apt-2'] }));
    expect(e.filter((x) => x.type === 'parse-error')).toMatchObject([
      { source: 'sdp', reason: 'bad-rtcp', where: 10, frame: 1 },
      { source: 'ai-pref', reason: 'bad-version', where: 6, frame: 1, detail: 'apt-1;version=x (apt-1 kept, unresolved)' },
    ]);
    const offer = e.find((x) => x.type === 'offer');
    if (offer?.type !== 'offer') throw new Error();
    // the broken value's identifier stays, with nothing it said (SPEC §3: unresolved, the most restrictive)
    expect(offer.aiPref.map((v) => [v.id, v.version])).toEqual([['apt-1', null], ['apt-2', null]]);
    const junk = r.send('NOT SIP AT ALL');
    expect(junk).toMatchObject([{ type: 'parse-error', source: 'sip', reason: 'bad-start-line', key: null, frame: 2 }]);
  });

  test('max dialogs: the least recently seen is evicted and reported', () => {
    const r = new Replay(new DialogTracker({ maxDialogs: 2 }));
    establish(r, { callId: 'c1', caller: 'a', callee: 'b' });
    const e = establish(r, { callId: 'c2', caller: 'a', callee: 'b' });
    // c1's INVITE entry and dialog, c2's INVITE entry and dialog: four entries for two slots.
    // c1's dialog is evicted and said to be, once: its INVITE's entry goes with it (inviteOver)
    expect(e.filter((x) => x.type === 'state-limit')).toMatchObject([{ limit: 'max-dialogs', dialog: { callId: 'c1', toTag: 'b' } }]);
    expect(e.filter((x) => x.type === 'dialog-ended')).toMatchObject([{ reason: 'evicted', dialog: { callId: 'c1', toTag: 'b' }, inviteOver: 'c1\na\n' }]);
    expect(r.tracker.size).toBe(2);
    expect(r.tracker.stats.evicted).toBe(1);
  });

  test('the INVITE entry of a live call does not idle out under it', () => {
    const r = new Replay(new DialogTracker({ idleTimeoutSec: 60 }));
    const leg = { callId: 'long', caller: 'a', callee: 'b' };
    establish(r, leg);
    for (let t = 50; t <= 500; t += 50) expect(r.send(request(leg, { cseq: t, method: 'INFO' }), t)).toEqual([]);
    expect(r.send(request(leg, { cseq: 999, method: 'BYE' }), 520)).toMatchObject([{ type: 'dialog-ended', reason: 'bye' }]);
    expect(r.tracker.size).toBe(0);
  });

  test('idle timeout in capture time, at the second message after a jump past the bound', () => {
    const r = new Replay(new DialogTracker({ idleTimeoutSec: 60 }));
    establish(r, { callId: 'idle', caller: 'a', callee: 'b' });
    // one message 1000 s on could be one stamped wrong: it moves no dialog out; the next one does
    expect(r.send(request({ callId: 'other', caller: 'z' }, { cseq: 1, method: 'OPTIONS' }), 1000).filter((x) => x.type === 'state-limit')).toEqual([]);
    const later = r.send(request({ callId: 'other', caller: 'z' }, { cseq: 2, method: 'OPTIONS' }), 1001);
    // once, for the dialog: the INVITE's entry goes with it
    expect(later.filter((x) => x.type === 'state-limit').map((x) => (x.type === 'state-limit' ? x.limit : ''))).toEqual(['idle-timeout']);
    expect(later.filter((x) => x.type === 'dialog-ended').map((x) => (x.type === 'dialog-ended' ? x.reason : ''))).toEqual(['idle-timeout']);
    expect(r.tracker.size).toBe(0);
  });
});

describe('DialogTracker: APT statements in bodies (seed §5.2)', () => {
  test('aipref+json and +cbor parts become aipref-body events, decoded and tied to the AI-Pref value naming their cid', () => {
    const r = new Replay();
    const body =
      '--b1\r\nContent-Type: application/sdp\r\n\r\n' +
      OFFER +
      '\r\n--b1\r\nContent-Type: application/aipref+json\r\nContent-ID: <stmt1@a.example>\r\n\r\n{"export":"none","retention":"0"}' +
      // the CBOR text string "raw" (text heads are ASCII bytes; a map's would not survive the fixture's UTF-8)
      '\r\n--b1\r\nContent-Type: application/aipref+cbor\r\nContent-ID: <stmt2@a.example>\r\n\r\n\u0063raw' +
      // a CBOR part holding a byte string: nothing JSON could say
      '\r\n--b1\r\nContent-Type: application/aipref+cbor\r\nContent-ID: <bytes@a.example>\r\n\r\n\u0041\u0001' +
      '\r\n--b1\r\nContent-Type: application/aipref+json\r\nContent-ID: <broken@a.example>\r\n\r\n{"export":' +
      '\r\n--b1--\r\n';
    const text = sipText(
      [
        'INVITE sip:bob@b.example SIP/2.0',
        'Via: SIP/2.0/UDP a.example;branch=z9hG4bK-body',
        'From: <sip:alice@a.example>;tag=a',
        'To: <sip:bob@b.example>',
        'Call-ID: body-1',
        'CSeq: 1 INVITE',
        'AI-Pref: apt-1;scope=dialog;uri=<cid:stmt1@a.example>',
        'Content-Type: multipart/mixed;boundary=b1',
      ],
      body,
    );
    const e = r.send(text);
    expect(types(e)).toEqual(['offer', 'parse-error', 'parse-error', 'aipref-body', 'aipref-body']);
    expect(e[1]).toMatchObject({ source: 'ai-pref-body', reason: 'bad-cbor', where: 0, detail: 'application/aipref+cbor part <bytes@a.example> is not CBOR that JSON could express: at byte 0: byte string where JSON has only text' });
    expect(e[2]).toMatchObject({ source: 'ai-pref-body', reason: 'bad-json', where: 0, detail: 'application/aipref+json part <broken@a.example> is not JSON (at line 1, column 11)' });
    expect(e[3]).toMatchObject({ party: 'caller', body: { contentType: 'application/aipref+json', contentId: 'stmt1@a.example', document: { export: 'none', retention: '0' }, referencedBy: ['apt-1'] } });
    expect(e[4]).toMatchObject({ body: { contentType: 'application/aipref+cbor', contentId: 'stmt2@a.example', document: 'raw', referencedBy: [] } });
    if (e[0]!.type !== 'offer') throw new Error();
    expect(e[0]!.proposed.headerApts.map((a) => a.id)).toEqual(['apt-1']);
  });
});

describe('DialogTracker: a capture on a proxy host with a media relay (rtpproxy, rtpengine)', () => {
  test('each message seen on both legs, the SDP rewritten by the relay: both legs\' addresses belong to the dialog', () => {
    const r = new Replay();
    const invite = { callId: 'relay', caller: 'a' };
    const leg = { ...invite, callee: 'b' };
    const relayedOffer = audioSdp({ ip: '203.0.113.5', port: 30000, session: ['a=aipref:session apt-s export=aggregated-only'], media: ['a=mid:0', 'a=aipref:mid apt-m export=raw'] });
    const relayedAnswer = audioSdp({ ip: '203.0.113.5', port: 30002, media: ['a=mid:0'] });
    const hop = (text: string): string => text.replace('Via: ', 'Via: SIP/2.0/UDP proxy.example;branch=z9hG4bK-hop2\r\nVia: ');

    expect(types(r.send(request(invite, { cseq: 1, method: 'INVITE', sdp: OFFER })))).toEqual(['offer']);
    const second = r.send(hop(request(invite, { cseq: 1, method: 'INVITE', sdp: relayedOffer })));
    expect(types(second)).toEqual(['offer']);
    if (second[0]!.type !== 'offer') throw new Error();
    expect(second[0]!.proposed.sections[0]!.rtp).toEqual([
      { address: '192.0.2.1', port: 4000 },
      { address: '203.0.113.5', port: 30000 },
    ]);
    // the very same copy once more is a retransmission of that hop: nothing
    expect(r.send(hop(request(invite, { cseq: 1, method: 'INVITE', sdp: relayedOffer, branch: 'z9hG4bK-again' })))).toEqual([]);

    const ok = r.send(response(leg, 200, { cseq: 1, method: 'INVITE', sdp: ANSWER }));
    expect(types(ok)).toEqual(['dialog-created', 'answer']);
    const okCopy = r.send(hop(response(leg, 200, { cseq: 1, method: 'INVITE', sdp: relayedAnswer })));
    expect(types(okCopy)).toEqual(['answer']);
    if (okCopy[0]!.type !== 'answer') throw new Error();
    expect(okCopy[0]!.diff.unchanged).toBe(true);
    expect(okCopy[0]!.effective.sections[0]!.rtp).toEqual([
      { address: '192.0.2.1', port: 4000 },
      { address: '203.0.113.5', port: 30000 },
      { address: '198.51.100.9', port: 5000 },
      { address: '203.0.113.5', port: 30002 },
    ]);
    expect(okCopy[0]!.effective.sections[0]!.apts.map((a) => a.id)).toEqual(['apt-s', 'apt-m']);
  });
});
