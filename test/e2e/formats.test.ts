/**
 * SPEC §7: pcap and pcapng are one input. A generated capture rewritten as pcapng (little- and
 * big-endian sections, nanosecond resolution too) gives byte-identical outputs, in-thread and
 * with workers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePcapngEnhancedPacket, encodePcapngInterface, encodePcapngSectionHeader } from '../../native-free/write.js';
import type { PolicyFile } from '../../src/policy/policy-file.js';
import { catalogApts, type Generated, policyOf, replayLines, type ReplayLines, smallCapture, Workspace } from './e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

let g: Generated;
let policy: PolicyFile;
let fromPcap: ReplayLines;

beforeAll(async () => {
  g = await ws.generate(smallCapture(5, 8));
  policy = policyOf({ apts: catalogApts() });
  fromPcap = await replayLines({ capture: g.path, policy, explain: true });
});

/** The pcap's records as one pcapng section (Ethernet interface), timestamps in µs or ns units. */
async function toPcapng(src: string, dst: string, opts: { bigEndian: boolean; nanosecond: boolean }): Promise<number> {
  const bytes = await readFile(src);
  const parts: Uint8Array[] = [
    encodePcapngSectionHeader({ bigEndian: opts.bigEndian }),
    encodePcapngInterface(1, { bigEndian: opts.bigEndian, ...(opts.nanosecond ? { tsresol: 9 } : {}) }),
  ];
  let at = 24;
  let n = 0;
  while (at + 16 <= bytes.length) {
    const sec = BigInt(bytes.readUInt32LE(at));
    const usec = BigInt(bytes.readUInt32LE(at + 4));
    const len = bytes.readUInt32LE(at + 8);
    const units = opts.nanosecond ? sec * 1_000_000_000n + usec * 1000n : sec * 1_000_000n + usec;
    parts.push(encodePcapngEnhancedPacket(0, units, bytes.subarray(at + 16, at + 16 + len), { bigEndian: opts.bigEndian }));
    at += 16 + len;
    n++;
  }
  await writeFile(dst, Buffer.concat(parts));
  return n;
}

describe('pcapng input', () => {
  for (const [name, opts] of [
    ['little-endian µs', { bigEndian: false, nanosecond: false }],
    ['big-endian ns', { bigEndian: true, nanosecond: true }],
  ] as const) {
    it(`${name}: exports, reports, decisions and summary identical to the pcap's (workers 0 and 2)`, async () => {
      const file = await ws.file(`capture-${opts.bigEndian ? 'be' : 'le'}.pcapng`);
      expect(await toPcapng(g.path, file, opts)).toBe(g.truth.packets.total);
      for (const workers of [0, 2]) {
        const run = await replayLines({ capture: file, policy, explain: true, workers });
        expect(run.exports.join('\n'), `workers ${workers}`).toBe(fromPcap.exports.join('\n'));
        expect(run.reports.join('\n'), `workers ${workers}`).toBe(fromPcap.reports.join('\n'));
        expect(run.decisions.join('\n'), `workers ${workers}`).toBe(fromPcap.decisions.join('\n'));
        expect(run.result.summary).toEqual(fromPcap.result.summary);
      }
    });
  }
});
