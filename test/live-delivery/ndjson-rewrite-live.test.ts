/**
 * `live --out`: lines of two retentions in one exports file (SPEC §4: "The enforcer itself keeps
 * nothing past retention"; README, Exporters: a file whose lines expire at different times is
 * rewritten without those that have). Two senders over a plain UDP mirror: one tags itself in
 * SDES PRIV with `apt-s` (raw, retention 2 s: tags never relax, so its SRs keep 2 s), the other
 * is exported under the default `apt-d` (raw, 1 h). No rotation option: the file stays open, and
 * the relay goes quiet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBuilt, LiveChild } from '../live/live-helpers.js';
import { sdesBytes } from '../e2e/aggregate-stats-review/harness.js';
import { srBytes } from './live-fixtures.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let policy: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-ndjson-rewrite-'));
  policy = path.join(dir, 'policy.json');
  await writeFile(policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention: '1h' }, 'apt-s': { type: 'user', export: 'raw', retention: '2s' } }, default: 'apt-d' }));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** An SR (no report blocks) from `ssrc`, with an SDES chunk tagging it `apt` when given. */
function compound(ssrc: number, i: number, apt?: string): Buffer {
  const sr = srBytes(ssrc, i);
  return apt === undefined ? sr : Buffer.concat([sr, sdesBytes(ssrc, `s${ssrc}@example.org`, { prefix: 'aipref', value: apt })]);
}

async function exportLines(out: string): Promise<{ ssrc: number; expiresAt: number }[]> {
  const lines: { ssrc: number; expiresAt: number }[] = [];
  for (const name of (await readdir(out)).filter((n) => n.startsWith('exports.') && n.endsWith('.ndjson'))) {
    for (const t of (await readFile(path.join(out, name), 'utf8')).split('\n')) {
      if (t === '') continue;
      const l = JSON.parse(t) as { stream: { ssrc: number }; expiresAt: number };
      lines.push({ ssrc: l.stream.ssrc, expiresAt: l.expiresAt });
    }
  }
  return lines;
}

describe('live --out: an exports file with lines of two retentions', () => {
  it('the 2 s lines are gone from the open file soon after they expire; the 1 h ones stay, and the rewrite is logged', async () => {
    const out = path.join(dir, 'out');
    const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', policy, '--out', out, '--workers', '0', '--batch-ms', '5']);
    try {
      const s = createSocket('udp4');
      for (let i = 0; i < 3; i++) {
        for (const b of [compound(0x0a0a0a0a, i, 'apt-s'), compound(0x0b0b0b0b, i)]) await new Promise((r) => s.send(b, addresses.udp!.port, '127.0.0.1', r));
      }
      s.close();
      for (let i = 0; i < 100 && (await exportLines(out)).length < 9; i++) await wait(50);
      const written = await exportLines(out);
      // the tagged sender's SR and SDES items (three of each), the other's SRs
      expect(written.length).toBe(9);
      const short = written.filter((l) => l.ssrc === 0x0a0a0a0a);
      expect(short.length).toBe(6);
      // 2 s retention: expiresAt 2 s after its capture time; the 1 h ones an hour after
      expect(written.filter((l) => l.ssrc === 0x0b0b0b0b).every((l) => l.expiresAt - Date.now() / 1000 > 3000)).toBe(true);
      // the last 2 s line's expiry, then what the lines' spread of capture times (milliseconds here) allows, and a timer's slack
      const due = Math.max(...short.map((l) => l.expiresAt));
      await wait(Math.max(0, (due - Date.now() / 1000) * 1000) + 600);
      const left = await exportLines(out);
      expect(left.map((l) => l.ssrc)).toEqual([0x0b0b0b0b, 0x0b0b0b0b, 0x0b0b0b0b]);
      const logged = await live.waitFor((l) => l.event === 'file-rewritten', 2000);
      expect(logged).toMatchObject({ event: 'file-rewritten', reason: '6 lines past their expiresAt (retention) taken out' });
      expect(String(logged.path)).toMatch(/exports\.000001\.ndjson$/);
    } finally {
      expect(await live.terminate()).toBe(0);
    }
  }, 30_000);
});
