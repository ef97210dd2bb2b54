/**
 * Found by a review of the README's claims (round 21), fixed since: the README's kind list for
 * aipref_source_record_kinds_total, and the doc comment of EnforcerMetrics.sourceRecordKinds, name
 * every kind the listeners count (hep:rtp, hep:log, and hep:malformed, added since) (README.md
 * "Metrics, health, logs, signals"; src/export/metrics.ts sourceRecordKinds).
 *
 * Input: README "Metrics, health, logs, signals": "`aipref_source_record_kinds_total{source,kind}`
 * (each record under one kind: `datagram`, `ip-packet`, `frame`, `hep:sip`, `hep:rtcp`,
 * `hep:other`, `auth-rejected`)". Run as the README's own "Try it against a recorded session"
 * does: `live --hep 127.0.0.1:0 --metrics 127.0.0.1:0 …`, then `replay samples/call-small.pcap
 * --to hep://… --speed 0`, plus one HEP frame of protocol type 100 (a JSON log, which heplify and
 * Kamailio's siptrace send), then /metrics scraped.
 *
 * Was (observed): the kinds on /metrics are hep:sip 32, **hep:rtp 354**, hep:rtcp 54 and
 * **hep:log 1** — two kinds the README's list does not have. The sample's own RTP (354 of its 440
 * records) is counted under a kind the README never names, and an operator who writes a query or
 * alert from the README's list (`kind=~"hep:sip|hep:rtcp|hep:other"`) misses most of the feed;
 * `hep:other` is not where a JSON log frame goes either.
 *
 * Correct: the README's list names every kind the service puts on the family (the code is right:
 * src/sources/hep-listener.ts PROTOCOL_KIND maps HEP types 1/4/5/100 to hep:sip/hep:rtp/hep:rtcp/
 * hep:log, anything else hep:other; one kind per record holds). The README, and the same list in
 * the doc comment of EnforcerMetrics.sourceRecordKinds, should change.
 *
 * Fix: README.md "Metrics, health, logs, signals", the kind list: `datagram`, `ip-packet`,
 * `frame`, `hep:sip`, `hep:rtp`, `hep:rtcp`, `hep:log`, `hep:other`, `auth-rejected` (and
 * src/export/metrics.ts sourceRecordKinds' comment likewise).
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { encodeHep, HepProtocol } from '../../../src/sources/hep.js';
import { cli, ensureBuilt, LiveChild, REPO } from '../../live/live-helpers.js';

const SMALL = path.join(REPO, 'samples/call-small.pcap');
const POLICY = path.join(REPO, 'samples/policy.json');
let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The kinds the README lists for aipref_source_record_kinds_total. */
function readmeKinds(readme: string): string[] {
  const at = readme.indexOf('`aipref_source_record_kinds_total{source,kind}`');
  expect(at).toBeGreaterThan(0);
  const list = readme.slice(at, readme.indexOf(')', readme.indexOf('each record under one kind', at)));
  return [...list.slice(list.indexOf('each record under one kind')).matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

it('every kind /metrics shows on aipref_source_record_kinds_total is one the README lists', async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'r21-readme-kinds-'));
  const listed = readmeKinds(await readFile(path.join(REPO, 'README.md'), 'utf8'));
  expect(listed).toContain('hep:sip');
  const { live, addresses } = await LiveChild.start(['--hep', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--out', path.join(dir, 'out'), '--policy', POLICY, '--no-resolve-uri', '--workers', '0']);
  try {
    await cli(['replay', SMALL, '--to', `hep://127.0.0.1:${addresses.hep!.udp.port}`, '--speed', '0']);
    const log = encodeHep({
      ipVersion: 4,
      ipProtocol: 17,
      src: '10.0.0.1',
      dst: '10.0.0.2',
      sport: 5060,
      dport: 5060,
      tsSeconds: Math.floor(Date.now() / 1000),
      tsMicroseconds: 0,
      protocolType: HepProtocol.JSON_LOG,
      payload: new TextEncoder().encode('{"event":"log line"}'),
    });
    const s = createSocket('udp4');
    await new Promise((r) => s.send(log, addresses.hep!.udp.port, '127.0.0.1', r));
    // and one that cannot be read (a kind of its own since)
    await new Promise((r) => s.send(Buffer.from('not hep at all'), addresses.hep!.udp.port, '127.0.0.1', r));
    s.close();
    let text = '';
    for (let i = 0; i < 50; i++) {
      text = await (await fetch(`http://127.0.0.1:${addresses.metrics!.port}/metrics`)).text();
      if (text.includes('aipref_source_records_total{source="hep",kind="received"} 442')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const shown = [...text.matchAll(/^aipref_source_record_kinds_total\{source="[^"]+",kind="([^"]+)"\} \d+/gm)].map((m) => m[1]!);
    expect(shown).toEqual(expect.arrayContaining(['hep:sip', 'hep:rtp', 'hep:rtcp', 'hep:log', 'hep:malformed']));
    expect(shown.filter((k) => !listed.includes(k))).toEqual([]);
  } finally {
    await live.terminate();
  }
}, 60_000);
