/**
 * Classic pcap files written with DLT_RAW's platform value (12, or 14 on OpenBSD)
 * instead of LINKTYPE_RAW (101). Wireshark's wiretap maps 12 and 14 to raw IP.
 */
import { describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { inspect, rtp, tsharkFields, writePcap } from './helpers.js';

describe('raw IP under link type 12', () => {
  it('is read as raw IP, as tshark reads it', () => {
    const file = writePcap('lt12.pcap', 12, [
      { ts: 1700000000, data: buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002, payload: rtp(9, 1), link: 'raw' }) },
    ]);
    expect(tsharkFields(file, ['ip.src', 'udp.srcport'])).toEqual([['10.0.0.1', '40000']]);
    expect(inspect(file)[0]).toMatchObject({ src: '10.0.0.1', sport: 40000, proto: 'rtp' });
  });
});
