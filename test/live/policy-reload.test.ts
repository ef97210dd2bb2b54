/**
 * The SIGHUP hook below the CLI: the engine's takePolicyUpdate (asked before each batch of a
 * live source) hands a new policy file to SignalingFront.updatePolicy. Fed the batches of a
 * capture, a reload in the middle of running dialogs decides every item before it as the old
 * policy does and every item from its batch on as the new one does — and swapping back and
 * forth keeps what signaling delivered (inline a=aipref / AI-Pref parameters). The rest of the
 * file applies from there too: the repository to running dialogs, the default APT, the window.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../../native-free/packet-decoder.js';
import { LinkType, type RecordBatch } from '../../native-free/types.js';
import { PcapWriter } from '../../native-free/write.js';
import { buildPolicy } from '../../samples/generator/committed-samples.js';
import { generateCapture } from '../../samples/generator/generate-capture.js';
import type { GenerationTruth } from '../../samples/generator/truth.js';
import type { CoreEvent } from '../../src/pipeline/media-core.js';
import { replayCapture } from '../../src/pipeline/replay-engine.js';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { looksLikeSip } from '../../src/signaling/looks-like-sip.js';
import { audioSdp, callMessage, udpContext } from '../signaling/sip-fixtures.js';
import { loadPolicyFile, parsePolicy, type PolicyFile } from '../../src/policy/policy-file.js';
import { REPO } from './live-helpers.js';

let dir: string;
let capture: string;
let truth: GenerationTruth;
let full: PolicyFile;
let bare: PolicyFile;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-reload-'));
  capture = path.join(dir, 'capture.pcap');
  truth = await generateCapture({ calls: 6, durationSec: 8, seed: 11, videoBytes: 200, packetRateScale: 0.2, startTime: Math.floor(Date.now() / 1000) }, capture);
  full = await loadPolicyFile(path.join(REPO, 'samples/policy.json'));
  const json = { dialogs: full.dialogs, window: '10s', apts: {} };
  bare = parsePolicy(JSON.stringify(json), 'bare.json');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Decision {
  frame: number;
  ts: number;
  decision: string;
  reason: string;
  apt: string[];
  rule: string;
}

interface Aggregate {
  type: 'aggregate';
  window: { start: number; end: number };
}

interface Report {
  type: string;
  dialog: { callId: string } | null;
  apt?: string[];
  detail?: string;
}

/** A copy of a capture without its SIP messages. */
async function withoutSip(from: string, to: string): Promise<void> {
  const writer = await PcapWriter.open(to, { linkType: LinkType.ETHERNET });
  const decoder = new PacketDecoder();
  const view = createPacketView();
  for await (const batch of readCaptureBatches(from)) {
    for (let i = 0; i < batch.count; i++) {
      if (decoder.decode(batch, i, view) === 'udp' && looksLikeSip(view.bytes, view.payloadOffset, view.payloadLength)) continue;
      writer.write(batch.ts[i]!, batch.bytes.subarray(batch.dataOffset[i]!, batch.dataOffset[i]! + batch.capLen[i]!));
    }
  }
  await writer.close();
}

/** The policy file of the generated capture (every catalog APT, repository entries for two calls), changed by `edit`. */
function capturePolicy(edit: (json: ReturnType<typeof buildPolicy>) => object = (j) => j): PolicyFile {
  return parsePolicy(JSON.stringify(edit(buildPolicy(truth))), 'capture-policy.json');
}

/** Decision lines (and aggregates, reports) of a run fed the capture's batches as a live source, with policy swaps before given batches. */
async function decisions(
  start: PolicyFile,
  swaps: Map<number, PolicyFile>,
  { file = capture, workers = 0 }: { file?: string; workers?: number } = {},
): Promise<{ lines: Decision[]; firstFrames: number[]; aggregates: Aggregate[]; reports: Report[] }> {
  const lines: Decision[] = [];
  const aggregates: Aggregate[] = [];
  const reports: Report[] = [];
  const firstFrames: number[] = [];
  let index = -1;
  async function* source(): AsyncGenerator<RecordBatch> {
    for await (const batch of readCaptureBatches(file, { maxBatchRecords: 150 })) {
      index++;
      firstFrames.push(batch.firstFrame);
      yield batch;
    }
  }
  await replayCapture({
    capture: 'live',
    source: source(),
    policy: start,
    workers,
    windowSec: windowSec(start),
    explain: true,
    sink: {
      exports: (l) => void aggregates.push(...l.map((t) => JSON.parse(t) as Aggregate | { type: 'telemetry' }).filter((e): e is Aggregate => e.type === 'aggregate')),
      reports: (l) => void reports.push(...l.map((t) => JSON.parse(t) as Report)),
      decisions: (l) => void lines.push(...l.map((t) => JSON.parse(t) as Decision)),
    },
    // asked once batch number `index` is read, before the feed takes it
    takePolicyUpdate: () => {
      const next = swaps.get(index);
      return next ? { policy: next, windowSec: windowSec(next) } : null;
    },
  });
  return { lines, firstFrames, aggregates, reports };
}

/** The window a policy file makes when the command line fixes none. */
function windowSec(p: PolicyFile): number {
  return p.windowSec ?? 10;
}

describe('policy reload between batches (SignalingFront.updatePolicy)', () => {
  it('items before the reload are decided by the old policy, items from its batch on by the new one', async () => {
    const onlyBare = await decisions(bare, new Map());
    const onlyFull = await decisions(full, new Map());
    expect(onlyBare.lines.length).toBe(onlyFull.lines.length);
    // the two policies must disagree somewhere, or the test shows nothing
    expect(onlyBare.lines.map((d) => d.decision)).not.toEqual(onlyFull.lines.map((d) => d.decision));
    const at = Math.floor(onlyBare.firstFrames.length / 2);
    const swapped = await decisions(bare, new Map([[at, full]]));
    const cut = swapped.firstFrames[at]!;
    const before = (ls: Decision[]) => ls.filter((d) => d.frame < cut);
    const after = (ls: Decision[]) => ls.filter((d) => d.frame >= cut);
    expect(before(swapped.lines)).toEqual(before(onlyBare.lines));
    expect(after(swapped.lines)).toEqual(after(onlyFull.lines));
    expect(after(swapped.lines).length).toBeGreaterThan(0);
  });

  it('reloading back to the first policy restores its decisions: nothing signaling delivered is lost', async () => {
    const onlyFull = await decisions(full, new Map());
    const at = 2;
    const back = await decisions(full, new Map([[at, bare], [at + 1, full]]));
    const cut = back.firstFrames[at + 1]!;
    expect(back.lines.filter((d) => d.frame >= cut)).toEqual(onlyFull.lines.filter((d) => d.frame >= cut));
  });

  it("the reloaded repository applies to running dialogs: a new entry governs a call's items from the reload on, with a report", async () => {
    const without = capturePolicy((j) => ({ ...j, dialogs: [] }));
    const withRepo = capturePolicy();
    const onlyWithout = await decisions(without, new Map());
    const onlyWith = await decisions(withRepo, new Map());
    const at = Math.floor(onlyWith.firstFrames.length / 2);
    const swapped = await decisions(without, new Map([[at, withRepo]]));
    const cut = swapped.firstFrames[at]!;
    const after = (ls: Decision[]) => ls.filter((d) => d.frame >= cut);
    // the entries must change something after the cut (the calls they name are still running), or the test shows nothing
    expect(after(onlyWith.lines)).not.toEqual(after(onlyWithout.lines));
    expect(swapped.lines.filter((d) => d.frame < cut)).toEqual(onlyWithout.lines.filter((d) => d.frame < cut));
    expect(after(swapped.lines)).toEqual(after(onlyWith.lines));
    const reloaded = swapped.reports.filter((r) => r.detail?.startsWith('policy reload:'));
    const named = new Set(withRepo.dialogs.map((d) => d.callId));
    expect(reloaded.length).toBeGreaterThan(0);
    for (const r of reloaded) {
      expect(named.has(r.dialog!.callId)).toBe(true);
      expect(r.type).toBe('scope-transitioned');
      expect(r.detail).toMatch(/now apt-(repo-1|reg-eu) \(were none\)$/);
    }
    expect(onlyWith.reports.some((r) => r.detail?.startsWith('policy reload:'))).toBe(false);
    // every shard thread takes the reload at the same packet
    expect(await decisions(without, new Map([[at, withRepo]]), { workers: 2 })).toEqual(swapped);
  });

  it('the reloaded default APT decides items without a preference from the reload on', async () => {
    // the capture's media without its signaling: no stream has a preference but the default
    // and the APTs some name in SDES PRIV
    const mediaOnly = path.join(dir, 'media-only.pcap');
    await withoutSip(capture, mediaOnly);
    const noDefault = capturePolicy();
    const withDefault = capturePolicy((j) => ({ ...j, default: 'apt-dom-2' }));
    const run = (start: PolicyFile, swaps: Map<number, PolicyFile>) => decisions(start, swaps, { file: mediaOnly });
    const onlyNone = await run(noDefault, new Map());
    const onlyDefault = await run(withDefault, new Map());
    expect(onlyNone.lines.filter((d) => d.reason === 'no-preference').length).toBeGreaterThan(100);
    const at = Math.floor(onlyNone.firstFrames.length / 2);
    const cut = onlyNone.firstFrames[at]!;
    const before = (ls: Decision[]) => ls.filter((d) => d.frame < cut);
    const after = (ls: Decision[]) => ls.filter((d) => d.frame >= cut);
    // some items have no preference but the default's, after the cut as before it
    expect(after(onlyDefault.lines).filter((d) => d.apt.includes('apt-dom-2')).length).toBeGreaterThan(0);
    expect(after(onlyDefault.lines)).not.toEqual(after(onlyNone.lines));
    for (const [from, to] of [[noDefault, withDefault], [withDefault, noDefault]] as const) {
      const swapped = await run(from, new Map([[at, to]]));
      const [first, second] = from === noDefault ? [onlyNone, onlyDefault] : [onlyDefault, onlyNone];
      expect(before(swapped.lines)).toEqual(before(first.lines));
      expect(after(swapped.lines)).toEqual(after(second.lines));
    }
  });

  it('the reloaded window is the length of every window opened from the reload on; open windows keep theirs', async () => {
    const long = capturePolicy((j) => ({ ...j, window: '6s' }));
    const short = capturePolicy((j) => ({ ...j, window: '2s' }));
    const onlyLong = await decisions(long, new Map());
    const at = Math.floor(onlyLong.firstFrames.length / 2);
    const swapped = await decisions(long, new Map([[at, short]]));
    const cutTs = swapped.lines.find((d) => d.frame >= swapped.firstFrames[at]!)!.ts;
    const length = (a: Aggregate) => Math.round((a.window.end - a.window.start) * 1e6) / 1e6;
    const opened = (before: boolean) => swapped.aggregates.filter((a) => (a.window.start < cutTs) === before);
    // windows run their whole length unless something closes them early (a BYE, the capture's end, a retention)
    expect(Math.max(...opened(true).map(length))).toBe(6);
    expect(opened(false).length).toBeGreaterThan(0);
    expect(Math.max(...opened(false).map(length))).toBe(2);
    expect(Math.max(...onlyLong.aggregates.map(length))).toBe(6);
    // the decisions themselves do not depend on the window
    expect(swapped.lines).toEqual(onlyLong.lines);
    expect(await decisions(long, new Map([[at, short]]), { workers: 2 })).toEqual(swapped);
  });
});

describe('a policy reload while a dialog still has no answer of its own', () => {
  it("re-sends the dialog's scope under the dialog's key, not under its INVITE's", async () => {
    const policy = (dialogs: object[]) => parsePolicy(JSON.stringify({ apts: {}, dialogs }), 'p.json');
    const front = new SignalingFront(policy([]));
    await front.message(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId: 'early-call', cseq: '1 INVITE', sdp: audioSdp({ media: ['a=mid:0'] }) }), udpContext(1));
    // a 180 without SDP: the early dialog takes the INVITE's scope over
    await front.message(callMessage('SIP/2.0 180 Ringing', { callId: 'early-call', cseq: '1 INVITE', toTag: 'b1' }), udpContext(2));
    const rekey = front.takeEvents().find((e) => e.kind === 'rekey');
    expect(rekey).toBeDefined();
    const { from, to } = rekey as Extract<CoreEvent, { kind: 'rekey' }>;
    front.updatePolicy(policy([{ callId: 'early-call', apt: ['apt-r'] }]), 10, 2, 1002);
    const scopes = front.takeEvents().flatMap((e) => (e.kind === 'scope' ? [e.scope] : []));
    expect(scopes.map((s) => [s.key, s.dialog.toTag, s.repositoryApts])).toEqual([[to, 'b1', ['apt-r']]]);
    expect(scopes[0]!.key).not.toBe(from);
    const reports = front.takeReports().map((r) => JSON.parse(r.text) as Report);
    expect(reports.filter((r) => r.detail?.startsWith('policy reload:')).map((r) => r.dialog)).toEqual([{ callId: 'early-call', fromTag: 'a1', toTag: 'b1' }]);
  });
});
