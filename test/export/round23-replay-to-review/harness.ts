import path from 'node:path';
import { expect } from 'vitest';
import { cli, kill, offline, startLive, stopAndRead, untilReceived, type LiveChild } from '../../live/live-vs-replay-review/lvr-helpers.js';

export async function liveOf(dir: string, cap: string, name: string, policy: string, mode: 'hep' | 'ip-packet') {
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, `live-${name}-${mode}`);
    const s = await startLive(out, [...(mode === 'hep' ? ['--hep', '127.0.0.1:0'] : ['--udp', '127.0.0.1:0', '--udp-mode', 'ip-packet']), '--policy', policy, '--explain']);
    live = s.live;
    const target = mode === 'hep' ? `hep://127.0.0.1:${s.addresses.hep!.udp.port}` : `udp://127.0.0.1:${s.addresses.udp!.port}`;
    const r = await cli(['replay', cap, '--to', target, '--speed', '0', ...(mode === 'hep' ? [] : ['--udp-mode', 'ip-packet'])]);
    const res = JSON.parse(r.stdout) as { sent: number; skipped: number };
    await untilReceived(s.addresses.metrics!.port, mode === 'hep' ? 'hep' : 'udp', res.sent);
    const got = await stopAndRead(live, out, true);
    expect(got.code).toBe(0);
    return { ...got, stderr: r.stderr, sent: res.sent, skipped: res.skipped };
  } finally {
    kill(live);
  }
}
export const offlineOf = (dir: string, cap: string, name: string, policy: string) => offline(cap, path.join(dir, `off-${name}`), ['--policy', policy, '--explain']);
export const noTs = (rs: Record<string, unknown>[]) => rs.map(({ ts: _ts, ...r }) => r);
