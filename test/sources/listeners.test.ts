import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { gzipSync, deflateSync } from 'node:zlib';
import { buildEthernetIpv4Udp, buildIpv4Tcp } from '../../native-free/frame-builder.js';
import { PcapWriter } from '../../native-free/write.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkType } from '../../native-free/types.js';
import { UdpMirrorListener } from '../../src/sources/udp-listener.js';
import { HepListener } from '../../src/sources/hep-listener.js';
import { encodeHep, HepProtocol } from '../../src/sources/hep.js';
import { parseReplayTarget, replayCapture, ReplayTargetError } from '../../src/sources/replay-sender.js';
import type { SourcePacket } from '../../src/sources/source-packet.js';
import { type Datagram, readDatagrams } from '../samples/capture-datagrams.js';

const CAPTURES = new URL('../../../shared/captures/', import.meta.url).pathname;
const RTCP_CAPTURE = `${CAPTURES}rtpproxy_rtcp.a.pcap`;
const RTP_AND_RTCP_CAPTURE = `${CAPTURES}rtpproxy_rtcp.o.pcap`;
const SIP6_CAPTURE = `${CAPTURES}heplify_sip_ipv6_udp.pcap`;

/** The capture's UDP datagrams, read back through the project's own packet layers. */
async function udpDatagramsOf(path: string): Promise<Datagram[]> {
  return (await readDatagrams(path)).datagrams;
}

/** Resolves once `n` packets arrived, or rejects after `ms` saying how many did. */
function collector(n: number, ms = 5000): { packets: SourcePacket[]; onPacket: (p: SourcePacket) => void; done: Promise<SourcePacket[]> } {
  const packets: SourcePacket[] = [];
  let resolve!: (p: SourcePacket[]) => void;
  let reject!: (e: Error) => void;
  const done = new Promise<SourcePacket[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(() => reject(new Error(`only ${packets.length} of ${n} packets arrived in ${ms} ms`)), ms);
  return {
    packets,
    done,
    onPacket: (p) => {
      packets.push({ ...p, payload: p.payload.slice() });
      if (packets.length === n) {
        clearTimeout(timer);
        resolve(packets);
      }
    },
  };
}

const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((l) => l.close()));
});

describe('UDP mirror listener', () => {
  it('receives a replayed capture (udp://, as fast as possible) with every payload in order', async () => {
    const expected = await udpDatagramsOf(RTCP_CAPTURE);
    expect(expected.length).toBe(236);
    const c = collector(expected.length);
    const listener = await UdpMirrorListener.start({ host: '127.0.0.1', port: 0, onPacket: c.onPacket });
    toClose.push(listener);
    const result = await replayCapture(RTCP_CAPTURE, `udp://127.0.0.1:${listener.address.port}`, { speed: 0 });
    expect(result).toEqual({ sent: 236, skipped: 0 });
    const got = await c.done;
    expect(got.map((p) => Buffer.from(p.payload).toString('hex'))).toEqual(expected.map((d) => Buffer.from(d.payload).toString('hex')));
    // a plain mirror knows only the mirroring hop's addresses
    expect(got[0]).toMatchObject({ src: '127.0.0.1', dst: '127.0.0.1', dport: listener.address.port, proto: 'udp' });
    expect(listener.counters).toEqual({ received: 236, malformed: 0, byKind: { datagram: 236 } });
  });

  it('keeps the capture pace × speed', async () => {
    const c = collector(236);
    const listener = await UdpMirrorListener.start({ host: '127.0.0.1', port: 0, onPacket: c.onPacket });
    toClose.push(listener);
    const started = performance.now();
    await replayCapture(RTCP_CAPTURE, { scheme: 'udp', host: '127.0.0.1', port: listener.address.port }, { speed: 50 });
    const elapsed = performance.now() - started;
    await c.done;
    // 7.05 s of capture at 50× is 141 ms
    expect(elapsed).toBeGreaterThan(120);
    expect(elapsed).toBeLessThan(2000);
    const arrival = c.packets.map((p) => p.ts);
    expect(arrival[235]! - arrival[0]!).toBeGreaterThan(0.1);
  });

  it('listens on IPv6 loopback', async () => {
    const c = collector(2);
    const listener = await UdpMirrorListener.start({ host: '::1', port: 0, onPacket: c.onPacket });
    toClose.push(listener);
    const sock = createSocket('udp6');
    for (const text of ['one', 'two']) await new Promise<void>((r) => sock.send(text, listener.address.port, '::1', () => r()));
    sock.close();
    const got = await c.done;
    expect(got.map((p) => Buffer.from(p.payload).toString())).toEqual(['one', 'two']);
    expect(got[0]).toMatchObject({ src: '::1', dst: '::1' });
  });

  it("in 'ip-packet' mode hands on whole IP packets as raw-IP records and counts what is not IP", async () => {
    const c = collector(1);
    const malformed: string[] = [];
    const listener = await UdpMirrorListener.start({ host: '127.0.0.1', port: 0, mode: 'ip-packet', onPacket: c.onPacket, onMalformed: (r) => malformed.push(r) });
    toClose.push(listener);
    const ipPacket = buildEthernetIpv4Udp({ src: '10.1.1.1', dst: '10.2.2.2', sport: 5004, dport: 5006, payload: Uint8Array.of(0x80, 0xc9, 0, 1, 1, 2, 3, 4), link: 'raw' });
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.send(Uint8Array.of(0x13, 0x37), listener.address.port, '127.0.0.1', () => r()));
    await new Promise<void>((r) => sock.send(ipPacket, listener.address.port, '127.0.0.1', () => r()));
    sock.close();
    const [p] = await c.done;
    expect(p!.linkType).toBe(LinkType.RAW);
    expect([...p!.payload]).toEqual([...ipPacket]);
    expect(malformed).toEqual(['datagram of 2 bytes is not an IP packet (version nibble 1)']);
    // each record under one kind: the datagram that is no IP packet under `datagram`, as a plain mirror counts it
    expect(listener.counters).toMatchObject({ received: 2, malformed: 1 });
    expect(listener.counters.byKind).toEqual({ 'ip-packet': 1, datagram: 1 });
  });

  it('close() stops receiving and can be called twice', async () => {
    const got: SourcePacket[] = [];
    const listener = await UdpMirrorListener.start({ host: '127.0.0.1', port: 0, onPacket: (p) => got.push(p) });
    const port = listener.address.port;
    await Promise.all([listener.close(), listener.close()]);
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.send('late', port, '127.0.0.1', () => r()));
    sock.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([]);
  });
});

describe('HEPv3 listener', () => {
  it('receives a capture replayed as HEP over UDP with the original addresses, ports and times (IPv6)', async () => {
    const expected = await udpDatagramsOf(SIP6_CAPTURE);
    expect(expected.length).toBeGreaterThan(0);
    const c = collector(expected.length);
    // (the capture's clock stood in 2092: its times are kept as they are)
    const listener = await HepListener.start({ host: '::1', udpPort: 0, onPacket: c.onPacket, maxTimeAheadSec: Infinity });
    toClose.push(listener);
    const result = await replayCapture(SIP6_CAPTURE, `hep://[::1]:${listener.udpAddress!.port}`, { speed: 0, captureAgentId: 7 });
    expect(result.sent).toBe(expected.length);
    const got = await c.done;
    expect(got.map((p) => ({ ...p, payload: Buffer.from(p.payload).toString('hex') }))).toEqual(
      expected.map((d) => ({ ts: d.ts, src: d.src, dst: d.dst, sport: d.sport, dport: d.dport, proto: 'udp', payload: Buffer.from(d.payload).toString('hex'), hepProtocol: HepProtocol.SIP, captureAgentId: 7, origin: '::1#7' })),
    );
    expect(got[0]!.src).toContain(':');
    expect(listener.counters.byKind['hep:sip']).toBe(expected.length);
  });

  it('marks RTCP with protocol type 5 and RTP with 4 when replaying RTP/RTCP', async () => {
    const expected = await udpDatagramsOf(RTP_AND_RTCP_CAPTURE);
    const c = collector(expected.length);
    const listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, onPacket: c.onPacket });
    toClose.push(listener);
    await replayCapture(RTP_AND_RTCP_CAPTURE, `hep://127.0.0.1:${listener.udpAddress!.port}`, { speed: 0 });
    const got = await c.done;
    expect(got.map((p) => p.payload.length)).toEqual(expected.map((d) => d.payload.length));
    expect(got.map((p) => [p.src, p.dst, p.sport, p.dport, p.ts])).toEqual(expected.map((d) => [d.src, d.dst, d.sport, d.dport, d.ts]));
    // the capture's one RTCP compound (SR+SDES) goes 2007 → 2009
    const rtcp = got.filter((p) => p.hepProtocol === HepProtocol.RTCP);
    expect(rtcp.map((p) => [p.sport, p.dport])).toEqual([[2007, 2009]]);
    expect(listener.counters.byKind['hep:rtcp']).toBe(1);
    expect(listener.counters.byKind['hep:rtp']).toBe(expected.length - 1);
  });

  it('frames HEP over TCP: several frames per read, frames cut across reads, garbage skipped to the next magic', async () => {
    const frames = Array.from({ length: 20 }, (_, i) =>
      encodeHep({ ipVersion: 4, ipProtocol: 6, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, tsSeconds: 1000 + i, tsMicroseconds: i, protocolType: HepProtocol.SIP, correlationId: `call-${i}`, payload: new TextEncoder().encode(`SIP/2.0 200 OK #${i}`) }),
    );
    const garbage = new TextEncoder().encode('GARBAGE');
    const stream = Buffer.concat([...frames.slice(0, 10), garbage, ...frames.slice(10)]);
    const c = collector(frames.length);
    const malformed: string[] = [];
    const listener = await HepListener.start({ host: '127.0.0.1', tcpPort: 0, onPacket: c.onPacket, onMalformed: (r) => malformed.push(r) });
    toClose.push(listener);
    const socket = connect(listener.tcpAddress!.port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.setNoDelay(true);
    // cuts of 1, 7, 13, 150 ... bytes: inside headers, inside chunks, across several frames
    const cuts = [1, 7, 13, 150, 3, 400, 2];
    for (let at = 0, k = 0; at < stream.length; k++) {
      const n = cuts[k % cuts.length]!;
      socket.write(stream.subarray(at, at + n));
      at += n;
      if (k % 5 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const got = await c.done;
    socket.end();
    expect(got.map((p) => p.correlationId)).toEqual(frames.map((_, i) => `call-${i}`));
    expect(got[3]).toMatchObject({ proto: 'tcp', ts: 1003.000003, src: '10.0.0.1', dport: 5060, hepProtocol: 1 });
    expect(new TextDecoder().decode(got[19]!.payload)).toBe('SIP/2.0 200 OK #19');
    expect(malformed.length).toBe(1);
    expect(malformed[0]).toMatch(/stream byte \d+: not a HEPv3 frame/);
    expect(listener.counters.malformed).toBe(1);
  });

  it('drops frames with the wrong auth key and datagrams whose HEP length is wrong', async () => {
    const c = collector(1);
    const malformed: string[] = [];
    const rejected: [string, boolean][] = [];
    const listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, authKey: 'k1', onPacket: c.onPacket, onMalformed: (r) => malformed.push(r), onAuthRejected: (peer, keyGiven) => rejected.push([peer, keyGiven]) });
    toClose.push(listener);
    const frame = (authKey?: string): Uint8Array =>
      encodeHep({ ipVersion: 4, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, tsSeconds: 5, tsMicroseconds: 0, protocolType: 5, authKey, payload: Uint8Array.of(1) });
    const padded = new Uint8Array(frame('k1').length + 3);
    padded.set(frame('k1'));
    const sock = createSocket('udp4');
    // another key, one of the same length (compared in constant time), a broken frame, the right key
    for (const d of [frame('wrong'), frame('k2'), frame(), padded, frame('k1').subarray(0, 20), frame('k1')]) {
      await new Promise<void>((r) => sock.send(d, listener.udpAddress!.port, '127.0.0.1', () => r()));
    }
    sock.close();
    await c.done;
    expect(listener.counters.byKind['auth-rejected']).toBe(3);
    expect(rejected.map(([peer, keyGiven]) => [peer.replace(/:\d+$/, ''), keyGiven])).toEqual([['udp:127.0.0.1', true], ['udp:127.0.0.1', true], ['udp:127.0.0.1', false]]);
    expect(malformed).toHaveLength(2);
    expect(malformed[0]).toMatch(/HEPv3 length \d+ but the datagram has \d+ bytes/);
    expect(malformed[1]).toMatch(/HEPv3: at byte 4: total length \d+ exceeds the 20 bytes/);
  });

  it('inflates a compressed payload (chunk 16), zlib or gzip, and counts one that is neither', async () => {
    const c = collector(2);
    const malformed: string[] = [];
    const listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, onPacket: c.onPacket, onMalformed: (r) => malformed.push(r) });
    toClose.push(listener);
    const sip = new TextEncoder().encode('OPTIONS sip:x SIP/2.0\r\n\r\n');
    const frame = (payload: Uint8Array): Uint8Array =>
      encodeHep({ ipVersion: 4, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, tsSeconds: 5, tsMicroseconds: 0, protocolType: 1, payload, compressed: true });
    const sock = createSocket('udp4');
    for (const d of [frame(deflateSync(sip)), frame(Uint8Array.of(1, 2, 3)), frame(gzipSync(sip))]) {
      await new Promise<void>((r) => sock.send(d, listener.udpAddress!.port, '127.0.0.1', () => r()));
    }
    sock.close();
    const got = await c.done;
    expect(got.map((p) => new TextDecoder().decode(p.payload))).toEqual(['OPTIONS sip:x SIP/2.0\r\n\r\n', 'OPTIONS sip:x SIP/2.0\r\n\r\n']);
    expect(malformed).toEqual(['compressed payload (chunk 16) that is neither zlib nor gzip data']);
  });

  it('close() ends open TCP connections and both sockets', async () => {
    const listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, tcpPort: 0, onPacket: () => {} });
    const socket = connect(listener.tcpAddress!.port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const ended = new Promise<void>((r) => socket.once('close', () => r()));
    await listener.close();
    await ended;
    await expect(
      new Promise((resolve, reject) => {
        const s = connect(listener.tcpAddress?.port ?? 1, '127.0.0.1');
        s.once('connect', resolve);
        s.once('error', reject);
      }),
    ).rejects.toThrow();
  });
});

describe('replay targets', () => {
  it('parses udp:// and hep:// with IPv4, IPv6 and names; refuses the rest', () => {
    expect(parseReplayTarget('udp://127.0.0.1:9000')).toEqual({ scheme: 'udp', host: '127.0.0.1', port: 9000 });
    expect(parseReplayTarget('hep://[::1]:9060')).toEqual({ scheme: 'hep', host: '::1', port: 9060 });
    expect(parseReplayTarget('hep://localhost:9060/')).toEqual({ scheme: 'hep', host: 'localhost', port: 9060 });
    for (const bad of ['tcp://1.2.3.4:5', 'udp://1.2.3.4', 'udp://1.2.3.4:0', 'udp://1.2.3.4:70000', 'hep://::1:9060']) {
      expect(() => parseReplayTarget(bad)).toThrow(ReplayTargetError);
    }
  });
});

describe('replay of oversized payloads over HEP', () => {
  it('cuts long TCP stream bytes into several frames and skips a UDP datagram too big for one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aipref-replay-'));
    const path = join(dir, 'big.pcap');
    const writer = await PcapWriter.open(path, { linkType: LinkType.ETHERNET });
    const stream = new Uint8Array(65_000).map((_, i) => i % 251);
    writer.write(1.5, buildIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5062, seq: 1000, flags: 0x18, payload: stream }));
    writer.write(1.6, buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 9, dport: 9, payload: new Uint8Array(65_000) }));
    writer.write(1.7, buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 9, dport: 9, payload: Uint8Array.of(1) }));
    await writer.close();
    const c = collector(3);
    const listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, onPacket: c.onPacket });
    toClose.push(listener);
    const result = await replayCapture(path, `hep://127.0.0.1:${listener.udpAddress!.port}`, { speed: 0 });
    expect(result).toEqual({ sent: 3, skipped: 1 });
    const got = await c.done;
    expect(got.map((p) => [p.proto, p.payload.length])).toEqual([['tcp', 60_000], ['tcp', 5_000], ['udp', 1]]);
    expect(Buffer.concat([got[0]!.payload, got[1]!.payload]).equals(Buffer.from(stream))).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });
});
