/**
 * Checks of 268ee2f (a SIP body the snap length cut) and 14a3d5f (folded statement parts) that
 * came out fine. Findings are the other files of this folder.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AptRegistry, partKey } from '../../../src/policy/apt-registry.js';
import type { PartSource, PolicyFinding } from '../../../src/policy/findings.js';
import { partVersion, type StatementPart } from '../../../src/policy/statement.js';
import { AptRegistry as RefRegistry } from '../../policy/round17-fixes-review/ref-apt-registry.js';
import { cli, policyOf, Workspace } from '../../e2e/e2e-helpers.js';
import { REFUSED, sdpOf, CALL } from '../../e2e/hand-built-calls.js';
import { ack, replayMsgs, request, response, srA, srB, writeMsgs, type Msg } from '../../cli/round17-io-review/cut-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const CUT_ID = "(lines cut by the capture's snap length)";
const base = sdpOf('a', ['a=aipref:mid apt-raw']);
const inv1 = request('INVITE', 1, base, [], '');
const reinv = request('INVITE', 2, base);
const first = (keep?: number): Msg[] => [{ payload: inv1, fromA: true, ...(keep !== undefined && { keep }) }, { payload: response('200 OK', 1, sdpOf('b', [])), fromA: false }, ack(), srA(), srB()];

describe('268ee2f: a SIP body cut by the snap length', () => {
  // the cut offer's synthetic identifier does not stay for good: a later whole re-INVITE's answer
  // replaces the scope (SPEC §5), reported scope-removed, and the SRs after it are raw (as uncut)
  it('a whole re-INVITE after a cut offer replaces its scope', async () => {
    const msgs = [...first(inv1.length - 10), { payload: reinv, fromA: true }, { payload: response('200 OK', 2, sdpOf('b', [])), fromA: false }, { payload: request('ACK', 2, null), fromA: true }, srA(), srB()];
    const o = await replayMsgs(ws, 'reinvite.pcap', msgs);
    expect(o.decisions).toEqual(['4 drop export-none', '5 drop export-none', '9 export raw-allowed', '10 export raw-allowed']);
    expect(o.reports.filter((r) => r.type === 'scope-removed').map((r) => r.frame)).toEqual([7]);
  });

  // a cut re-INVITE refused with 488 + Warning 399 aipref: its synthetic identifier restricts from the
  // offer (SR between dropped) and goes with the refused offer (SRs after the 488 raw again)
  it('a cut re-INVITE refused by 488: the synthetic identifier goes with it', async () => {
    const msgs = [...first(), { payload: reinv, fromA: true, keep: reinv.length - 10 }, srA(), { payload: response('488 Not Acceptable Here', 2, null, REFUSED), fromA: false }, { payload: request('ACK', 2, null), fromA: true }, srA(), srB()];
    const o = await replayMsgs(ws, 'refused.pcap', msgs);
    expect(o.decisions).toEqual(['4 export raw-allowed', '5 export raw-allowed', '7 drop export-none', '10 export raw-allowed', '11 export raw-allowed']);
  });

  // a whole offer answered by a cut answer (and a cut offer answered whole): dropped, both worker counts alike
  it('cut answer / cut offer: dropped, workers 0 and 2 alike', async () => {
    const ok = response('200 OK', 1, sdpOf('b', ['a=aipref:mid apt-raw']));
    for (const workers of [0, 2]) {
      const a = await replayMsgs(ws, `cut-answer-${workers}.pcap`, [{ payload: inv1, fromA: true }, { payload: ok, fromA: false, keep: ok.length - 10 }, ack(), srA(), srB()], false, workers);
      expect(a.decisions).toEqual(['4 drop export-none', '5 drop export-none']);
      const b = await replayMsgs(ws, `cut-offer-${workers}.pcap`, [{ payload: inv1, fromA: true, keep: inv1.length - 10 }, { payload: ok, fromA: false }, ack(), srA(), srB()], false, workers);
      expect(b.decisions).toEqual(['4 drop export-none', '5 drop export-none']);
    }
  });

  // multipart (aipref+json part then SDP part), only the closing boundary cut: the SDP is read with
  // the synthetic identifier: dropped, as uncut (SDP session apt-none)
  it('multipart with its closing boundary cut: dropped', async () => {
    const offer = sdpOf('a', []).replace('t=0 0\r\n', 't=0 0\r\na=aipref:session apt-none\r\n');
    const body = `--bnd\r\nContent-Type: application/aipref+json\r\nContent-ID: <s1@x>\r\n\r\n{"export":"raw","type":"user"}\r\n--bnd\r\nContent-Type: application/sdp\r\n\r\n${offer}\r\n--bnd--\r\n`;
    const head = ['INVITE sip:b@10.0.0.2 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKINVITE1', 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>', `Call-ID: ${CALL}`, 'CSeq: 1 INVITE', 'AI-Pref: apt-x;scope=dialog;uri=<cid:s1@x>', 'Content-Type: multipart/mixed;boundary=bnd', `Content-Length: ${Buffer.byteLength(body)}`];
    const inv = Buffer.from(head.join('\r\n') + '\r\n\r\n' + body);
    const o = await replayMsgs(ws, 'multipart.pcap', [{ payload: inv, fromA: true, keep: inv.length - 6 }, { payload: response('200 OK', 1, sdpOf('b', [])), fromA: false }, ack(), srA(), srB()]);
    expect(o.decisions).toEqual(['4 drop export-none', '5 drop export-none']);
  });

  // a policy file whose apts names the synthetic identifier (it accepts the key) does not resolve
  // it: still unresolved, dropped
  it('a policy entry named like the synthetic identifier does not resolve it', async () => {
    const policy = policyOf({ apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' }, [CUT_ID]: { type: 'user', export: 'raw', retention: '1h' } } });
    const o = await replayMsgs(ws, 'policy-named.pcap', first(inv1.length - 10), false, 0, policy);
    expect(o.exports).toBe(0);
    expect(o.decisions.map((d) => d.split(' ').slice(0, 2).join(' '))).toEqual(['4 drop', '5 drop']);
  });

  // CLI: bindings --json is well formed and lists the synthetic identifier; replay --json summary and
  // output files are the same with --workers 0 and 2
  it('CLI bindings/replay with a cut offer', async () => {
    const file = await ws.file('cli.pcap');
    await writeMsgs(file, first(inv1.length - 10));
    const b = await cli('bindings', file, '--json');
    expect(b.code).toBe(0);
    const rows = JSON.parse(b.stdout) as { ssrc: number; apt: string[] }[];
    expect(rows.map((r) => [r.ssrc, r.apt])).toEqual([[1111, [CUT_ID, 'apt-raw']], [2222, [CUT_ID, 'apt-raw']]]);
    const outs: string[][] = [];
    for (const w of ['0', '2']) {
      const dir = path.join(await ws.folder(), `out-${w}`);
      const r = await cli('replay', file, '--out', dir, '--workers', w, '--explain', '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).telemetry).toEqual({ export: 0, aggregate: 0, drop: 2 });
      outs.push([r.stdout, ...(await Promise.all(['exports', 'reports', 'decisions'].map((n) => readFile(path.join(dir, `${n}.ndjson`), 'utf8'))))]);
    }
    expect(outs[1]).toEqual(outs[0]);
  });
});

const SOURCES: PartSource[] = ['ai-pref-header', 'sdp-aipref', 'body', 'uri-fetched', 'jws'];
const NAMES = ['export', 'Export', 'features', 'retention', 'type', 'scope', 'policy', 'trace', 'Version'];
const VALUES: Record<string, unknown[]> = {
  export: ['raw', 'aggregated-only', 'none', 'maybe'], Export: ['raw', 'none'], features: ['media-metrics,rtcp-xr', 'rtcp-xr', '', 'sdes, app', 'bogus'],
  retention: ['1h', '90s', 3600, 0, '7d', 'soon'], type: ['user', 'domain', 'regulatory', 'issuer-x', null], scope: ['dialog', 'media'],
  policy: ['first-wins', 'strictest-wins', 'bogus'], trace: ['1', '2', 3], Version: [1, 2, 5],
};
const IDS = ['i0', 'i1', 'i2', 'i3'];
const partArb = fc.record({ id: fc.constantFrom(...IDS), source: fc.constantFrom(...SOURCES), keys: fc.subarray(NAMES, { minLength: 0, maxLength: 4 }), picks: fc.array(fc.nat(20), { minLength: 9, maxLength: 9 }), version: fc.constantFrom(null, null, null, 1, 2, 3), n: fc.nat(3000) });
function mkPart(p: { id: string; source: PartSource; keys: string[]; picks: number[]; version: number | null; n: number }, source?: PartSource): StatementPart {
  const params: Record<string, unknown> = {};
  p.keys.forEach((k, i) => { const v = VALUES[k]!; Object.defineProperty(params, k, { value: v[p.picks[i]! % v.length], enumerable: true, writable: true, configurable: true }); });
  if (p.version !== null) params['version'] = p.version;
  return { prefId: p.id, source: source ?? p.source, origin: `frame ${p.n}`, params };
}
const OFFERS = ['o1', 'o2', 'o3'];
type Op = { kind: 'deliver'; part: StatementPart; offer: string | null } | { kind: 'settle'; offer: string; accepted: boolean } | { kind: 'reload'; parts: StatementPart[] } | { kind: 'unreadable'; id: string; offer: string | null } | { kind: 'recover'; id: string };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: partArb.map((p) => ({ kind: 'deliver' as const, part: mkPart(p), offer: null })) },
  { weight: 4, arbitrary: fc.tuple(partArb, fc.constantFrom(...OFFERS)).map(([p, o]) => ({ kind: 'deliver' as const, part: mkPart(p), offer: o })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...OFFERS), fc.boolean()).map(([offer, accepted]) => ({ kind: 'settle' as const, offer, accepted })) },
  { weight: 1, arbitrary: fc.array(partArb, { maxLength: 3 }).map((ps) => ({ kind: 'reload' as const, parts: ps.map((p) => mkPart({ ...p, version: null }, 'policy-file')) })) },
);

/** A SignalingFront-like driver: signaled map (following folds), reloads rebuilding the registry. */
class Driver {
  reg: any;
  signaled = new Map<string, StatementPart>();
  constructor(readonly folding: boolean, policyParts: StatementPart[]) { this.reg = this.fresh(policyParts); }
  fresh(policyParts: StatementPart[]) {
    const reg = this.folding ? new AptRegistry((absorbed, into) => this.foldSignaled(absorbed, into)) : new RefRegistry();
    for (const p of policyParts) reg.deliver(p);
    return reg;
  }
  skey = (p: StatementPart) => `${p.prefId}\0${partKey(p)}`;
  foldSignaled(absorbed: StatementPart, into: StatementPart) {
    if (into.folded === undefined) return;
    const slot = `${into.prefId}\0${into.folded.firstKey}`;
    const key = this.skey(absorbed);
    if (key !== slot) this.signaled.delete(key);
    this.signaled.set(slot, into);
  }
  deliver(part: StatementPart, offer: string | null): PolicyFinding[] {
    const key = this.skey(part);
    if (offer !== null) return this.signaled.has(key) && partVersion(part) === null ? [] : this.reg.deliver(part, offer);
    if (!this.signaled.has(key)) {
      if (this.folding && this.reg.holdsPart(part)) return [];
      this.signaled.set(key, part);
    }
    return this.reg.deliver(part);
  }
  settle(offer: string, accepted: boolean) {
    const { parts } = this.reg.settle(offer, accepted);
    for (const p of parts) if (!this.signaled.has(this.skey(p))) this.signaled.set(this.skey(p), p);
  }
  reload(policyParts: StatementPart[]): string[] {
    const before = new Set(IDS.flatMap((id) => this.reg.disagreements(id).map(ident)));
    const pending = this.reg.pendingParts();
    this.reg = this.fresh(policyParts);
    for (const p of [...this.signaled.values()]) this.reg.deliver(p);
    for (const p of pending) this.reg.deliver(p.part, p.offer);
    return [...new Set(IDS.flatMap((id) => this.reg.disagreements(id).map(ident)).filter((x) => !before.has(x)))].sort();
  }
}
const ident = (f: PolicyFinding) => JSON.stringify([f.type, f.apt, f.key]);
const incKeys = (fs: PolicyFinding[]) => [...new Set(fs.filter((f) => f.type === 'inconsistent-signaling' || f.type === 'version-replaced' || f.type === 'stale-version').map(ident))].sort();
const decisive = (s: any) => ({ export: s.export, features: s.features, retentionSec: s.retentionSec, type: s.type, version: s.version, status: s.status });



function run(ops: Op[]): string | null {
  const a = new Driver(true, []);
  const r = new Driver(false, []);
  for (const [i, op] of ops.entries()) {
    if (op.kind === 'deliver') {
      const fa = incKeys(a.deliver(op.part, op.offer)), fr = incKeys(r.deliver(op.part, op.offer));
      if (JSON.stringify(fa) !== JSON.stringify(fr)) return `op ${i} findings ${JSON.stringify(fa)} vs ${JSON.stringify(fr)}`;
    } else if (op.kind === 'settle') {
      a.settle(op.offer, op.accepted);
      r.settle(op.offer, op.accepted);
    } else if (op.kind === 'reload') {
      const x = a.reload(op.parts), y = r.reload(op.parts);
      if (JSON.stringify(x) !== JSON.stringify(y)) return `op ${i} reload ${JSON.stringify(x)} vs ${JSON.stringify(y)}`;
    }
    for (const id of IDS) {
      if (JSON.stringify(decisive(a.reg.get(id))) !== JSON.stringify(decisive(r.reg.get(id)))) return `op ${i} decisive ${id}`;
      const da = JSON.stringify([...new Set(a.reg.disagreements(id).map(ident))].sort()), dr = JSON.stringify([...new Set(r.reg.disagreements(id).map(ident))].sort());
      if (da !== dr) return `op ${i} disagreements ${id} ${da} vs ${dr}`;
    }
  }
  return null;
}

describe('14a3d5f: folding registry against the never-folding one', () => {
  // 150–400 operations over 4 identifiers (six sources but the file's, jws included), pending
  // offers o1–o3 answered or refused after folds, reloads in between (a new registry fed the
  // file's parts, the signaled parts — following folds as SignalingFront.foldSignaled does — and
  // the pending ones): after every step export/features/retention/type/version/status of every
  // identifier, the keys in disagreement, the inconsistent-signaling/version findings of each
  // delivery and the disagreements new with each reload are the same. (seeds 2 and 3 × 120 runs
  // were run while reviewing; seed 4 found a delivery-finding difference at the registry level,
  // see the report; 40 runs here.)
  it('long generated sequences with refusals and reloads', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 150, maxLength: 400 }), (ops) => {
      expect(run(ops)).toBeNull();
    }), { numRuns: 40, seed: 2, endOnFailure: true });
  }, 120_000);
});
