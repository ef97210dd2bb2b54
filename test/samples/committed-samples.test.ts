import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { APT_CATALOG } from '../../samples/generator/apt-catalog.js';
import { intendedStreamApts, planCalls } from '../../samples/generator/call-plan.js';
import { buildPolicy, signalingTexts, SMALL_SAMPLE_OPTIONS, type PolicyFile } from '../../samples/generator/committed-samples.js';
import type { GenerationTruth } from '../../samples/generator/truth.js';

const samples = (name: string): URL => new URL(`../../samples/${name}`, import.meta.url);

describe('committed samples', () => {
  it('policy.json is what the generator writes, in SPEC §9 form', async () => {
    const truth = JSON.parse(await readFile(samples('call-small.truth.json'), 'utf8')) as GenerationTruth;
    const policy = JSON.parse(await readFile(samples('policy.json'), 'utf8')) as PolicyFile;
    expect(policy).toEqual(buildPolicy(truth));
    expect(policy.default).toBeNull();
    expect(policy.window).toBe('10s');
    expect(policy.dialogs[0]).toEqual({ callId: truth.calls[0]!.callId, fromTag: truth.calls[0]!.fromTag, toTag: truth.calls[0]!.toTag, apt: ['apt-repo-1'] });
    expect(new Set(Object.values(policy.apts).map((s) => s['type']))).toEqual(new Set(['user', 'domain', 'regulatory']));
  });

  it('policy.json resolves every APT identifier a default-size run uses', async () => {
    const policy = JSON.parse(await readFile(samples('policy.json'), 'utf8')) as PolicyFile;
    const used = new Set<string>();
    for (const call of planCalls(1, { calls: 100, durationSec: 30, videoBytes: 600, packetRateScale: 1 })) {
      for (const v of call.aiPref) used.add(v.id);
      for (const d of call.sessionApts) used.add(d.id);
      for (const s of call.sections) if (s.midApt) used.add(s.midApt.id);
      for (const s of call.streams) {
        if (s.sdesPriv) used.add(s.sdesPriv);
        for (const id of intendedStreamApts(call, s)) used.add(id);
      }
    }
    for (const id of used) expect(policy.apts, id).toHaveProperty([id]);
    expect(used.size).toBeGreaterThan(APT_CATALOG.length / 2);
  });

  it('SIP and SDP files are the generator\'s texts of the small sample\'s calls', async () => {
    const texts = signalingTexts(planCalls(SMALL_SAMPLE_OPTIONS.seed, SMALL_SAMPLE_OPTIONS));
    for (const [name, text] of Object.entries(texts)) expect(await readFile(samples(name), 'utf8'), name).toBe(text);
  });

  it('SIP samples show the forms the signaling layer must read', async () => {
    const invite = await readFile(samples('sip/invite-multipart.sip'), 'utf8');
    expect(invite).toMatch(/\r\nContent-Type: multipart\/mixed;boundary=/);
    expect(invite).toContain('\r\nContent-Type: application/aipref+json\r\n');
    expect(invite).toMatch(/\r\nAI-Pref: "urn:example:apt:call-\d";scope=dialog;type=\w+;uri=<cid:aipref-2@example.com>/);
    const refused = await readFile(samples('sip/488-aipref-refused.sip'), 'utf8');
    expect(refused).toMatch(/^SIP\/2\.0 488 Not Acceptable Here\r\n/);
    expect(refused).toContain('\r\nWarning: 399 aipref "Preference unsupported"\r\n');
    const reinvite = await readFile(samples('sip/reinvite-disable-video.sip'), 'utf8');
    expect(reinvite).toContain('\r\nm=video 0 ');
    expect(reinvite).toContain('\r\nCSeq: 2 INVITE\r\n');
    for (const name of Object.keys(signalingTexts(planCalls(SMALL_SAMPLE_OPTIONS.seed, SMALL_SAMPLE_OPTIONS))).filter((n) => n.endsWith('.sip'))) {
      const message = await readFile(samples(name), 'utf8');
      const [head, body] = [message.slice(0, message.indexOf('\r\n\r\n')), message.slice(message.indexOf('\r\n\r\n') + 4)];
      expect(Number(/\r\nContent-Length: (\d+)/.exec(head)![1]), name).toBe(Buffer.byteLength(body));
    }
  });

  it('the small capture stays small', async () => {
    const truth = JSON.parse(await readFile(samples('call-small.truth.json'), 'utf8')) as GenerationTruth;
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(samples('call-small.pcap')));
    expect(size).toBeLessThan(300_000);
    expect(truth.packets.total).toBeLessThan(1000);
    expect(truth.calls.flatMap((c) => c.renegotiations).length).toBeGreaterThan(0);
  });
});
