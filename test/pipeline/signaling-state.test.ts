/**
 * What the signaling front keeps per dialog — its last scope, repository entry, identity,
 * unresolved identifiers reported, and an answered INVITE's early scope kept for its forks —
 * goes when the dialog ends: a live service that sees millions of calls holds state for the
 * calls still running only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPolicy } from '../../samples/generator/committed-samples.js';
import { generateCapture } from '../../samples/generator/generate-capture.js';
import { PacketFeed } from '../../src/pipeline/packet-feed.js';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { parsePolicy } from '../../src/policy/policy-file.js';
import { parseSipMessage } from '../../src/signaling/sip-message.js';
import { audioSdp, bytesOf, sipText } from '../signaling/sip-fixtures.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-front-state-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('SignalingFront state', () => {
  it('holds something for running dialogs only', async () => {
    const capture = path.join(dir, 'calls.pcap');
    const truth = await generateCapture({ calls: 12, durationSec: 4, seed: 5, videoBytes: 200, packetRateScale: 0.1 }, capture);
    // a repository entry for two calls, and every APT unknown (so unresolved identifiers are reported)
    const policy = parsePolicy(JSON.stringify({ ...buildPolicy(truth), apts: {} }), 'policy.json');
    const front = new SignalingFront(policy);
    let mostHeld = 0;
    let ended = 0;
    let unresolved = 0;
    const feed = new PacketFeed({
      media() {},
      other() {},
      malformed() {},
      async sip(_view, messages, ctx) {
        for (const m of messages) await front.message(m, ctx);
        for (const e of front.takeEvents()) if (e.kind === 'dialog-ended') ended++;
        unresolved += front.takeReports().filter((r) => r.text.includes('"type":"unresolved-apt"')).length;
        mostHeld = Math.max(mostHeld, front.heldDialogs());
      },
    });
    await feed.run(capture);
    expect(ended).toBe(12);
    expect(unresolved).toBeGreaterThan(0);
    // each running call: its dialog and its INVITE's early state
    expect(mostHeld).toBeGreaterThanOrEqual(2);
    expect(front.heldDialogs()).toBe(0);
  });

  it('lets go of an INVITE refused before any dialog, and tells the shards so', async () => {
    const front = new SignalingFront(parsePolicy('{}', 'p.json'));
    const message = (start: string, toTag: string | null, sdp = '') => {
      const text = sipText(
        [start, 'Via: SIP/2.0/UDP a.example;branch=z9hG4bK-busy-1', 'From: <sip:alice@a.example>;tag=a1', `To: <sip:bob@b.example>${toTag ? `;tag=${toTag}` : ''}`, 'Call-ID: busy', 'CSeq: 1 INVITE', ...(sdp ? ['Content-Type: application/sdp'] : [])],
        sdp,
      );
      const bytes = bytesOf(text);
      return parseSipMessage(bytes, 0, bytes.length);
    };
    const ctx = (frame: number) => ({ frame, ts: 1000 + frame, src: '192.0.2.1', dst: '192.0.2.2', sport: 5060, dport: 5060, transport: 'udp' as const });
    await front.message(message('INVITE sip:bob@b.example SIP/2.0', null, audioSdp({ media: ['a=mid:0'] })), ctx(1));
    const offered = front.takeEvents().find((e) => e.kind === 'scope');
    expect(front.heldDialogs()).toBe(1);
    await front.message(message('SIP/2.0 486 Busy Here', 'b1'), ctx(2));
    const ended = front.takeEvents().filter((e) => e.kind === 'dialog-ended');
    // the key the offer's scope went to the shards under
    expect(ended.map((e) => (e.kind === 'dialog-ended' ? e.key : ''))).toEqual([offered?.kind === 'scope' ? offered.scope.key : 'no scope']);
    expect(front.heldDialogs()).toBe(0);
  });
});
