/** Checks of the token-expiry feature found fine; each replayed with workers 0 and 2 and maxBatchRecords 1..7 (replayAll). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { CALL, decided, message, onPort, request, response, sdpOf, T0 } from '../hand-built-calls.js';
import { aiPref, integrity, keys, replayAll, rtcpAt, token } from './helpers.js';

const ws = new Workspace();
beforeAll(keys);
afterAll(() => ws.cleanup());
const dialog = { callId: CALL, fromTag: 'aaa', toTag: 'bbb' };

describe('token expiry: fine', () => {
  it('exp exactly at a packet mid-capture, with nbf: both report lines at that frame, same for every batch cut', async () => {
    const h = await aiPref({ exp: 10, nbf: 0 });
    const run = await replayAll(ws, 'nbf', (at) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true);
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
      rtcpAt(at, 5);
      rtcpAt(at, 9.999);
      rtcpAt(at, 10);
      rtcpAt(at, 10.5);
    });
    expect(decided(run)).toEqual(['3 export raw-allowed', '4 export raw-allowed', '5 drop export-none', '6 drop export-none']);
    expect(integrity(run)).toEqual([
      { type: 'integrity-failure', ts: T0 + 10, frame: 5, dialog, mid: 'a', ssrc: 1111, apt: ['apt-x'], detail: 'its integrity could not be verified: counted as most restrictive' },
      { type: 'integrity-failure', ts: T0 + 10, frame: 5, dialog, apt: ['apt-x'], detail: 'expired: token has expired: counted as most restrictive' },
    ]);
  });

  it('time going backwards after the expiry: still expired (no flip-flop)', async () => {
    const h = await aiPref({ exp: 10 });
    const run = await replayAll(ws, 'back', (at) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true);
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
      rtcpAt(at, 5);
      rtcpAt(at, 11);
      rtcpAt(at, 9.5);
      rtcpAt(at, 12);
    });
    expect(decided(run)).toEqual(['3 export raw-allowed', '4 drop export-none', '5 drop export-none', '6 drop export-none']);
    expect(integrity(run).length).toBe(2);
  });

  it('expiry after the dialog ended: no report for the ended dialog', async () => {
    const h = await aiPref({ exp: 10 });
    const run = await replayAll(ws, 'ended', (at) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true);
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
      rtcpAt(at, 5);
      at(8, request('BYE', 2, null), true);
      at(8.1, response('200 OK', 2, null, [], 'BYE'), false);
      rtcpAt(at, 11);
    });
    expect(integrity(run)).toEqual([]);
    expect(decided(run)).toEqual(['3 export raw-allowed', '6 drop no-preference']);
  });

  it('the token as the quoted pref-id expires too, reported under that identifier', async () => {
    const t = await token({ exp: 10 });
    const run = await replayAll(ws, 'quoted', (at) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [`AI-Pref: "${t}";integrity=jws`], ''), true);
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
      rtcpAt(at, 5);
      rtcpAt(at, 10);
    });
    expect(decided(run)).toEqual(['3 export raw-allowed', '4 drop export-none']);
    expect(integrity(run).map((r) => [r.frame, r.apt])).toEqual([
      [4, [t]],
      [4, [t]],
    ]);
  });

  it('refreshed before expiry with another statement, accepted: the new one governs, no expiry told', async () => {
    const h = await aiPref({ exp: 10 });
    const f = await aiPref({ exp: 100, exportValue: 'aggregated-only' });
    const run = await replayAll(ws, 'other', (at) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true);
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
      rtcpAt(at, 4);
      at(5, request('INVITE', 2, sdpOf('a', []), [f]), true);
      at(5.1, response('200 OK', 2, sdpOf('b', [])), false);
      rtcpAt(at, 6);
      rtcpAt(at, 10);
      rtcpAt(at, 11);
    });
    expect(decided(run)).toEqual(['3 export raw-allowed', '6 aggregate aggregated-only', '7 aggregate aggregated-only', '8 aggregate aggregated-only']);
    expect(integrity(run)).toEqual([]);
  });

  it('two calls sharing one identifier, one refreshes with the same statement: neither expires', async () => {
    const h = await aiPref({ exp: 10 });
    const f = await aiPref({ exp: 100 });
    const C2 = 'second@10.0.0.1';
    const run = await replayAll(ws, 'two', (at) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true);
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
      at(0.3, message(C2, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [h], ''), true);
      at(0.4, message(C2, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false);
      rtcpAt(at, 4);
      rtcpAt(at, 4, 6000, 6001, 7001);
      at(5, request('INVITE', 2, sdpOf('a', []), [f]), true);
      at(5.1, response('200 OK', 2, sdpOf('b', [])), false);
      rtcpAt(at, 11);
      rtcpAt(at, 11, 6000, 6001, 7001);
    });
    expect(decided(run)).toEqual(['5 export raw-allowed', '6 export raw-allowed', '9 export raw-allowed', '10 export raw-allowed']);
  });

  it('two calls sharing, none refreshes: both told once each at the expiring frame', async () => {
    const h = await aiPref({ exp: 10 });
    const C2 = 'second@10.0.0.1';
    const run = await replayAll(ws, 'two-none', (at) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true);
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
      at(0.3, message(C2, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [h], ''), true);
      at(0.4, message(C2, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false);
      rtcpAt(at, 4);
      rtcpAt(at, 11, 6000, 6001, 7001);
      rtcpAt(at, 12);
    });
    expect(decided(run)).toEqual(['5 export raw-allowed', '6 drop export-none', '7 drop export-none']);
    const front = integrity(run).filter((r) => r.ssrc === undefined);
    expect(front.map((r) => [r.frame, r.dialog?.callId]).sort()).toEqual([
      [6, C2],
      [6, CALL],
    ].sort());
  });
});
