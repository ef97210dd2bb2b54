/**
 * Shared by the clock-sources review tests: a live child fed HEPv3 frames (reload-review's
 * helpers), run to its stop, with every output line, decision and log line; and frames with
 * hand-set time chunks (0, year 2100, microseconds out of range, the seconds chunk left out).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { encodeHep, IpProtocolNumber } from '../../../src/sources/hep.js';
import { guessHepProtocol } from '../../../src/sources/replay-sender.js';
import { hepFrame, kill, sendDatagrams, sleep, startLive, stopAndRead, untilReceived, writeJson, type LiveChild, type TimedPkt } from '../reload-review/rr-helpers.js';

export * from '../reload-review/rr-helpers.js';

export type Line = Record<string, unknown>;

/** A HEPv3 frame of `p` with the two time chunks set as given (no normalising). */
export function hepFrameRaw(p: TimedPkt, tsSeconds: number, tsMicroseconds: number): Uint8Array {
  return encodeHep({ ipVersion: 4, ipProtocol: IpProtocolNumber.UDP, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, tsSeconds, tsMicroseconds, protocolType: guessHepProtocol(p.payload), payload: p.payload });
}

/** A HEPv3 frame of `p` as the capture agent `captureAgentId` (HEP chunk 12) sends it: two agents behind one sender are told apart by it. */
export function hepFrameBy(p: TimedPkt, captureAgentId: number): Uint8Array {
  const tsSeconds = Math.floor(p.ts);
  const tsMicroseconds = Math.min(999_999, Math.round((p.ts - tsSeconds) * 1e6));
  return encodeHep({ ipVersion: 4, ipProtocol: IpProtocolNumber.UDP, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, tsSeconds, tsMicroseconds, protocolType: guessHepProtocol(p.payload), payload: p.payload, captureAgentId });
}

/** `frame` without its generic chunk `type` (the total length fixed). */
export function withoutChunk(frame: Uint8Array, type: number): Uint8Array {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  for (let at = 6; at + 6 <= frame.length; ) {
    const vendor = view.getUint16(at);
    const t = view.getUint16(at + 2);
    const len = view.getUint16(at + 4);
    if (vendor === 0 && t === type) {
      const out = new Uint8Array(frame.length - len);
      out.set(frame.subarray(0, at));
      out.set(frame.subarray(at + len), at);
      new DataView(out.buffer).setUint16(4, out.length);
      return out;
    }
    at += len;
  }
  throw new Error(`no chunk ${type}`);
}

export interface LiveRun {
  code: number | null;
  summary: Record<string, unknown>;
  exports: Line[];
  reports: Line[];
  decisions: Line[];
  logs: Line[];
  files: string[];
  /** the service's clock (s) when the run stopped */
  stoppedAt: number;
}

/**
 * A live service (--hep, --explain, workers `workers`) with `policy`, sent `frames` `gapMs`
 * apart (TimedPkt → hepFrame; a Uint8Array as is), waited on until all were received and 800 ms
 * more, then stopped.
 */
export async function liveRun(dir: string, name: string, frames: readonly (TimedPkt | Uint8Array)[], policy: object, o: { gapMs?: number; workers?: number } = {}): Promise<LiveRun> {
  const policyFile = await writeJson(path.join(dir, name + '.json'), policy);
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, name);
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policyFile, '--explain', '--workers', String(o.workers ?? 0)]);
    live = s.live;
    const datagrams = frames.map((f) => (f instanceof Uint8Array ? f : hepFrame(f)));
    await sendDatagrams(s.addresses.hep!.udp.port, datagrams, o.gapMs ?? 60);
    await untilReceived(s.addresses.metrics!.port, 'hep', datagrams.length);
    await sleep(800);
    const got = await stopAndRead(live, out, true);
    return { ...got, logs: live.logs as Line[], files: await readdir(out), stoppedAt: Date.now() / 1000 };
  } finally {
    kill(live);
  }
}

/** The capture time of "now" on the service's clock, a quarter second past a whole second. */
export const nowTs = (): number => Math.floor(Date.now() / 1000) + 0.25;

/** malformed-input reports that name the HEP source (`hep udp:host:port: why`). */
export const hepMalformed = (reports: readonly Line[]): Line[] => reports.filter((r) => r.type === 'malformed-input' && /^hep udp:127\.0\.0\.1:\d+: /.test(String(r.detail)));
