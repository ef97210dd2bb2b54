/**
 * End-to-end fuzzing of replay (SPEC §7–§8: "a malformed packet inside a good capture is
 * counted and reported, never a crash, never silently skipped"). Real and generated captures
 * are mutated at the byte level with their pcap record framing kept valid — SIP text and SDP
 * lines, aipref bodies (JSON and CBOR), SRTCP under SDES keys, RTCP length words, counts, SDES and XR fields, RTP
 * CSRC counts, extensions and padding, IP/UDP/TCP header fields, IPv4 fragments, WebSocket frame
 * headers and their compressed (permessage-deflate) payloads, cut records,
 * original lengths, duplicated, dropped, reordered and spliced records, odd timestamps — and
 * replayed in-process. Every replay must end without throwing (a CaptureError naming a byte
 * offset aside), write one JSON object per line, count every record and every malformed-input
 * report in its summary, leave a trace of every broken media packet, and give the same bytes
 * with two shard threads as with none.
 *
 * Deterministic (fixed fast-check seeds). For a longer hunt, more cases from another seed:
 *   FUZZ_RUNS=5000 FUZZ_SEED=7 npx vitest run test/fuzz/replay-fuzz.test.ts
 * (what it found, fixed, is in test/fuzz/found.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy, type PolicyFile } from '../../src/policy/policy-file.js';
import { Workspace } from '../e2e/e2e-helpers.js';
import { differences, problemsOf, runReplay, silentSkip } from './check.js';
import { type Capture, MUTATION_KINDS, mutatedCapture, parsePcap, serializePcap } from './mutate.js';
import { cborBodyCapture, fragmentedCapture, sipOverTcpCapture, srtpCapture } from './seeds.js';
import { writeFile } from 'node:fs/promises';

const ws = new Workspace();
afterAll(() => ws.cleanup());

interface Seed {
  name: string;
  capture: Capture;
  policy: PolicyFile;
  /** every media transport is negotiated by the capture's own signaling */
  signaled: boolean;
}

const seeds: Seed[] = [];

beforeAll(async () => {
  const policyText = readFileSync(path.resolve('samples/policy.json'), 'utf8');
  const policy = parsePolicy(policyText, 'policy.json');
  const withDefault = parsePolicy(JSON.stringify({ ...JSON.parse(policyText), default: 'apt-dom-2' }), 'policy-default.json');
  const small = parsePcap(readFileSync(path.resolve('samples/call-small.pcap')));
  const generated = await ws.generate({ calls: 3, durationSec: 5, seed: 11, videoBytes: 200, packetRateScale: 0.1 });
  seeds.push(
    { name: 'call-small', capture: small, policy, signaled: true },
    { name: 'generated', capture: parsePcap(readFileSync(generated.path)), policy, signaled: true },
    { name: 'call-small-frag', capture: fragmentedCapture(small), policy, signaled: false },
    { name: 'call-small-tcp', capture: sipOverTcpCapture(small, false, 3), policy, signaled: true },
    { name: 'call-small-ws', capture: sipOverTcpCapture(small, true, 4), policy, signaled: true },
    { name: 'call-small-ws-deflate', capture: sipOverTcpCapture(small, true, 5, true), policy, signaled: true },
    { name: 'call-small-cbor', capture: cborBodyCapture(small), policy, signaled: true },
    { name: 'call-small-srtp', capture: srtpCapture(small), policy, signaled: true },
  );
  for (const f of ['heplify_sip_ipv4_tcp.pcap', 'heplify_sip_ipv6_udp.pcap', 'heplify_ipip0.pcap', 'rtpproxy_rtcp.a.pcap', 'rtpproxy_rtcp.o.pcap']) {
    seeds.push({ name: f, capture: parsePcap(readFileSync(path.resolve('../shared/captures', f))), policy: withDefault, signaled: false });
  }
});

const caseArb = fc.record({
  seed: fc.nat(12),
  kind: fc.constantFrom(...MUTATION_KINDS),
  mixed: fc.boolean(),
  caseSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  count: fc.constantFrom(1, 1, 1, 2, 3, 6),
  batch: fc.constantFrom(undefined, undefined, 1, 17),
});

type CaseOf<A> = A extends fc.Arbitrary<infer T> ? T : never;
let n = 0;
async function materialize(c: CaseOf<typeof caseArb>) {
  const seed = seeds[c.seed % seeds.length]!;
  const kinds = c.mixed ? MUTATION_KINDS : [c.kind];
  const { capture, m } = mutatedCapture(seed.capture, kinds, c.caseSeed, c.count, seeds.map((s) => s.capture));
  const file = await ws.file(`fuzz-${n++}.pcap`);
  await writeFile(file, serializePcap(capture));
  return { seed, capture, m, file, label: `${seed.name} [${m.notes.join(' | ')}] batch ${c.batch ?? 'default'}` };
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? 20260301);

describe('fuzz: mutated captures replay without crash, hang, bad lines or lost counts', () => {
  it('workers 0: every invariant holds', async () => {
    expect(seeds.length).toBe(13);
    const kindsSeen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const { seed, capture, m, file, label } = await materialize(c);
        for (const kind of m.applied) kindsSeen.add(kind);
        if (c.mixed && m.applied.size > 0) kindsSeen.add('mixed');
        const run = await runReplay(file, seed.policy, 0, 20_000, c.batch);
        const problems = problemsOf(run, capture.records.length);
        if (problems.length === 0 && seed.signaled && !c.mixed && c.count === 1 && (c.kind === 'rtcp-field' || c.kind === 'rtp-field') && m.touched.size === 1) {
          problems.push(...silentSkip(run, capture, [...m.touched][0]!));
        }
        expect(problems, label).toEqual([]);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // the runs were not vacuous: every kind of mutation changed some capture
    expect([...kindsSeen].sort()).toEqual([...MUTATION_KINDS, 'mixed'].sort());
  }, 150_000 + RUNS * 400);

  it('workers 2 writes the same bytes as workers 0', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const { seed, file, label } = await materialize(c);
        const w0 = await runReplay(file, seed.policy, 0, 20_000, c.batch);
        const w2 = await runReplay(file, seed.policy, 2, 30_000, c.batch);
        expect(differences(w0, w2), label).toEqual([]);
      }),
      { numRuns: Math.max(30, Math.round(RUNS / 13)), seed: SEED + 1, endOnFailure: true },
    );
  }, 150_000 + RUNS * 400);
});
