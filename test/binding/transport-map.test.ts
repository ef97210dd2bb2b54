import { describe, expect, it } from 'vitest';
import type { DialogScope } from '../../src/binding/types.js';
import { ipv4ToNumber, TransportMap } from '../../src/binding/transport-map.js';

/** A scope with one m-section per address; only what TransportMap reads is filled in. */
function scope(key: string, addrs: { address: string; port: number }[], ssrcs: number[][] = [], callId = `call-of-${key}`): DialogScope {
  const sections = addrs.map((a, index) => ({ index, rtp: [a], rtcp: [], ssrcs: ssrcs[index] ?? [] }));
  return { key, dialog: { callId, fromTag: 'f', toTag: key }, sections, pending: null } as unknown as DialogScope;
}

describe('TransportMap IPv4 lookups', () => {
  it('agree with a plain map through a long run of dialogs set, replaced and removed', () => {
    const map = new TransportMap();
    const reference = new Map<string, string>();
    const owned = new Map<string, string[]>();
    const addresses = ['10.0.0.1', '192.168.1.20', '255.255.255.255', '0.0.0.1', '172.16.5.4', '203.0.113.9'];
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed >>> 8) % n;
    };
    const forget = (d: string) => {
      for (const k of owned.get(d) ?? []) if (reference.get(k) === d) reference.delete(k);
      owned.delete(d);
    };
    for (let step = 0; step < 4000; step++) {
      const d = `d${random(200)}`;
      map.remove(d);
      forget(d);
      if (random(4) === 0) continue;
      const addrs = Array.from({ length: 1 + random(3) }, () => ({ address: addresses[random(addresses.length)]!, port: 1 + random(500) }));
      map.set(scope(d, addrs));
      const keys = addrs.map((a) => `${a.address}:${a.port}`);
      for (const k of keys) reference.set(k, d);
      owned.set(d, keys);
      if (step % 250 === 0 || step === 3999) {
        for (const a of addresses) {
          for (let port = 0; port <= 501; port++) {
            expect(map.lookupV4(ipv4ToNumber(a), port)?.dialogKey).toBe(reference.get(`${a}:${port}`));
          }
        }
      }
    }
    expect(map.size).toBe(reference.size);
  });
});

describe('TransportMap SSRC routes (a=ssrc, SPEC §2: for packets from addresses no SDP names)', () => {
  const at = (port: number) => ({ address: '10.0.0.1', port });
  it('route an SSRC one live dialog declares to its m-sections; one two dialogs declare, nowhere', () => {
    const map = new TransportMap();
    map.set(scope('d1', [at(4000), at(4002)], [[11], [12, 11]]));
    expect(map.lookupSsrc(11)).toMatchObject({ dialogKey: 'd1', sections: [0, 1] });
    expect(map.lookupSsrc(12)).toMatchObject({ dialogKey: 'd1', sections: [1] });
    expect(map.lookupSsrc(13)).toBeUndefined();
    map.set(scope('d2', [at(5000)], [[11]]));
    expect(map.lookupSsrc(11)).toBeUndefined();
    map.remove('d1');
    expect(map.lookupSsrc(11)).toMatchObject({ dialogKey: 'd2', sections: [0] });
    expect(map.lookupSsrc(12)).toBeUndefined();
    // a new scope of the dialog replaces what it declared
    map.set(scope('d2', [at(5000)], [[14]]));
    expect(map.lookupSsrc(11)).toBeUndefined();
    expect(map.lookupSsrc(14)).toMatchObject({ dialogKey: 'd2' });
  });

  it("within one call (a forked INVITE's early dialogs share its offer's a=ssrc), the dialog whose scope came last takes the SSRC", () => {
    const map = new TransportMap();
    map.set(scope('fork-1', [at(4000)], [[11]], 'call-x'));
    map.set(scope('fork-2', [at(4000)], [[11]], 'call-x'));
    expect(map.lookupSsrc(11)).toMatchObject({ dialogKey: 'fork-2' });
    // the 2xx confirms fork 1: its scope comes again, and last
    map.set(scope('fork-1', [at(4000)], [[11]], 'call-x'));
    expect(map.lookupSsrc(11)).toMatchObject({ dialogKey: 'fork-1' });
    // another call declaring it makes it nobody's
    map.set(scope('other', [at(6000)], [[11]], 'call-y'));
    expect(map.lookupSsrc(11)).toBeUndefined();
  });
});
