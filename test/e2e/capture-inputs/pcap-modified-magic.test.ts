/**
 * Found by a review of capture inputs, fixed since: the modified pcap format (magic
 * 0xa1b2cd34, 24-byte record headers) is read.
 *
 * Input: samples/call-small.pcap rewritten in the "modified" libpcap format (Alexey Kuznetzov's
 * patches, written by Red Hat/SuSE tcpdump builds): magic 0xa1b2cd34 (little-endian here), the same
 * 24-byte file header, and 24-byte record headers — ts_sec, ts_usec, incl_len, orig_len, then
 * ifindex (u32), protocol (u16), pkt_type (u8), pad (u8) — before each record's data.
 * tshark and capinfos read it (libpcap "modified" format; `tshark -r f -T fields -e frame.number
 * -e ip.src -e udp.srcport` gives the same 440 rows as the plain sample; checked below when
 * tshark is installed).
 *
 * Was (replay, inspect and bindings alike, exit 1):
 *   "aipref-enforcer replay: …/call-small-modified.pcap: at byte 0: not a pcap or pcapng capture (starts with 0x34cdb2a1)"
 *
 * Correct: SPEC §7 "Inputs: pcap and pcapng files"; this is a pcap file (libpcap's own
 * savefile.c/sf-pcap.c reads KUZNETZOV_TCPDUMP_MAGIC, as does Wireshark). The error line is also
 * wrong on its face: the file *is* a pcap capture. The replay should read the 440 records and
 * give the plain sample's outputs.
 *
 * Fix: native-free/pcap.ts: accept 0xa1b2cd34 (and its byte-swapped 0x34cdb2a1) in isPcapMagic /
 * PcapMagic; PcapWalker keeps a record-header size (16, or 24 for the modified magic) and uses it in
 * walk() and describeLeftover() (data at pos + 24); minRecordBytes follows.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinBytes } from '../../../native-free/bytes.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { loadPolicyFile } from '../../../src/policy/policy-file.js';
import { cli, readPcapRecords, replayLines, type ReplayLines, SMALL_PCAP, SMALL_POLICY, Workspace } from '../e2e-helpers.js';
import { tsharkRows } from './tshark-rows.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

let plain: ReplayLines;
let file: string;


beforeAll(async () => {
  const policy = await loadPolicyFile(SMALL_POLICY);
  plain = await replayLines({ capture: SMALL_PCAP, policy, workers: 0, explain: true });
  const { records } = await readPcapRecords(SMALL_PCAP);
  const header = encodePcapFileHeader(1);
  new DataView(header.buffer).setUint32(0, 0xa1b2cd34, true);
  const parts: Uint8Array[] = [header];
  for (const r of records) {
    const h = new Uint8Array(24);
    const dv = new DataView(h.buffer);
    const sec = Math.floor(r.ts);
    dv.setUint32(0, sec, true);
    dv.setUint32(4, Math.round((r.ts - sec) * 1e6), true);
    dv.setUint32(8, r.data.length, true);
    dv.setUint32(12, r.data.length, true);
    dv.setUint32(16, 2, true); // ifindex
    dv.setUint16(20, 0x0800, true); // protocol
    h[22] = 0; // PACKET_HOST
    parts.push(h, r.data);
  }
  file = await ws.file('call-small-modified.pcap');
  await writeFile(file, joinBytes(parts));
});

describe('a pcap in the modified (Kuznetzov, 0xa1b2cd34) format', () => {
  it('oracle: tshark reads the same frames, times, addresses and ports as from the plain sample', () => {
    const want = tsharkRows(SMALL_PCAP, ['frame.number', 'frame.time_epoch', 'ip.src', 'udp.srcport', 'udp.dstport']);
    const got = tsharkRows(file, ['frame.number', 'frame.time_epoch', 'ip.src', 'udp.srcport', 'udp.dstport']);
    if (want === null || got === null) return;
    expect(got).toEqual(want);
  });

  it('is read: the replay gives the plain sample’s summary, reports and decisions', async () => {
    const policy = await loadPolicyFile(SMALL_POLICY);
    // was: CaptureError "at byte 0: not a pcap or pcapng capture (starts with 0x34cdb2a1)"
    const r = await replayLines({ capture: file, policy, workers: 0, explain: true });
    expect(r.result.summary).toEqual(plain.result.summary);
    expect(r.reports).toEqual(plain.reports);
    expect(r.decisions).toEqual(plain.decisions);
  });

  it('inspect --json: exit 0, 440 frames numbered 1…440', async () => {
    const r = await cli('inspect', file, '--json');
    // was: code 1, "aipref-enforcer inspect: …: at byte 0: not a pcap or pcapng capture (starts with 0x34cdb2a1)"
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const frames = r.stdout.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { frame: number }).frame);
    expect(frames).toEqual(Array.from({ length: 440 }, (_, i) => i + 1));
  });
});
