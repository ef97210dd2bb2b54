/**
 * What the signaling front keeps per dialog — its last scope, repository entry, identity,
 * unresolved identifiers reported, and an answered INVITE's early scope kept for its forks —
 * goes when the dialog ends: a live service that sees millions of calls holds state for the
 * calls still running only. An identifier reported unresolved under the INVITE was not reported
 * again for each dialog its responses created (it was, for the early dialog and each fork).
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
import { audioSdp, callMessage, udpContext } from '../signaling/sip-fixtures.js';

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
      async sip(messages, ctx) {
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
    // and nothing any call offered or stated is left awaiting an answer
    const registry = (front as unknown as { registry: { pendingParts(): unknown[] } }).registry;
    expect(registry.pendingParts()).toEqual([]);
  });

  it('reports an unresolved identifier of an INVITE once: not again for its early dialogs, forks or confirmation', async () => {
    const front = new SignalingFront(parsePolicy('{}', 'p.json'));
    const reports: string[] = [];
    const send = async (start: string, o: Parameters<typeof callMessage>[1], frame: number) => {
      await front.message(callMessage(start, o), udpContext(frame));
      front.takeEvents();
      reports.push(...front.takeReports().map((r) => r.text));
    };
    const answer = (ip: string) => audioSdp({ ip, media: ['a=mid:0'] });
    await send('INVITE sip:bob@b.example SIP/2.0', { callId: 'c1', cseq: '1 INVITE', aiPref: 'apt-nobody-knows', sdp: audioSdp({ media: ['a=mid:0'] }) }, 1);
    await send('SIP/2.0 183 Session Progress', { callId: 'c1', cseq: '1 INVITE', toTag: 'b1', sdp: answer('10.0.0.9') }, 2);
    await send('SIP/2.0 183 Session Progress', { callId: 'c1', cseq: '1 INVITE', toTag: 'b2', sdp: answer('10.0.0.10') }, 3);
    await send('SIP/2.0 200 OK', { callId: 'c1', cseq: '1 INVITE', toTag: 'b1', sdp: answer('10.0.0.9') }, 4);
    await send('ACK sip:bob@b.example SIP/2.0', { callId: 'c1', cseq: '1 ACK', toTag: 'b1' }, 5);
    const unresolved = reports.map((t) => JSON.parse(t) as { type: string; frame: number; apt: string[] }).filter((r) => r.type === 'unresolved-apt');
    expect(unresolved.map((r) => [r.frame, r.apt])).toEqual([[1, ['apt-nobody-knows']]]);
    // a new identifier a later message brings is still reported, under its dialog
    await send('INVITE sip:bob@b.example SIP/2.0', { callId: 'c1', cseq: '2 INVITE', toTag: 'b1', aiPref: 'apt-also-unknown', sdp: audioSdp({ version: 2, media: ['a=mid:0'] }) }, 6);
    await send('SIP/2.0 200 OK', { callId: 'c1', cseq: '2 INVITE', toTag: 'b1', sdp: answer('10.0.0.9') }, 7);
    const later = reports.map((t) => JSON.parse(t) as { type: string; frame: number; apt: string[] }).filter((r) => r.type === 'unresolved-apt' && r.frame > 5);
    expect(later.map((r) => r.apt)).toEqual([['apt-also-unknown']]);
  });

  it('lets go of an INVITE refused before any dialog, and tells the shards so', async () => {
    const front = new SignalingFront(parsePolicy('{}', 'p.json'));
    await front.message(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId: 'busy', cseq: '1 INVITE', sdp: audioSdp({ media: ['a=mid:0'] }) }), udpContext(1));
    const offered = front.takeEvents().find((e) => e.kind === 'scope');
    expect(front.heldDialogs()).toBe(1);
    await front.message(callMessage('SIP/2.0 486 Busy Here', { callId: 'busy', cseq: '1 INVITE', toTag: 'b1' }), udpContext(2));
    const ended = front.takeEvents().filter((e) => e.kind === 'dialog-ended');
    // the key the offer's scope went to the shards under
    expect(ended.map((e) => (e.kind === 'dialog-ended' ? e.key : ''))).toEqual([offered?.kind === 'scope' ? offered.scope.key : 'no scope']);
    expect(front.heldDialogs()).toBe(0);
  });
});
