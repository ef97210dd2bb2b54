import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Progress } from '../../src/cli/progress.js';

/** A stderr stand-in that keeps what is written. */
function sink(isTTY: boolean) {
  const written: string[] = [];
  const stream = { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('progress on stderr', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('a file of known size: packets, MB/s, the share read and an ETA; a bar on a terminal', () => {
    const log = sink(false);
    const progress = new Progress('replay c.pcap', 100e6, false, log.stream);
    progress.update(10, 1e6); // within the first second: nothing
    vi.setSystemTime(Date.now() + 2000);
    progress.update(50_000, 25e6);
    expect(log.written).toEqual(['replay c.pcap: 50,000 packets, 12.5 MB/s, 25%, ETA 6 s\n']);

    const tty = sink(true);
    const bar = new Progress('replay c.pcap', 100e6, false, tty.stream);
    vi.setSystemTime(Date.now() + 2000);
    bar.update(50_000, 50e6);
    bar.done();
    expect(tty.written).toEqual(['\r[############............] replay c.pcap: 50,000 packets, 25.0 MB/s, 50%, ETA 2 s\x1b[K', '\n']);
  });

  it('a pipe (size unknown): packets and MB/s only, no share, ETA or bar', () => {
    const log = sink(false);
    const progress = new Progress('replay /dev/stdin', 0, false, log.stream);
    vi.setSystemTime(Date.now() + 4000);
    progress.update(80_000, 40e6);
    expect(log.written).toEqual(['replay /dev/stdin: 80,000 packets, 10.0 MB/s\n']);
    const tty = sink(true);
    const live = new Progress('replay /dev/stdin', 0, false, tty.stream);
    vi.setSystemTime(Date.now() + 4000);
    live.update(80_000, 40e6);
    expect(tty.written).toEqual(['\rreplay /dev/stdin: 80,000 packets, 10.0 MB/s\x1b[K']);
  });

  it('--quiet writes nothing', () => {
    const log = sink(true);
    const progress = new Progress('replay c.pcap', 100e6, true, log.stream);
    vi.setSystemTime(Date.now() + 5000);
    progress.update(1, 1);
    progress.done();
    expect(log.written).toEqual([]);
  });
});
