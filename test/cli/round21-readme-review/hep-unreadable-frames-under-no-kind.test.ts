/**
 * Found by a review of the README's claims (round 21), fixed since: a HEP frame received that
 * cannot be read counts under the kind `hep:malformed` (besides aipref_source_malformed_total),
 * listed in the README (src/sources/hep-listener.ts HepListener.frame, unreadable).
 *
 * Input: README "Metrics, health, logs, signals": "`aipref_source_records_total{source,kind="received"}`
 * (records received), `aipref_source_record_kinds_total{source,kind}` (each record under one
 * kind: …)". `live --hep 127.0.0.1:0 --udp 127.0.0.1:0 --metrics 127.0.0.1:0 …`; to the HEP port
 * one valid HEPv3 SIP frame and one datagram that is not HEPv3 (`not hep at all`, which the README
 * says is "counted, logged … and reported as `malformed-input`"); to the UDP mirror port one junk
 * datagram; /metrics scraped.
 *
 * Was (observed): hep received 2, but aipref_source_record_kinds_total{source="hep"} sums to 1
 * (hep:sip 1): the unreadable frame is under no kind. The UDP mirror counts its junk datagram
 * under `datagram` (received 1 = kinds 1), so the two sources disagree, and for HEP "each record
 * under one kind" does not hold: every HEP frame that fails before its protocol type is read (not
 * HEPv3, a bad length, a time > 24 h ahead, a chunk 16 that does not inflate, unreadable RTCP
 * JSON) is missing from the family. `sum by (source) (aipref_source_record_kinds_total)` falls
 * short of `aipref_source_records_total` by exactly the junk an operator most wants to see
 * broken down (test/live/metrics-review/source-records-kinds-overlap.test.ts asked for "kinds
 * that partition the records").
 *
 * Correct: the README's sentence is the right contract (one kind per record, the kinds summing to
 * the records received, as for the UDP source): the code should change — a HEP frame that cannot
 * be read is counted under a kind of its own (e.g. `malformed`, or `hep:unreadable`), listed in
 * the README beside the others.
 *
 * Fix: src/sources/hep-listener.ts HepListener.malformed() (or frame()'s early returns and the TCP
 * framer's): countKind(this.counters, '<kind>') for a frame that never reached
 * PROTOCOL_KIND; README's kind list names it.
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { encodeHep, HepProtocol } from '../../../src/sources/hep.js';
import { ensureBuilt, LiveChild, REPO } from '../../live/live-helpers.js';

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sum = (text: string, family: string, source: string) =>
  [...text.matchAll(new RegExp(`^${family}\\{source="${source}",[^}]*\\} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);

it('a source\'s records, each under one kind: the kinds sum to the records received, for HEP as for the UDP mirror', async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'r21-hep-kinds-'));
  const { live, addresses } = await LiveChild.start(['--hep', '127.0.0.1:0', '--udp', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--out', path.join(dir, 'out'), '--no-resolve-uri', '--workers', '0']);
  try {
    const s = createSocket('udp4');
    const send = (b: Uint8Array, port: number) => new Promise((r) => s.send(b, port, '127.0.0.1', r));
    const sip = new TextEncoder().encode('OPTIONS sip:a@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nCall-ID: k1\r\nFrom: <sip:b@example.net>;tag=1\r\nTo: <sip:a@example.net>\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n');
    await send(encodeHep({ ipVersion: 4, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, tsSeconds: Math.floor(Date.now() / 1000), tsMicroseconds: 0, protocolType: HepProtocol.SIP, payload: sip }), addresses.hep!.udp.port);
    await send(Buffer.from('not hep at all'), addresses.hep!.udp.port);
    await send(Buffer.from([0, 1, 2, 3, 0xff]), addresses.udp!.port);
    s.close();
    let text = '';
    for (let i = 0; i < 50; i++) {
      text = await (await fetch(`http://127.0.0.1:${addresses.metrics!.port}/metrics`)).text();
      if (text.includes('aipref_source_records_total{source="hep",kind="received"} 2') && text.includes('aipref_source_records_total{source="udp",kind="received"} 1')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // the UDP mirror: its junk datagram is under a kind (`datagram`)
    expect(sum(text, 'aipref_source_record_kinds_total', 'udp')).toBe(sum(text, 'aipref_source_records_total', 'udp'));
    expect(sum(text, 'aipref_source_records_total', 'hep')).toBe(2);
    // HEP: the frame that is not HEPv3 is under a kind of its own (it was under none)
    expect(sum(text, 'aipref_source_record_kinds_total', 'hep')).toBe(2);
    expect(text).toContain('aipref_source_record_kinds_total{source="hep",kind="hep:malformed"} 1');
    expect(text).toContain('aipref_source_malformed_total{source="hep"} 1');
    // the README lists the kind beside the others
    const readme = await readFile(path.join(REPO, 'README.md'), 'utf8');
    const list = readme.slice(readme.indexOf('`aipref_source_record_kinds_total{source,kind}` (each record under one kind'));
    expect(list.slice(0, list.indexOf('`auth-rejected`)'))).toContain('`hep:malformed`');
  } finally {
    await live.terminate();
  }
}, 60_000);
