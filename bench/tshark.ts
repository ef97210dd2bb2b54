/**
 * tshark's RTCP decode of the same capture: every record dissected (the RTP and its codec
 * payloads too, on the ports the SDP set up), RTCP found where the SDP set it up and, on any
 * other port, by the heuristic RTCP dissector (decode-as cannot name the hundreds of ports the
 * calls use); one line printed per RTCP packet. Timed from the outside, the median of a few runs
 * (one run's time swung between 13.8 and 23.7 s on the bench VM); packets/s counts every record
 * of the capture, since tshark reads and dissects them all.
 */
import { spawn, spawnSync } from 'node:child_process';

export interface TsharkResult {
  version: string;
  command: string;
  seconds: number;
  rtcpLines: number;
  packetsPerSec: number;
  /** every run's seconds, in the order run (`seconds` is their median) */
  runs: number[];
}

/** tshark's path, or undefined with why it cannot be used. */
export function findTshark(): { path?: string; version?: string; reason?: string } {
  const which = spawnSync('sh', ['-c', 'command -v tshark'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  if (which.status !== 0 || !found) return { reason: 'tshark is not installed (not on PATH)' };
  const v = spawnSync(found, ['-v'], { encoding: 'utf8' });
  if (v.status !== 0) return { reason: `${found} -v failed: ${(v.stderr || '').trim().split('\n')[0]}` };
  return { path: found, version: v.stdout.split('\n')[0]!.trim() };
}

/** `runs` runs of tshark's RTCP decode, one after the other; their median time (an odd count: a run's). */
export async function tsharkRtcp(tshark: string, version: string, capture: string, records: number, runs = 3): Promise<TsharkResult> {
  const done: Omit<TsharkResult, 'runs'>[] = [];
  for (let r = 0; r < runs; r++) done.push(await tsharkRtcpOnce(tshark, version, capture, records));
  const median = [...done].sort((a, b) => a.seconds - b.seconds)[(done.length - 1) >> 1]!;
  return { ...median, runs: done.map((d) => d.seconds) };
}

function tsharkRtcpOnce(tshark: string, version: string, capture: string, records: number): Promise<Omit<TsharkResult, 'runs'>> {
  const args = ['-r', capture, '-n', '-o', 'rtcp.heuristic_rtcp:TRUE', '-Y', 'rtcp', '-T', 'fields', '-e', 'frame.number', '-e', 'rtcp.pt'];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(tshark, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      for (let i = 0; i < d.length; i++) if (d[i] === 0x0a) lines++;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`tshark exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      resolve({ version, command: `tshark ${args.join(' ')}`, seconds, rtcpLines: lines, packetsPerSec: records / seconds });
    });
  });
}
