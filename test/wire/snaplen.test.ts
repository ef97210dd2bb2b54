/**
 * Records cut by the capture's snap length (incl_len < orig_len: `tcpdump -s 96`, the usual way
 * RTP/RTCP is captured header-only for monitoring) are whole packets on the wire. tshark decodes
 * their addresses, ports and the RTP header from the captured bytes; the enforcer should too.
 */
import { describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { inspect, rtp, tsharkFields, writePcap } from './helpers.js';

describe('snaplen-truncated records', () => {
  it('an RTP packet captured with snaplen 96 keeps its addresses, ports and RTP header (as tshark shows)', () => {
    const frame = buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002, payload: rtp(0x11223344, 7, 160) });
    const file = writePcap('snaplen96.pcap', 1, [
      { ts: 1700000000.000001, data: frame },
      { ts: 1700000000.020001, data: buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002, payload: rtp(0x11223344, 8, 160) }), capLen: 96 },
    ]);
    const ts = tsharkFields(file, ['frame.number', 'ip.src', 'ip.dst', 'udp.srcport', 'udp.dstport', 'rtp.ssrc', 'rtp.seq'], ['-d', 'udp.port==40002,rtp']);
    expect(ts[1]).toEqual(['2', '10.0.0.1', '10.0.0.2', '40000', '40002', '0x11223344', '8']);
    const lines = inspect(file);
    expect(lines[1]).toMatchObject({ frame: 2, src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002, proto: 'rtp', ssrc: 0x11223344, seq: 8 });
  });
});
