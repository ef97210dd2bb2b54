/**
 * tshark's RTCP decode of the same capture: every record dissected, RTCP found on any port by
 * the heuristic RTCP dissector (decode-as cannot name the hundreds of ports the calls use), and
 * one line printed per RTCP packet. Timed from the outside; packets/s counts every record of the
 * capture, since tshark reads and dissects them all.
 */
import { spawn, spawnSync } from 'node:child_process';

export interface TsharkResult {
  version: string;
  command: string;
  seconds: number;
  rtcpLines: number;
  packetsPerSec: number;
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

export function tsharkRtcp(tshark: string, version: string, capture: string, records: number): Promise<TsharkResult> {
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
