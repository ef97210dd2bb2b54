/**
 * The SRTCP keys kept for an ended dialog's senders (src/pipeline/ended-srtcp-keys.ts): tried
 * for ENDED_KEYS_SEC of capture time after the end, by the sender's address, the oldest
 * addresses let go past the count bound, and a lookup never changes what is held (every shard
 * holds the same, whichever packets it was given).
 */
import { expect, it } from 'vitest';
import { ENDED_KEYS_SEC, EndedSrtcpKeys, MAX_ENDINGS_PER_ADDRESS } from '../../src/pipeline/ended-srtcp-keys.js';
import type { SessionKeys } from '../../src/media/srtcp.js';

const keys = (n: number) => [{ n } as unknown as SessionKeys];

it('keys are tried for the grace period after the end, not after', () => {
  const kept = new EndedSrtcpKeys();
  kept.keep(0x0a000001 * 65536 + 4001, keys(1), 100, true);
  expect(kept.of(0x0a000001 * 65536 + 4001, 100)).toEqual(keys(1));
  expect(kept.of(0x0a000001 * 65536 + 4001, 100 + ENDED_KEYS_SEC)).toEqual(keys(1));
  expect(kept.of(0x0a000001 * 65536 + 4001, 100 + ENDED_KEYS_SEC + 0.001)).toBeUndefined();
  // a lookup past the period lets nothing go: a step back in capture time finds them again
  expect(kept.of(0x0a000001 * 65536 + 4001, 110)).toEqual(keys(1));
  expect(kept.of(0x0a000001 * 65536 + 4003, 110)).toBeUndefined();
  expect(kept.of('[2001:db8::1]:4001', 110)).toBeUndefined();
});

it('an address kept again adds the later keys, each for its own period; past 4096 addresses the oldest go', () => {
  const kept = new EndedSrtcpKeys();
  kept.keep('[2001:db8::1]:4001', keys(1), 0, true);
  kept.keep('[2001:db8::1]:4001', keys(2), 50, true);
  expect(kept.of('[2001:db8::1]:4001', 70)).toEqual(keys(2));
  for (let i = 0; i < 4096; i++) kept.keep(i, keys(i), 60, true);
  expect(kept.size).toBe(4096);
  expect(kept.of('[2001:db8::1]:4001', 70)).toBeUndefined();
  expect(kept.of(0, 70)).toEqual(keys(0));
});

it('two dialogs ending on one address keep both senders\' keys, the later first; MAX_ENDINGS_PER_ADDRESS endings at most; profileOnly', () => {
  const kept = new EndedSrtcpKeys();
  const a = 0x0a000002 * 65536 + 5001;
  kept.keep(a, keys(1), 10, true); // the confirmed fork
  kept.keep(a, keys(2), 10, false); // the losing fork's early state, ending after it
  expect(kept.of(a, 20)).toEqual([...keys(2), ...keys(1)]);
  expect(kept.of(a, 20, true)).toEqual(keys(1));
  // the same key object from two endings is tried once
  const shared = keys(3);
  kept.keep(a, shared, 15, true);
  kept.keep(a, shared, 16, true);
  expect(kept.of(a, 20)).toEqual([...shared, ...keys(2), ...keys(1)]);
  // each ending keeps its own period
  expect(kept.of(a, 45)).toEqual(shared);
  // a ring-all group: the answered call's keys, then 31 losing forks' — all kept; one more pushes the first out
  const b = 0x0a000003 * 65536 + 5001;
  kept.keep(b, keys(100), 30, true);
  for (let i = 1; i < MAX_ENDINGS_PER_ADDRESS; i++) kept.keep(b, keys(100 + i), 30, true);
  expect(kept.of(b, 31)).toHaveLength(MAX_ENDINGS_PER_ADDRESS);
  expect(kept.of(b, 31)).toContainEqual(keys(100)[0]);
  kept.keep(b, keys(999), 30, true);
  expect(kept.of(b, 31)).toHaveLength(MAX_ENDINGS_PER_ADDRESS);
  expect(kept.of(b, 31)).not.toContainEqual(keys(100)[0]);
  expect(kept.of(b, 31)![0]).toEqual(keys(999)[0]);
});
