/**
 * What the live-delivery tests share: a temp folder with a policy whose default APT exports raw
 * with a short retention (made before the file's tests, removed after), and RTCP SRs sent to a
 * live enforcer's plain UDP mirror.
 */
import { afterAll, beforeAll } from 'vitest';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBuilt } from '../live/live-helpers.js';

/** The folder and its policy.json (default `apt-d`, domain, raw, `retention`), for this file's tests. */
export function liveDeliveryFolder(prefix: string, retention: string): { readonly dir: string; readonly policy: string } {
  const made = { dir: '', policy: '' };
  beforeAll(async () => {
    await ensureBuilt();
    made.dir = await mkdtemp(path.join(tmpdir(), prefix));
    made.policy = path.join(made.dir, 'policy.json');
    await writeFile(made.policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention } }, default: 'apt-d' }));
  });
  afterAll(async () => {
    if (made.dir) await rm(made.dir, { recursive: true, force: true });
  });
  return made;
}

/** The `i`-th SR (no report blocks) of `ssrc`: NTP seconds, RTP time, packet and octet counts moving on with `i`. */
export function srBytes(ssrc: number, i: number): Buffer {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(ssrc, 4);
  b.writeUInt32BE(0x83aa7e80 + i, 8);
  b.writeUInt32BE(1000 * i, 16);
  b.writeUInt32BE(10 * i, 20);
  b.writeUInt32BE(1000 * i, 24);
  return b;
}

/** `n` SRs (no report blocks) over UDP to 127.0.0.1:`port`, the i-th from `ssrc(i)` (default: one sender). */
export async function sendSrs(port: number, n: number, ssrc: number | ((i: number) => number) = 0x11223344): Promise<void> {
  const s = createSocket('udp4');
  for (let i = 0; i < n; i++) {
    const b = srBytes(typeof ssrc === 'number' ? ssrc : ssrc(i), i);
    await new Promise((r) => s.send(b, port, '127.0.0.1', r));
  }
  s.close();
}
