import { describe, expect, it } from 'vitest';
import { parseGenerateArgs, UsageError } from '../../samples/generator/cli-options.js';

describe('generate.js options', () => {
  it('defaults to 100 calls over 30 s', () => {
    const o = parseGenerateArgs([]);
    expect([o.calls, o.durationSec, o.videoBytes, o.small, o.truth]).toEqual([100, 30, 600, false, null]);
  });

  it('reads every flag', () => {
    const o = parseGenerateArgs(['--calls', '5', '--duration', '2.5', '--seed', '0', '--out', 'x.pcap', '--truth', 'x.json', '--video-bytes', '900', '--snaplen', '128', '--small']);
    expect(o).toEqual({ calls: 5, durationSec: 2.5, seed: 0, out: 'x.pcap', truth: 'x.json', videoBytes: 900, snapLen: 128, small: true });
  });

  it.each([
    [['--calls'], '--calls needs a value'],
    [['--calls', '0'], '--calls 0'],
    [['--calls', '2.5'], '--calls 2.5'],
    [['--duration', 'x'], '--duration x'],
    [['--seed', '-1'], '--seed -1'],
    [['--snaplen', '20'], '--snaplen 20'],
    [['--frobnicate', '1'], 'unknown option --frobnicate'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseGenerateArgs(argv)).toThrow(UsageError);
    expect(() => parseGenerateArgs(argv)).toThrow(message);
  });
});
