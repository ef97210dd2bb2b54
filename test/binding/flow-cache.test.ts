import { describe, expect, it } from 'vitest';
import { FlowCache } from '../../src/binding/flow-cache.js';
import type { StreamState } from '../../src/binding/stream-table.js';
import type { TransportEntry } from '../../src/binding/transport-map.js';

const stream = (ssrc: number) => ({ ssrc, session: { key: 'd' } }) as unknown as StreamState;
const entry: TransportEntry = { dialogKey: 'd', sections: [0], tag: -1, claims: null, activity: { lastMedia: Number.NEGATIVE_INFINITY, lastMediaSource: 0 } };

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
    const c = new FlowCache(16, 16); // not allowed to grow
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

  it('forget compares addresses above 2^31 (192.168/16, 10/8 as unsigned) and ports exactly, whatever the number of transports', () => {
    const c = new FlowCache(256);
    const inSession = (ssrc: number) => ({ ssrc, session: { key: `s${ssrc}` } }) as unknown as StreamState;
    const lan = 0xc0a80001; // 192.168.0.1
    const ten = 0x0a000002; // 10.0.0.2
    const flows = Array.from({ length: 40 }, (_, k) => ({ src: lan + k, dst: ten, sport: 40000 + 2 * k, dport: 50000, ssrc: 100 + k }));
    for (const f of flows) {
      expect(c.find(f.src, f.dst, f.sport, f.dport, f.ssrc)).toBeNull();
      c.store(f.src, f.dst, f.sport, f.dport, f.ssrc, inSession(f.ssrc), null);
    }
    // 20 transports (more than the first scratch holds), some given twice, one on a port next to a flow's
    const gone = new Set([3, 7, 11, 19, 23, 29, 31, 37]);
    const keys = [...gone].flatMap((k) => [(lan + k) * 65536 + 40000 + 2 * k, (lan + k) * 65536 + 40000 + 2 * k]);
    keys.push((lan + 5) * 65536 + 40000 + 2 * 5 + 1, ten * 65536 + 50001, 0xffffffff * 65536 + 65535, 0);
    c.forget(keys, []);
    for (const [k, f] of flows.entries()) {
      const found = c.find(f.src, f.dst, f.sport, f.dport, f.ssrc);
      if (gone.has(k)) expect(found, `flow ${k}`).toBeNull();
      else expect(found?.ssrc, `flow ${k}`).toBe(f.ssrc);
    }
    // the shared destination names every flow left
    c.forget([ten * 65536 + 50000], []);
    for (const f of flows) expect(c.find(f.src, f.dst, f.sport, f.dport, f.ssrc)).toBeNull();
  });

  it('grows while its live flows fill half of it, so that thousands of flows keep hitting', () => {
    const c = new FlowCache(64);
    const flows = Array.from({ length: 5000 }, (_, k) => ({ src: 0x0a000000 + k, dst: 0x0a100000 + (k % 7), sport: 10000 + 2 * k, dport: 20000, ssrc: 0x80000000 + k, stream: stream(k) }));
    for (let round = 0; round < 3; round++) {
      let hits = 0;
      for (const f of flows) {
        const found = c.find(f.src, f.dst, f.sport, f.dport, f.ssrc);
        if (found) {
          expect(found).toBe(f.stream);
          hits++;
        } else c.store(f.src, f.dst, f.sport, f.dport, f.ssrc, f.stream, null);
      }
      // the first round fills it (doubling on the way, its flows kept); from the second nearly all hit
      if (round > 0) expect(hits).toBeGreaterThan(4500);
    }
  });

  it('forget drops every flow the event names, like a scan of all of them would, through adopted sessions and refilled slots', () => {
    // a small cache that may not grow: slots are refilled often, so its index holds stale entries
    let seed = 12345;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (const [size, maxSize] of [
      [16, 16],
      [32, 1 << 12],
    ] as const) {
      const c = new FlowCache(size, maxSize);
      const sessions = Array.from({ length: 6 }, (_, k) => ({ key: `dialog-${k}` }));
      const addresses = [0x0a000001, 0x0a000002, 0xc0a80001, 0xc0a80002, 0xfffffffe];
      const ports = [4000, 4001, 5000, 65535];
      const flows = Array.from({ length: 60 }, (_, k) => ({
        src: addresses[random(addresses.length)]!,
        dst: addresses[random(addresses.length)]!,
        sport: ports[random(ports.length)]!,
        dport: ports[random(ports.length)]!,
        ssrc: k,
        stream: { ssrc: k, session: sessions[random(sessions.length)]! } as unknown as StreamState,
      }));
      for (let step = 0; step < 3000; step++) {
        const f = flows[random(flows.length)]!;
        const found = c.find(f.src, f.dst, f.sport, f.dport, f.ssrc);
        if (found) expect(found).toBe(f.stream);
        else c.store(f.src, f.dst, f.sport, f.dport, f.ssrc, f.stream, null);
        if (step % 25 !== 0) continue;
        // an event: some transports and sessions; sometimes a stream moves from one named session to another
        const transports = Array.from({ length: random(3) }, () => addresses[random(addresses.length)]! * 65536 + ports[random(ports.length)]!);
        const named = Array.from({ length: random(3) }, () => sessions[random(sessions.length)]!.key);
        if (named.length === 2 && random(2) === 0) {
          const moving = flows.find((x) => x.stream.session.key === named[0]);
          if (moving) (moving.stream as unknown as { session: { key: string } }).session = sessions.find((x) => x.key === named[1])!;
        }
        c.forget(transports, named);
        for (const x of flows) {
          const gone = named.includes(x.stream.session.key) || transports.includes(x.src * 65536 + x.sport) || transports.includes(x.dst * 65536 + x.dport);
          if (gone) expect(c.find(x.src, x.dst, x.sport, x.dport, x.ssrc), `flow ${x.ssrc} after step ${step}`).toBeNull();
        }
      }
    }
  });
});
