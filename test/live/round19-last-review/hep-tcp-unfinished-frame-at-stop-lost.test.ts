/**
 * Found by a review of the round's last fixes, fixed since: HepListener.close waits for each connection's close, which tells its unfinished frame (src/sources/hep-listener.ts close).
 */
/**
 * Input: `live --hep 127.0.0.1:0 --out dir` in-process (startLive); a HEP TCP client sends the
 *   first 9 bytes of a 64-byte HEPv3 frame and stays connected; the service is stopped
 *   (SIGTERM's path, service.stop()).
 * Was (observed): the stop destroys the connection, but HepListener.close() resolves before the
 *   socket's 'close' event, whose handler reports "connection closed with 9 bytes of an
 *   unfinished frame" only after stop() has closed the malformed-datagram log AND checked
 *   malformedReports for the last time: (1) no `malformed-datagram` line at all for that peer
 *   (note() after close only counts: stop line malformedDatagrams 1, malformedNotLogged 1, no
 *   line with a `suppressed` — lines told nothing; before e6787c6 the line was written), and
 *   (2) no `malformed-input` report in reports.ndjson (no reports file at all), while the stop
 *   line's summary says reports {"malformed-input": 1} and malformed 1.
 * Correct: every malformed datagram is reported as `malformed-input` (README: "counted, logged
 *   ... and reported as malformed-input ..., every one, and in the stop line's summary"), so
 *   the summary matches the file; a peer's first malformed one is logged with its reason, and
 *   the stop line's malformedNotLogged equals the `suppressed` the lines told.
 * Fix: src/sources/hep-listener.ts HepListener.close(): after destroying each connection, wait
 *   for its 'close' event (its unfinished-frame report) before resolving — then live.ts stop()'s
 *   order (closers, malformedLog.close(), engine, last malformedReports delivery) holds.
 */
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startLive } from '../../../src/cli/live.js';
import { liveOptionsFromArgs, type LogEvent } from '../../../src/cli/live-options.js';
import { readLines } from '../live-helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('an unfinished HEP frame on a TCP connection ended by the stop is reported and logged, as the stop line says', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'r19-hep-tcp-stop-'));
  dirs.push(dir);
  const logs: LogEvent[] = [];
  const opts = await liveOptionsFromArgs(['--hep', '127.0.0.1:0', '--out', path.join(dir, 'out'), '--workers', '0', '--batch-ms', '5', '--quiet']);
  const service = await startLive({ ...opts, log: (e) => logs.push(e) }, { malformedLogIntervalMs: 60_000 });
  const client = connect(service.addresses.hep!.tcp.port, '127.0.0.1');
  client.on('error', () => undefined);
  await new Promise((r) => client.once('connect', r));
  // "HEP3", length 64, then 3 bytes: a frame begun and never finished
  client.write(Buffer.from([0x48, 0x45, 0x50, 0x33, 0x00, 0x40, 1, 2, 3]));
  await sleep(200);
  const peer = `tcp:127.0.0.1:${client.localPort}`;
  await service.stop();
  client.destroy();

  const stop = logs.find((l) => l.event === 'stop')!;
  expect(stop.malformedDatagrams).toBe(1);
  // the malformed-input report is written (counted every one)
  const reports = await readLines(path.join(dir, 'out'), 'reports');
  expect(reports.filter((r) => r.type === 'malformed-input').length).toBe(1);
  // ... and logged: the peer's first one, with its reason
  const lines = logs.filter((l) => l.event === 'malformed-datagram');
  expect(lines, `stop line: ${JSON.stringify({ malformedDatagrams: stop.malformedDatagrams, malformedNotLogged: stop.malformedNotLogged })}`).toEqual([
    expect.objectContaining({ source: 'hep', peer, reason: expect.stringContaining('unfinished frame') }),
  ]);
  // nothing counted that no line tells
  const told = lines.reduce((sum, l) => sum + ((l.suppressed as number | undefined) ?? 0), 0);
  expect(stop.malformedNotLogged).toBe(told);
}, 30_000);
