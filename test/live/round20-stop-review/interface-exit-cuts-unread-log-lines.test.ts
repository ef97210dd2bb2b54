/**
 * Found by a review of live's stop (round 20), fixed since: live --interface leaves once stderr is written out, at most 30 s (src/cli/live.ts runLive leaveOnceLogged).
 *
 * Input: `live --interface lo --filter "udp and dst port P" --udp 127.0.0.1:0 --workers 0`
 *   (root, native pcap) with stderr a pipe its reader stops reading for a while (journald
 *   behind, a log shipper restarting); 400 peers each send 3 junk datagrams to the UDP mirror
 *   (1200 `malformed-datagram` lines, ~300 KB: more than the pipe holds), then SIGTERM; the
 *   reader reads again a few seconds later (as checked-fine.test.ts's test without --interface does: a
 *   process that waits for its reader cannot end while nobody reads).
 * Was (observed): exit 0, but the `drain` and `stop` lines (and the malformed-datagram lines
 *   behind the first ~64 KB) are never written: for --interface, runLive leaves by
 *   `setTimeout(() => process.exit(), 300)` once `done` resolves, and process.exit() drops
 *   what Node still queues for a pipe or socket stderr (writes there are asynchronous on Linux).
 *   Without --interface nothing is lost (the process ends once its writes are done: checked-fine.test.ts).
 * Correct: the stop line is the run's record (counters, summary, malformedNotLogged: SPEC §7/§8
 *   logs, README's stop line); a service must not drop its own last lines because the log
 *   reader was slow — every line written before the exit reaches the reader.
 * Fix: src/cli/live.ts runLive — before the --interface process.exit(), wait for stderr to
 *   drain (e.g. `process.stderr.write('', () => process.exit())`, or exit only once
 *   `process.stderr.writableLength === 0`), or rather release node_pcap's handle so that the
 *   process ends on its own.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, REPO } from '../live-helpers.js';
import { BIN, canCapture, exitWithin, freeUdpPort } from './helpers.js';

const available = await canCapture();
let dir = '';
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'r20-iface-log-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it.skipIf(!available)('live --interface: the stop line reaches a stderr reader that was behind', async () => {
  const port = await freeUdpPort();
  const child = spawn(process.execPath, [BIN, 'live', '--interface', 'lo', '--filter', `udp and dst port ${port}`, '--udp', '127.0.0.1:0', '--out', path.join(dir, 'out'), '--workers', '0', '--batch-ms', '0'], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    let text = '';
    child.stderr!.setEncoding('utf8');
    const onData = (c: string) => {
      text += c;
    };
    child.stderr!.on('data', onData);
    // the start line, read; then the reader stops reading
    const until = Date.now() + 30_000;
    while (!text.includes('"event":"start"')) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`no start line: ${text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const start = JSON.parse(text.split('\n').find((l) => l.includes('"event":"start"'))!) as { addresses: { udp: { port: number } } };
    child.stderr!.off('data', onData);
    child.stderr!.pause();

    // 400 peers × 3 junk datagrams: each logged with its reason (the first 3 per peer)
    const junk = Buffer.from('x'.repeat(40));
    // all open at once: 400 distinct source ports (a port closed and bound again would be one peer)
    const peers = [];
    for (let p = 0; p < 400; p++) {
      const s = createSocket('udp4');
      await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
      peers.push(s);
    }
    for (const s of peers) for (let i = 0; i < 3; i++) await new Promise((r) => s.send(junk, start.addresses.udp.port, '127.0.0.1', r));
    for (const s of peers) s.close();
    // let the child take them (its log writes queue behind the full pipe)
    await new Promise((r) => setTimeout(r, 2000));
    child.kill('SIGTERM');
    // it cannot end before its lines are read: give it time to show that it waits, then read
    const early = await exitWithin(child, 3000);

    // the reader reads again: everything the process wrote
    child.stderr!.on('data', onData);
    child.stderr!.resume();
    const ended = early === 'still running' ? await exitWithin(child, 60_000) : early;
    await new Promise<void>((resolve) => (child.stderr!.readableEnded ? resolve() : child.stderr!.once('end', () => resolve())));
    expect(ended).toEqual({ code: 0, signal: null });
    const events = text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { event: string }).event);
    expect({ drain: events.includes('drain'), stop: events.includes('stop'), malformedLines: events.filter((e) => e === 'malformed-datagram').length }).toEqual({ drain: true, stop: true, malformedLines: 1200 });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}, 180_000);
