/**
 * The optional native `pcap` package against native-free, on the shared captures. Without the
 * package (it needs libpcap-dev to build), only the "how to get it" message is tested.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { isNativePcapAvailable, loadNativePcap, NATIVE_PCAP_MISSING, readCaptureWithNativePcap } from '../../src/sources/native-pcap.js';
import { readCaptureBatches } from '../../native-free/capture.js';

const available = await isNativePcapAvailable();
const captures = ['rtpproxy_rtcp.a.pcap', 'rtpproxy_rtcp.o.pcap', 'heplify_sip_ipv4_tcp.pcap', 'heplify_sip_ipv6_udp.pcap', 'heplify_ipip0.pcap'];
const capture = (name: string): string => path.resolve(process.cwd(), '../shared/captures', name);

describe('native pcap', () => {
  it.skipIf(available)('when the package is missing, loading says in one line how to get it', async () => {
    const err = await loadNativePcap().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toBe(NATIVE_PCAP_MISSING);
    expect(err!.message).not.toContain('\n');
    expect(err!.message).toContain('apt-get install libpcap-dev');
    expect(err!.message).toContain('npm install pcap');
    await expect(readCaptureWithNativePcap(capture(captures[0]!)).next()).rejects.toThrow(NATIVE_PCAP_MISSING);
  });

  for (const name of captures) {
    it.skipIf(!available)(
      `${name}: the same records as native-free${available ? '' : ' (skipped: optional pcap package not installed — apt-get install libpcap-dev && npm install pcap)'}`,
      async () => {
        const viaLibpcap: { ts: number; data: string; linkType: number }[] = [];
        for await (const r of readCaptureWithNativePcap(capture(name))) {
          viaLibpcap.push({ ts: r.ts, data: Buffer.from(r.data).toString('hex'), linkType: r.linkType });
        }
        const viaNativeFree: { ts: number; data: string; linkType: number }[] = [];
        for await (const b of readCaptureBatches(capture(name))) {
          for (let i = 0; i < b.count; i++) {
            viaNativeFree.push({
              ts: b.ts[i]!,
              data: Buffer.from(b.bytes.subarray(b.dataOffset[i]!, b.dataOffset[i]! + b.capLen[i]!)).toString('hex'),
              linkType: b.linkType[i]!,
            });
          }
        }
        expect(viaLibpcap.length).toBe(viaNativeFree.length);
        viaLibpcap.forEach((r, k) => {
          expect(r.data).toBe(viaNativeFree[k]!.data);
          expect(r.linkType).toBe(viaNativeFree[k]!.linkType);
          expect(r.ts).toBeCloseTo(viaNativeFree[k]!.ts, 6);
        });
      },
    );
  }
});
