import { describe, expect, it } from 'vitest';
import type { DialogScope } from '../../src/binding/types.js';
import { ipv4ToNumber, TransportMap } from '../../src/binding/transport-map.js';

/** A scope with one m-section per address; only what TransportMap reads is filled in. */
function scope(key: string, addrs: { address: string; port: number }[], ssrcs: number[][] = [], callId = `call-of-${key}`): DialogScope {
  const sections = addrs.map((a, index) => ({ index, rtp: [a], rtcp: [], ssrcs: ssrcs[index] ?? [] }));
  return { key, dialog: { callId, fromTag: 'f', toTag: key }, sections, pending: null } as unknown as DialogScope;
}

describe('TransportMap IPv4 lookups', () => {
  it('agree with a plain map through a long run of dialogs set, replaced and removed (the newest live claim is found)', () => {
    const map = new TransportMap();
    /** every live dialog naming the address, oldest first */
    const reference = new Map<string, string[]>();
    const owned = new Map<string, string[]>();
    const addresses = ['10.0.0.1', '192.168.1.20', '255.255.255.255', '0.0.0.1', '172.16.5.4', '203.0.113.9'];
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed >>> 8) % n;
    };
    const forget = (d: string) => {
      for (const k of owned.get(d) ?? []) {
        const left = (reference.get(k) ?? []).filter((x) => x !== d);
        if (left.length > 0) reference.set(k, left);
        else reference.delete(k);
      }
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
      for (const k of keys) if (!reference.get(k)?.includes(d)) reference.set(k, [...(reference.get(k) ?? []), d]);
      owned.set(d, keys);
      if (step % 250 === 0 || step === 3999) {
        for (const a of addresses) {
          for (let port = 0; port <= 501; port++) {
            expect(map.lookupV4(ipv4ToNumber(a), port)?.dialogKey).toBe(reference.get(`${a}:${port}`)?.at(-1));
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

describe('TransportMap datagram lookups where several live dialogs name one end', () => {
  const v4 = (a: string) => ipv4ToNumber(a);
  it("the dialog that names both ends, else the destination's newest: a forked INVITE's early dialogs all name the caller", () => {
    const map = new TransportMap();
    map.set(scope('fork-1', [{ address: '10.0.0.1', port: 4000 }, { address: '10.0.0.21', port: 5000 }]));
    map.set(scope('fork-2', [{ address: '10.0.0.1', port: 4000 }, { address: '10.0.0.22', port: 6000 }]));
    const toCaller = (from: string, port: number) => map.lookupDatagramV4(v4(from), v4('10.0.0.1'), port, 4000)?.dialogKey;
    // Was: fork-2 for both, the dialog whose SDP came last
    expect([toCaller('10.0.0.21', 5000), toCaller('10.0.0.22', 6000), toCaller('10.9.9.9', 7000)]).toEqual(['fork-1', 'fork-2', 'fork-2']);
    expect(map.lookupDatagramV4(v4('10.0.0.1'), v4('10.0.0.21'), 4000, 5000)?.dialogKey).toBe('fork-1');
    map.remove('fork-2');
    expect([toCaller('10.0.0.21', 5000), toCaller('10.0.0.22', 6000)]).toEqual(['fork-1', 'fork-1']);
    map.set(scope('fork-2', [{ address: '10.0.0.1', port: 4000 }, { address: '10.0.0.22', port: 6000 }]));
    map.remove('fork-1');
    expect([toCaller('10.0.0.21', 5000), toCaller('10.0.0.22', 6000)]).toEqual(['fork-2', 'fork-2']);
    map.remove('fork-2');
    expect(toCaller('10.0.0.22', 6000)).toBeUndefined();
    expect(map.size).toBe(0);
  });

  it('the same over IPv6', () => {
    const map = new TransportMap();
    map.set(scope('a', [{ address: '2001:db8::1', port: 4000 }, { address: '2001:db8::21', port: 5000 }]));
    map.set(scope('b', [{ address: '2001:DB8:0::1', port: 4000 }, { address: '2001:db8::22', port: 6000 }]));
    expect(map.lookupDatagramV6('2001:db8::21', '2001:db8::1', 5000, 4000)?.dialogKey).toBe('a');
    expect(map.lookupDatagramV6('2001:db8::22', '2001:db8::1', 6000, 4000)?.dialogKey).toBe('b');
  });
});

describe('TransportMap: a datagram from an ended dialog’s address (end())', () => {
  const n = ipv4ToNumber;
  it('is not routed by its destination to a live dialog, unless a live dialog names its source; remembered for 16 384 addresses, not for a time', () => {
    const map = new TransportMap();
    const caller = { address: '10.0.0.1', port: 4001 };
    const forkC = { address: '10.0.0.3', port: 6001 };
    map.set(scope('tb', [caller, { address: '10.0.0.2', port: 5001 }]));
    map.set(scope('tc', [caller, forkC]));
    map.end('tc');
    expect(map.forgottenV4).toEqual([]);
    // C's late RTCP to the caller: the caller's address is tb's, the source was tc's
    expect(map.lookupDatagramV4(n('10.0.0.3'), n('10.0.0.1'), 6001, 4001)).toBeUndefined();
    // a source no dialog ever named (NAT) still routes by destination
    expect(map.lookupDatagramV4(n('192.0.2.7'), n('10.0.0.1'), 7000, 4001)?.sections).toEqual([0]);
    // the caller's own packets (its address was tc's too, and is tb's) route as before
    expect(map.lookupDatagramV4(n('10.0.0.1'), n('10.0.0.2'), 4001, 5001)?.sections).toEqual([1]);
    // a new dialog naming C's address: its source is live again
    map.set(scope('td', [forkC]));
    expect(map.lookupDatagramV4(n('10.0.0.3'), n('10.0.0.1'), 6001, 4001)).toBeDefined();
    map.remove('td');
    expect(map.lookupDatagramV4(n('10.0.0.3'), n('10.0.0.1'), 6001, 4001)).toBeUndefined();
    // 16 384 other addresses ending push C's out (the oldest first), and say so
    let forgotten: number[] = [];
    for (let i = 0; i < 16_384; i++) {
      map.set(scope(`x${i}`, [{ address: `10.9.${i >> 8}.${i & 255}`, port: 1 }]));
      map.end(`x${i}`);
      forgotten.push(...map.forgottenV4);
    }
    expect(forgotten).toEqual([n('10.0.0.1') * 65536 + 4001, n('10.0.0.3') * 65536 + 6001]);
    expect(map.lookupDatagramV4(n('10.0.0.3'), n('10.0.0.1'), 6001, 4001)?.sections).toEqual([0]);
  });

  it('IPv6 alike', () => {
    const map = new TransportMap();
    map.set(scope('tb', [{ address: '2001:db8::1', port: 4001 }]));
    map.set(scope('tc', [{ address: '2001:db8::1', port: 4001 }, { address: '2001:db8::3', port: 6001 }]));
    map.end('tc');
    expect(map.lookupDatagramV6('2001:db8::3', '2001:db8::1', 6001, 4001)).toBeUndefined();
    expect(map.lookupDatagramV6('2001:db8::7', '2001:db8::1', 6001, 4001)?.sections).toEqual([0]);
  });
});
