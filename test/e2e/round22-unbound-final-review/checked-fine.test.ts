/**
 * Checked and fine (review of the unbound-session retirement as it stands after b785f4a:
 * eede090, fa3cb23, bf05e0c, b785f4a).
 * - Long live-like run in one MediaCore (3000 calls over 6000 s, a third IPv6): media before
 *   signaling (RTP and RR to port+1) retired at each scope; every tenth call's media from NAT
 *   addresses retired by its a=ssrc; late RTP and RTCP BYE after each BYE (ended addresses) and
 *   one stray pair per call: the unbound sessions, their datagram records, the by-end and by-SSRC
 *   indexes stay flat (≈ what 360 s of capture brings: sweep 300 s + 60 s), every index entry is
 *   a live unbound session filed under exactly its kept ends and senders (no stale or missing
 *   entry, no empty set kept), scopes/windows/probation back to 0, no ended session kept without
 *   `bindings`.
 * - Eviction over 3000 stray pairs (maxStreams 64, two senders per pair): the indexes agree with
 *   the table after every round of evictions; the table stays at its bound.
 * - The `seen === null` crash needs an unbound key equal to a dialog key: a dialog key always
 *   holds '\n' (dialogKey), an unbound key never does (unboundSessionKey); StreamTable keeps a
 *   dialog session and an unbound session apart and noteDatagram works on the latter.
 * - A multi-call capture (pre-signaling media, NAT'd media routed by a=ssrc, late media after
 *   BYE, a re-INVITE to new ports): exports, reports, decisions, summary, bindings identical with
 *   workers 0, 1, 2 and batches of 1–3 (harness VARIANTS).
 * - Real captures (../shared/captures/*.pcap, samples/call-small.pcap) through the CLI: replay
 *   outputs byte-identical with --workers 0, 1, 2; `bindings --json` has no retired (ended,
 *   no-dialog) row; unbound-stream only in the two rtpproxy captures (no signaling, one each):
 *   retirement never fires on them, so their outputs cannot differ from 7096bcf's by it.
 * Simpler rule (reasoning, no test): the indexes only pick candidates; the rule is "at a scope or
 *   dialog-ended, retire an unbound session if lookup() now routes a packet it was given". Kept
 *   as (ends, sender) pairs, routesAny could call the packet path's own lookup per pair (pure
 *   variant) instead of routesAny's two steps plus declaredSsrcIn — exact, and shorter (see
 *   ended-end-datagram-retired-by-other-datagrams-sender; done since: routesAny per kept pair).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StreamTable } from '../../../src/binding/stream-table.js';
import { unboundSessionKey } from '../../../src/pipeline/media-core.js';
import { dialogKey } from '../../../src/signaling/dialogs.js';
import { Workspace } from '../e2e-helpers.js';
import { bye, differences, type Pkt, replayAll, rtcpPkt, rtp, sdpAt, setup, srIn } from '../round22-unbound-retire-review/harness.js';
import { at, Driver, indexProblems, ip4, scopeOf, section, sizes } from './lib.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('unbound retirement after b785f4a: checked fine', () => {
  it('a long run: every index stays flat and consistent', () => {
    const d = new Driver({ bindings: false });
    const unbound: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const t = i * 2;
      const v6 = i % 3 === 2;
      const A = v6 ? `2001:db8:a::${(i + 1).toString(16)}` : ip4(0x0a010000 + i);
      const B = v6 ? `2001:db8:b::${(i + 1).toString(16)}` : ip4(0x0a020000 + i);
      const s = 100000 + i;
      d.rtp(t, at(B, 5000, A, 4000), s);
      d.rr(t, at(B, 5001, A, 4001), s);
      const nat = i % 10 === 0;
      if (nat) d.rtp(t, at(ip4(0xc6336400 + (i % 200)), 30000 + i, ip4(0xcb007100 + (i % 200)), 31000 + i), s + 1);
      d.scope(t + 0.1, scopeOf(`C${i}`, section([[A, 4000], [B, 5000]], nat ? [s + 1] : [])));
      d.rtp(t + 0.2, at(B, 5000, A, 4000), s);
      d.end(t + 1, `C${i}`);
      d.rtp(t + 1.1, at(B, 5000, A, 4000), s);
      d.rtcp(t + 1.1, at(B, 5001, A, 4001), [{ pt: 203, ssrcs: [s] } as never]);
      d.rtp(t + 1.2, at(ip4(0xac100000 + i), 7000, ip4(0xac110000 + i), 8000), 500000 + i);
      if (i % 250 === 249) {
        expect(indexProblems(d.core)).toEqual([]);
        unbound.push(sizes(d.core).unbound);
      }
    }
    const s = sizes(d.core);
    expect(Math.max(...unbound)).toBeLessThanOrEqual(400);
    expect(s.byEndKeys).toBeLessThanOrEqual(3 * s.unbound);
    expect(s.bySsrcKeys).toBeLessThanOrEqual(s.streams);
    expect({ scopes: s.scopes, sessionWindows: s.sessionWindows, windowStreams: s.windowStreams, probation: s.probation, endedSessions: s.endedSessions }).toEqual({ scopes: 0, sessionWindows: 0, windowStreams: 0, probation: 0, endedSessions: 0 });
  });

  it('eviction over many stray pairs keeps the indexes and the table in agreement', () => {
    const d = new Driver({ maxStreams: 64 });
    for (let i = 0; i < 3000; i++) {
      const a = at(ip4(0xac100000 + i), 7000, ip4(0xac110000 + i), 8000);
      d.rtp(i * 0.01, a, 900000 + i);
      d.rr(i * 0.01, at(a.dst, 8001, a.src, 7001), 800000 + i);
      if (i % 300 === 299) expect(indexProblems(d.core)).toEqual([]);
    }
    expect(sizes(d.core).streams).toBeLessThanOrEqual(64);
  });

  it('dialog and unbound session keys never meet; the table keeps them apart', () => {
    const dk = dialogKey('10.0.0.1:4000|10.0.0.2:5000', 'a', 'b');
    const uk = unboundSessionKey(at('10.0.0.1', 4000, '10.0.0.2', 5000));
    expect(dk.includes('\n')).toBe(true);
    expect(uk.includes('\n')).toBe(false);
    const t = new StreamTable();
    const ds = t.session(dk, null);
    const us = t.unboundSession(uk);
    expect(ds).not.toBe(us);
    expect(ds.seen).toBeNull();
    t.noteDatagram(us, at('10.0.0.1', 4000, '10.0.0.2', 5000), 1);
    expect(t.unboundWith(1)?.has(us)).toBe(true);
  });

  it('a multi-call capture: identical in every variant', async () => {
    const P = '192.0.2.1';
    const Q = '192.0.2.2';
    const pkts: Pkt[] = [];
    for (let c = 0; c < 4; c++) {
      const t = c * 10;
      const pa = 4000 + c * 10;
      const qa = 5000 + c * 10;
      pkts.push(rtp(t, Q, qa, P, pa, 1000 + c, 1), rtp(t + 0.02, Q, qa, P, pa, 1000 + c, 2), rtcpPkt(t + 0.03, Q, qa + 1, P, pa + 1, [srIn(1000 + c)]));
      // NAT'd media routed by a=ssrc only
      pkts.push(rtp(t + 0.04, '203.0.113.5', 30000 + c, '203.0.113.6', 31000 + c, 2000 + c, 1), rtp(t + 0.05, '203.0.113.5', 30000 + c, '203.0.113.6', 31000 + c, 2000 + c, 2));
      pkts.push(...setup(`k${c}`, t + 1, sdpAt(P, pa, [`a=ssrc:${2000 + c} cname:x`]), sdpAt(Q, qa)));
      pkts.push(rtp(t + 2, Q, qa, P, pa, 1000 + c, 3), rtp(t + 2.1, '203.0.113.5', 30000 + c, '203.0.113.6', 31000 + c, 2000 + c, 3));
      if (c % 2 === 1) pkts.push(...setup(`k${c}`, t + 3, sdpAt(P, pa + 100), sdpAt(Q, qa + 100), 2));
      pkts.push(...bye(`k${c}`, t + 5, 3), rtp(t + 6, Q, qa, P, pa, 1000 + c, 4), rtp(t + 6.02, Q, qa, P, pa, 1000 + c, 5));
    }
    const runs = await replayAll(ws, 'multi-call', pkts);
    expect(differences(runs)).toEqual([]);
    const out = runs[0]!.out;
    // the NAT'd stream: retired at its call's INVITE, then the call's
    expect(out.rows(2000)).toEqual(['true k0 a=ssrc', 'true null null']);
  });

  it('real captures: workers 0, 1, 2 byte-identical, no retired rows', () => {
    const caps = [...readdirSync('../shared/captures').filter((f) => f.endsWith('.pcap')).map((f) => join('../shared/captures', f)), 'samples/call-small.pcap'].filter((f) => existsSync(f));
    expect(caps.length).toBeGreaterThanOrEqual(6);
    const tmp = mkdtempSync(join(tmpdir(), 'unbound-final-'));
    try {
      const unboundReports: Record<string, number> = {};
      for (const cap of caps) {
        const name = cap.split('/').pop()!;
        const outs = [0, 1, 2].map((w) => {
          const dir = join(tmp, `${name}.w${w}`);
          execFileSync('node', ['bin/aipref-enforcer.js', 'replay', cap, '--policy', 'samples/policy.json', '--workers', String(w), '--out', dir, '--explain', '--quiet']);
          return ['exports', 'reports', 'decisions'].map((p) => readFileSync(join(dir, `${p}.ndjson`), 'utf8')).join('\n---\n');
        });
        expect(outs[1], `${name} workers 1`).toBe(outs[0]);
        expect(outs[2], `${name} workers 2`).toBe(outs[0]);
        const n = (outs[0]!.match(/"unbound-stream"/g) ?? []).length;
        if (n > 0) unboundReports[name] = n;
        const bindings = JSON.parse(execFileSync('node', ['bin/aipref-enforcer.js', 'bindings', cap, '--policy', 'samples/policy.json', '--json'], { encoding: 'utf8' })) as unknown;
        const rows = (Array.isArray(bindings) ? bindings : ((bindings as { bindings?: unknown[] }).bindings ?? [])) as { dialog: unknown; ended: boolean }[];
        expect(rows.filter((r) => r.dialog === null && r.ended), `${name}: retired rows`).toEqual([]);
      }
      expect(unboundReports).toEqual({ 'rtpproxy_rtcp.a.pcap': 1, 'rtpproxy_rtcp.o.pcap': 1 });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
