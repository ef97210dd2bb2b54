import { describe, expect, it } from 'vitest';
import { FlowCache } from '../../src/binding/flow-cache.js';
import type { StreamState } from '../../src/binding/stream-table.js';
import type { TransportEntry } from '../../src/binding/transport-map.js';

const stream = (ssrc: number) => ({ ssrc }) as unknown as StreamState;
const entry = { dialogKey: 'd', sections: [0] } as unknown as TransportEntry;

describe('FlowCache', () => {
  it('finds what was stored for the same five fields, and nothing for any other', () => {
    const c = new FlowCache(64);
    const s = stream(7);
    expect(c.find(0x0a000001, 0x0a000002, 4000, 5000, 7)).toBeNull();
    c.store(0x0a000001, 0x0a000002, 4000, 5000, 7, s, entry);
    expect(c.find(0x0a000001, 0x0a000002, 4000, 5000, 7)).toBe(s);
    expect(c.entry()).toBe(entry);
    expect(c.find(0x0a000002, 0x0a000001, 4000, 5000, 7)).toBeNull();
    expect(c.find(0x0a000001, 0x0a000002, 5000, 4000, 7)).toBeNull();
    expect(c.find(0x0a000001, 0x0a000002, 4000, 5000, 8)).toBeNull();
    // high-bit addresses and SSRCs compare as unsigned
    const t = stream(0xfffffffe);
    c.find(0xc0a80001, 0xfe000001, 65535, 1, 0xfffffffe);
    c.store(0xc0a80001, 0xfe000001, 65535, 1, 0xfffffffe, t, null);
    expect(c.find(0xc0a80001, 0xfe000001, 65535, 1, 0xfffffffe)).toBe(t);
    expect(c.entry()).toBeNull();
  });

  it('forgets everything on invalidate', () => {
    const c = new FlowCache(64);
    c.find(1, 2, 3, 4, 5);
    c.store(1, 2, 3, 4, 5, stream(5), null);
    c.invalidate();
    expect(c.find(1, 2, 3, 4, 5)).toBeNull();
  });

  it('is a cache: with more flows than slots, every answer it gives is still the right one', () => {
    const c = new FlowCache(16);
    const streams = new Map<number, StreamState>();
    let hits = 0;
    for (let round = 0; round < 3; round++) {
      // each flow twice in a row (the second always hits), then the others push it out
      for (let k = 2; k <= 401; k++) {
        const ssrc = k >> 1;
        const found = c.find(0x0a000001, 0x0a000002 + (ssrc % 3), 4000, 5000, ssrc);
        if (found) {
          hits++;
          expect(found).toBe(streams.get(ssrc));
        } else {
          const s = streams.get(ssrc) ?? stream(ssrc);
          streams.set(ssrc, s);
          c.store(0x0a000001, 0x0a000002 + (ssrc % 3), 4000, 5000, ssrc, s, null);
        }
      }
    }
    expect(hits).toBeGreaterThanOrEqual(600);
  });

  it('forget drops the flows on the given transports or sessions and keeps the others', () => {
    const c = new FlowCache(64);
    const inSession = (ssrc: number, key: string) => ({ ssrc, session: { key } }) as unknown as StreamState;
    const a = inSession(1, 'dialog-a');
    const b = inSession(2, 'dialog-b');
    const x = inSession(3, 'dialog-x');
    c.find(10, 20, 1000, 2000, 1);
    c.store(10, 20, 1000, 2000, 1, a, null);
    c.find(30, 40, 3000, 4000, 2);
    c.store(30, 40, 3000, 4000, 2, b, null);
    c.find(50, 60, 5000, 6000, 3);
    c.store(50, 60, 5000, 6000, 3, x, null);
    // b's destination transport changed; a's session went
    c.forget(new Set([40 * 65536 + 4000]), ['dialog-a']);
    expect(c.find(10, 20, 1000, 2000, 1)).toBeNull();
    expect(c.find(30, 40, 3000, 4000, 2)).toBeNull();
    expect(c.find(50, 60, 5000, 6000, 3)).toBe(x);
    // a source transport counts too
    c.forget(new Set([50 * 65536 + 5000]), []);
    expect(c.find(50, 60, 5000, 6000, 3)).toBeNull();
  });
});
