/**
 * Repository review (SPEC §2.6, §3, §8 `via`, §9 `dialogs`/`default`): the checks that came out fine.
 * Each case is the hand-built call of test/e2e/hand-built-calls.ts (A 10.0.0.1 SSRC 1111 / B
 * 10.0.0.2 SSRC 2222, tags aaa/bbb; INVITE/200/ACK frames 1–3, then A's SR at frame 4), replayed
 * with 0 and 2 workers (replayCall checks both give the same lines).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { cli, type DecisionLine, parseLines, policyOf, type PolicyJson, Workspace, writePolicy } from '../e2e-helpers.js';
import { type At, CALL, onPort, replayCall, request, response, sdpOf, writeCall } from '../hand-built-calls.js';
import { brief, reportsBrief, rtcpA, run, setup } from '../precedence-review/helpers.js';
import { srFrom, T0 } from '../two-party-rtcp.js';
import { answerToB, APTS, fromB } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const plainCall = (at: At) => {
  setup(at);
  rtcpA(at, 1);
};
const withDialogs = (dialogs: PolicyJson['dialogs'], def: string | null = null): PolicyJson => ({ apts: APTS, dialogs, default: def });

/** A BUNDLE offer/answer (audio and video on one port, rtcp-mux, no a=ssrc): an SSRC there is tied to the dialog, to no m-section. */
const bundleSdp = (party: 'a' | 'b') => {
  const ip = party === 'a' ? '10.0.0.1' : '10.0.0.2';
  const port = party === 'a' ? 4000 : 5000;
  return ['v=0', `o=${party} 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', 'a=group:BUNDLE a v', `m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtcp-mux', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', `m=video ${port} RTP/AVP 96`, 'a=mid:v', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', 'a=sendrecv', ''].join('\r\n');
};
const bundleCall = (at: At) => {
  at(0, request('INVITE', 1, bundleSdp('a'), [], ''), true);
  at(0.1, response('200 OK', 1, bundleSdp('b')), false);
  at(0.2, request('ACK', 1, null), true);
  at(1, encodeRtcpCompound([srFrom(9999, T0 + 1)]), true, 4000, 5000);
};

describe('matching of dialogs entries (SPEC §9)', () => {
  it('an entry without toTag matches the dialog by Call-ID and from-tag', async () => {
    const r = await run(ws, 'no-to', plainCall, withDialogs([{ callId: CALL, fromTag: 'aaa', apt: ['apt-raw'] }]));
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-raw] single-statement']);
    expect(r.exports[0]!.dialog).toEqual({ callId: CALL, fromTag: 'aaa', toTag: 'bbb' });
  });

  it('an entry without fromTag matches the dialog by Call-ID and to-tag', async () => {
    const r = await run(ws, 'no-from', plainCall, withDialogs([{ callId: CALL, toTag: 'bbb', apt: ['apt-raw'] }]));
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-raw] single-statement']);
  });

  it('an entry with a from-tag of another dialog does not match', async () => {
    const r = await run(ws, 'other-from', plainCall, withDialogs([{ callId: CALL, fromTag: 'xxx', apt: ['apt-raw'] }]));
    expect(brief(r)).toEqual(['4 drop no-preference [] no-preference']);
  });

  it('the Call-ID is compared exactly (RFC 3261 §20.8: case-sensitive): an upper-cased entry does not match', async () => {
    const r = await run(ws, 'callid-case', plainCall, withDialogs([{ callId: CALL.toUpperCase(), apt: ['apt-raw'] }]));
    expect(brief(r)).toEqual(['4 drop no-preference [] no-preference']);
  });

  it('tags (tokens, RFC 3261 §7.3.1 / §25.1) are compared without regard to case', async () => {
    const r = await run(ws, 'tag-case', plainCall, withDialogs([{ callId: CALL, fromTag: 'AAA', toTag: 'BbB', apt: ['apt-raw'] }]));
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-raw] single-statement']);
  });

  it('several entries matching one dialog: their identifiers together, strictest within the domain rank', async () => {
    const r = await run(ws, 'two-entries', plainCall, withDialogs([{ callId: CALL, apt: ['apt-raw'] }, { callId: CALL, fromTag: 'aaa', apt: ['apt-agg'] }]));
    expect(brief(r)).toEqual(['4 aggregate aggregated-only [apt-raw,apt-agg] strictest-wins']);
  });

  it('a re-INVITE from the callee (From/To swapped) keeps the entry matched on the caller tag', async () => {
    const r = await run(
      ws,
      'callee-reinvite',
      (at) => {
        plainCall(at);
        at(2, fromB('INVITE', 1, sdpOf('b', [])), false);
        at(2.1, answerToB('200 OK', 1, 'INVITE', sdpOf('a', [])), true);
        at(2.2, fromB('ACK', 1, null), false);
        rtcpA(at, 3);
      },
      withDialogs([{ callId: CALL, fromTag: 'aaa', apt: ['apt-raw'] }]),
    );
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-raw] single-statement', '8 export raw-allowed [apt-raw] single-statement']);
  });

  it('forked early dialogs (two to-tags, own media each): each governed by its own entry', async () => {
    const r = await run(
      ws,
      'fork',
      (at) => {
        at(0, request('INVITE', 1, sdpOf('a', []), [], ''), true);
        at(0.1, response('183 Session Progress', 1, sdpOf('b', []), [], 'INVITE', 'b1'), false);
        at(0.2, response('183 Session Progress', 1, onPort(sdpOf('b', []), 6000), [], 'INVITE', 'b2'), false);
        at(1, encodeRtcpCompound([srFrom(2222, T0 + 1)]), false, 5001, 4001);
        at(1.1, encodeRtcpCompound([srFrom(6000, T0 + 1)]), false, 6001, 4001);
      },
      withDialogs([{ callId: CALL, toTag: 'b1', apt: ['apt-raw'] }, { callId: CALL, toTag: 'b2', apt: ['apt-agg'] }]),
    );
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-raw] single-statement', '5 aggregate aggregated-only [apt-agg] single-statement']);
    expect(r.exports.map((e) => [e.stream.ssrc, e.dialog?.toTag])).toEqual([[2222, 'b1'], [6000, 'b2']]);
  });

  it('a BYE ends the dialog: the repository no longer binds its streams', async () => {
    const r = await run(ws, 'bye', (at) => { plainCall(at); at(2, request('BYE', 2, null), true); rtcpA(at, 3); }, withDialogs([{ callId: CALL, apt: ['apt-raw'] }]));
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-raw] single-statement', '6 drop no-preference [] no-preference']);
  });

  it('an m-section disabled (port 0) stops its stream: the repository does not keep it going', async () => {
    const r = await run(
      ws,
      'disabled',
      (at) => {
        plainCall(at);
        at(2, request('INVITE', 2, sdpOf('a', [], 0)), true);
        at(2.1, response('200 OK', 2, sdpOf('b', [], 0)), false);
        at(2.2, request('ACK', 2, null), true);
        rtcpA(at, 3);
      },
      withDialogs([{ callId: CALL, apt: ['apt-raw'] }]),
    );
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-raw] single-statement', '8 drop stream-disabled [] stream-disabled']);
  });

  it('a repository identifier the file does not state counts as most restrictive, reported unresolved', async () => {
    const r = await run(ws, 'repo-typo', plainCall, withDialogs([{ callId: CALL, apt: ['apt-typo'] }]));
    expect(brief(r)).toEqual(['4 drop export-none [apt-typo] unresolved-apt']);
    expect(r.reports.filter((x) => x.type === 'unresolved-apt').map((x) => x.apt)).toContainEqual(['apt-typo']);
  });
});

describe('binding table via (SPEC §8)', () => {
  it('a stream tied to the dialog only, its identifiers from the repository: via "repository"', async () => {
    const r = await replayCall(ws, 'bundle-repo', bundleCall, policyOf(withDialogs([{ callId: CALL, apt: ['apt-raw'] }])));
    expect(r.result.bindings.map((b) => [b.ssrc, b.via, b.apt])).toEqual([[9999, 'repository', ['apt-raw']]]);
    expect(parseLines<DecisionLine>(r.decisions).map((d) => `${d.decision} ${d.apt}`)).toEqual(['export apt-raw']);
  });

  it('control: the same stream without a repository entry: via "dialog", dropped no-preference', async () => {
    const r = await replayCall(ws, 'bundle-none', bundleCall, policyOf({ apts: APTS }));
    expect(r.result.bindings.map((b) => [b.ssrc, b.via, b.apt])).toEqual([[9999, 'dialog', []]]);
    expect(parseLines<DecisionLine>(r.decisions).map((d) => `${d.decision} ${d.reason}`)).toEqual(['drop no-preference']);
  });

  it('CLI: bindings --policy --json and replay --explain show the repository\'s identifier', async () => {
    const capture = await ws.file('bundle-cli.pcap');
    await writeCall(capture, bundleCall);
    const policy = await writePolicy(ws, 'bundle-cli.json', withDialogs([{ callId: CALL, apt: ['apt-raw'] }]));
    const b = await cli('bindings', capture, '--policy', policy, '--json');
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject([{ ssrc: 9999, dialog: { callId: CALL, fromTag: 'aaa', toTag: 'bbb' }, apt: ['apt-raw'], via: 'repository' }]);
    const out = await ws.file('bundle-cli-out');
    const rp = await cli('replay', capture, '--policy', policy, '--out', out, '--explain');
    expect(rp.code).toBe(0);
    const decisions = (await readFile(`${out}/decisions.ndjson`, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as DecisionLine);
    expect(decisions).toMatchObject([{ frame: 4, ssrc: 9999, decision: 'export', apt: ['apt-raw'] }]);
  });
});

describe('repository and signaled identifiers together (SPEC §3)', () => {
  it('signaled user aggregated-only overrides the repository\'s domain raw', async () => {
    const r = await run(ws, 'user-over-repo', (at) => { setup(at, { aLines: ['a=aipref:session apt-s type=user export=aggregated-only retention=1h'] }); rtcpA(at, 1); }, withDialogs([{ callId: CALL, apt: ['apt-raw'] }]));
    expect(brief(r)).toEqual(['4 aggregate aggregated-only [apt-s] user-overrides-domain']);
  });

  it('the repository\'s user raw overrides a signaled domain none', async () => {
    const r = await run(ws, 'repo-user', (at) => { setup(at, { aLines: ['a=aipref:session apt-s type=domain export=none retention=1h'] }); rtcpA(at, 1); }, withDialogs([{ callId: CALL, apt: ['apt-user-raw'] }]));
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-user-raw] user-overrides-domain']);
  });

  it('the repository\'s regulatory statement is a floor under a signaled user raw (export and retention)', async () => {
    const r = await run(ws, 'repo-reg', (at) => { setup(at, { aLines: ['a=aipref:session apt-s type=user export=raw retention=1h'] }); rtcpA(at, 1); }, withDialogs([{ callId: CALL, apt: ['apt-reg-agg'] }]));
    expect(brief(r)).toEqual(['4 aggregate aggregated-only [apt-reg-agg] regulatory-floor']);
    expect(r.exports.map((e) => Math.round(e.expiresAt! - e.window!.start))).toEqual([900]);
  });

  it('a re-INVITE removing the signaled scope falls back to the repository, named so', async () => {
    const r = await run(
      ws,
      'removed-repo',
      (at) => {
        setup(at, { aLines: ['a=aipref:session apt-s type=domain export=aggregated-only retention=1h'] });
        rtcpA(at, 1);
        at(2, request('INVITE', 2, sdpOf('a', [])), true);
        at(2.1, response('200 OK', 2, sdpOf('b', [])), false);
        at(2.2, request('ACK', 2, null), true);
        rtcpA(at, 3);
      },
      withDialogs([{ callId: CALL, apt: ['apt-raw'] }]),
    );
    expect(brief(r)).toEqual(['4 aggregate aggregated-only [apt-s,apt-raw] strictest-wins', '8 export raw-allowed [apt-raw] single-statement']);
    expect(reportsBrief(r)).toEqual(['scope-removed 6 [apt-s] attribute-removed; falls back to repository apt-raw']);
    expect(r.reports[0]!.fallback).toEqual(['apt-raw']);
  });
});

describe('the operator\'s default (SPEC §3 absence is not consent, §9 default)', () => {
  it('without a default, a dialog with no entry and nothing signaled drops as no-preference', async () => {
    const r = await run(ws, 'no-default', plainCall, withDialogs([{ callId: 'other-call@x', apt: ['apt-raw'] }]));
    expect(brief(r)).toEqual(['4 drop no-preference [] no-preference']);
  });

  it('the default governs only where no APT applies', async () => {
    const r = await run(ws, 'default-only', plainCall, withDialogs([{ callId: 'other-call@x', apt: ['apt-agg'] }], 'apt-raw'));
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-raw] single-statement']);
  });

  it('a repository entry is an applicable APT: the default (more permissive) is not added', async () => {
    const r = await run(ws, 'default-vs-repo', plainCall, withDialogs([{ callId: CALL, apt: ['apt-agg'] }], 'apt-raw'));
    expect(brief(r)).toEqual(['4 aggregate aggregated-only [apt-agg] single-statement']);
  });

  it('a scope removed with nothing left falls back to the default, named so', async () => {
    const r = await run(
      ws,
      'removed-default',
      (at) => {
        setup(at, { aLines: ['a=aipref:session apt-s type=domain export=aggregated-only retention=1h'] });
        rtcpA(at, 1);
        at(2, request('INVITE', 2, sdpOf('a', [])), true);
        at(2.1, response('200 OK', 2, sdpOf('b', [])), false);
        at(2.2, request('ACK', 2, null), true);
        rtcpA(at, 3);
      },
      { apts: APTS, default: 'apt-raw' },
    );
    expect(brief(r)).toEqual(['4 aggregate aggregated-only [apt-s] single-statement', '8 export raw-allowed [apt-raw] single-statement']);
    expect(reportsBrief(r)).toEqual(["scope-removed 6 [apt-s] attribute-removed; falls back to the operator's default apt-raw"]);
  });

  it('a default the file does not state drops as most restrictive (not no-preference), named in the decision', async () => {
    const r = await run(ws, 'default-typo', plainCall, { apts: APTS, default: 'apt-typo' });
    expect(brief(r)).toEqual(['4 drop export-none [apt-typo] unresolved-apt']);
  });

  it('policy parse: the default is kept as given; findDialogApts unions entries in file order', () => {
    const p = policyOf(withDialogs([{ callId: CALL, apt: ['apt-agg', 'apt-raw'] }, { callId: CALL, toTag: 'bbb', apt: ['apt-raw', 'apt-none'] }], 'apt-raw'));
    expect(p.defaultApt).toBe('apt-raw');
    expect(p.findDialogApts(CALL, 'aaa', 'bbb')).toEqual(['apt-agg', 'apt-raw', 'apt-none']);
    expect(p.findDialogApts(CALL, 'aaa', 'ccc')).toEqual(['apt-agg', 'apt-raw']);
    expect(p.findDialogApts(CALL.toUpperCase(), 'aaa', 'bbb')).toEqual([]);
  });
});
