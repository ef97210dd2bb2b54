/**
 * Found by a review of capture inputs, fixed since: a pcapng block without packets larger
 * than the reader buffers (16 MiB) streams past unread.
 *
 * Input: samples/call-small.pcap written as pcapng (SHB, one Ethernet IDB in µs, 440 EPBs), with
 * one large block that carries no packet inserted after frame 100: a Decryption Secrets Block
 * (type 0x0000000A, secrets type 0x544c534b "TLS key log", 17 MiB of key-log text — what
 * `editcap --inject-secrets` embeds for a long capture), in a second file a custom block
 * (0x00000BAD) of 20 MiB, in a third an Interface Statistics Block padded to 17 MiB.
 * tshark 4.0 reads all three to the end (`tshark -r f | wc -l` gives 440 for the DSB and ISB files;
 * `capinfos -c` gives 440 packets for all three).
 *
 * Was (`node bin/aipref-enforcer.js replay f --json`): exit 1 and
 *   "aipref-enforcer replay: f: at byte 39996: bad block length 17825812"
 * (the DSB file; 20971532 for the custom block, 17825804 for the ISB); frames 101–440 — most of
 * the three calls — are never read; reports.ndjson ends "bad block length 17825812 (byte 39996):
 * the capture cannot be read past here".
 *
 * Correct: SPEC §7 (pcapng input "any size, streamed") and §8 (exit 1 only for input that cannot
 * be read on): a well-formed block the enforcer does not use is skipped whatever its size, as
 * tshark skips it; the run reads all 440 packets and its outputs equal the plain capture's.
 * The 16 MiB guard (MAX_BLOCK_BYTES) only makes sense for blocks that must be held in memory
 * (SHB, IDB, packet blocks: a packet is at most 256 KiB anyway).
 *
 * Fix: native-free/pcapng.ts PcapngWalker.walk(): apply MAX_BLOCK_BYTES only to SHB/IDB/EPB/
 * OPB/SPB; for any other block type let the walker skip `len` bytes without buffering them — e.g.
 * a `skipBytes` the walker returns/sets that native-free/capture.ts readCaptureBatches() discards
 * from the following chunks before it walks on (checking the trailing length when it reaches it),
 * instead of carrying the whole block in `carry`.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodePcapngBlock,
  encodePcapngEnhancedPacket,
  encodePcapngInterface,
  encodePcapngSectionHeader,
} from '../../../native-free/write.js';
import { joinBytes } from '../../../native-free/bytes.js';
import { readFile, writeFile } from 'node:fs/promises';
import { loadPolicyFile } from '../../../src/policy/policy-file.js';
import { cli, readPcapRecords, replayLines, type ReplayLines, SMALL_PCAP, SMALL_POLICY, Workspace } from '../e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const MiB = 1 << 20;

function decryptionSecrets(bytes: number): Uint8Array {
  const body = new Uint8Array(8 + bytes);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, 0x544c534b, true); // TLS key log
  dv.setUint32(4, bytes, true);
  body.fill(0x41, 8); // "AAAA…": key-log text stands in
  return encodePcapngBlock(0x0000000a, body);
}

let plain: ReplayLines;
const files: Record<string, string> = {};
/** bytes of the file before the big block: section header, interface, the first 100 packets */
let beforeBlock = 0;

beforeAll(async () => {
  const policy = await loadPolicyFile(SMALL_POLICY);
  plain = await replayLines({ capture: SMALL_PCAP, policy, workers: 0, explain: true });
  const { records } = await readPcapRecords(SMALL_PCAP);
  const epbs = records.map((r) => encodePcapngEnhancedPacket(0, BigInt(Math.round(r.ts * 1e6)), r.data));
  beforeBlock = joinBytes([encodePcapngSectionHeader(), encodePcapngInterface(1), ...epbs.slice(0, 100)]).length;
  const big: Record<string, Uint8Array> = {
    dsb: decryptionSecrets(17 * MiB),
    custom: encodePcapngBlock(0x00000bad, new Uint8Array(20 * MiB)),
    isb: encodePcapngBlock(0x00000005, new Uint8Array(17 * MiB)),
  };
  for (const [name, block] of Object.entries(big)) {
    files[name] = await ws.file(`call-small-${name}.pcapng`);
    await writeFile(files[name]!, joinBytes([encodePcapngSectionHeader(), encodePcapngInterface(1), ...epbs.slice(0, 100), block, ...epbs.slice(100)]));
  }
});

describe('a pcapng block that carries no packet, larger than 16 MiB, is skipped as tshark skips it', () => {
  it('oracle: capinfos counts 440 packets in each file (when installed)', () => {
    for (const name of ['dsb', 'custom', 'isb']) {
      let text: string;
      try {
        text = execFileSync('capinfos', ['-c', '-M', files[name]!], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return;
      }
      expect(text, name).toMatch(/Number of packets:\s+440\n/);
    }
  });

  for (const name of ['dsb', 'custom', 'isb']) {
    it(`${name}: every packet after it is read; the outputs equal the plain capture's`, async () => {
      const policy = await loadPolicyFile(SMALL_POLICY);
      // was: CaptureError "at byte 39996: bad block length 17825812" (dsb) after frame 100
      const r = await replayLines({ capture: files[name]!, policy, workers: 0, explain: true });
      expect(r.result.summary).toEqual(plain.result.summary);
      expect(r.reports).toEqual(plain.reports);
      expect(r.decisions).toEqual(plain.decisions);
    });
  }

  it('the CLI: exit 0, nothing on stderr, packets 440 (as capinfos counts)', async () => {
    const out = await ws.file('out-dsb');
    const r = await cli('replay', files.dsb!, '--policy', SMALL_POLICY, '--out', out, '--workers', '0', '--json');
    // was: code 1, stderr "aipref-enforcer replay: …/call-small-dsb.pcapng: at byte 39996: bad block length 17825812"
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual(plain.result.summary);
  });

  it('one the file ends inside: the packets before it are read, and the cut is said in one line', async () => {
    const cut = await ws.file('call-small-dsb-cut.pcapng');
    const whole = await readFile(files.dsb!);
    // the first 100 packets and the first MiB of the 17 MiB block
    await writeFile(cut, whole.subarray(0, beforeBlock + MiB));
    const out = await ws.file('out-dsb-cut');
    const r = await cli('replay', cut, '--policy', SMALL_POLICY, '--out', out, '--workers', '0', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/record cut short: a block without packets ends \d+ bytes past the end of the file/);
    expect(JSON.parse(r.stdout).packets).toBe(100);
  });
});
