/** Real `live` children fed by `replay --to`, compared with an offline `replay` (round-24 review scratch). */
import path from 'node:path';
import { expect } from 'vitest';
import { cli, kill, offline, startLive, stopAndRead, untilReceived, type LiveChild } from '../../live/live-vs-replay-review/lvr-helpers.js';
import { detailOf } from '../round23-replay-to-review/common.js';

export { setup, detailOf } from '../round23-replay-to-review/common.js';

/** `replay <cap> --to …` into a live child (`hep` or `ip-packet`), at `speed` (default 0). */
export async function liveOf(dir: string, cap: string, name: string, policy: string, mode: 'hep' | 'ip-packet', speed = 0) {
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, `live-${name}-${mode}`);
    const s = await startLive(out, [...(mode === 'hep' ? ['--hep', '127.0.0.1:0'] : ['--udp', '127.0.0.1:0', '--udp-mode', 'ip-packet']), '--policy', policy, '--explain']);
    live = s.live;
    const target = mode === 'hep' ? `hep://127.0.0.1:${s.addresses.hep!.udp.port}` : `udp://127.0.0.1:${s.addresses.udp!.port}`;
    const r = await cli(['replay', cap, '--to', target, '--speed', String(speed), ...(mode === 'hep' ? [] : ['--udp-mode', 'ip-packet'])]);
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

/** a report as "type detail" without its frame (live numbers the datagrams it received) */
export const lines = (rs: Record<string, unknown>[]) => rs.map((r) => `${String(r.type)} ${detailOf(r)}`);

/** what live read against what offline read: summary (packets aside: live counts datagrams) and reports */
export const reading = (r: { summary: Record<string, unknown>; reports: Record<string, unknown>[] }) => ({ summary: { ...r.summary, packets: 0 }, reports: lines(r.reports) });
