/** Records for hand-built edge captures: UDP datagrams (whole or as IPv4 fragments, placed one by one), TCP segments. */
import { buildEthernetIpv4Udp, buildIpv4Tcp, EtherType, fragmentIpv4, TcpFlag, wrapEthernet } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { type PcapRecord, type Workspace, writePcapRecords } from '../../e2e/e2e-helpers.js';
import type { Datagram } from '../../e2e/dialog-lifecycle/lifecycle-helpers.js';

export const T0 = 1767225600;
export class Cap {
  records: PcapRecord[] = [];
  private id = 1000;
  udp(at: number, d: Datagram): this {
    this.records.push({ ts: T0 + at, data: buildEthernetIpv4Udp({ ...d, id: this.id++ }) });
    return this;
  }
  /** the datagram's IPv4 fragments, to place with frag() */
  fragments(d: Datagram, size: number): Uint8Array[] {
    return fragmentIpv4(buildEthernetIpv4Udp({ ...d, id: this.id++ }).subarray(14), size).map((f) => wrapEthernet(EtherType.IPV4, f));
  }
  raw(at: number, data: Uint8Array): this {
    this.records.push({ ts: T0 + at, data });
    return this;
  }
  /** a TCP segment (ACK set) of the connection src:sport → dst:dport at stream offset seq */
  tcp(at: number, src: string, dst: string, seq: number, payload: Uint8Array, flags: number = TcpFlag.PSH): this {
    this.records.push({ ts: T0 + at, data: buildIpv4Tcp({ src, dst, sport: 5060, dport: 5060, seq, ack: 1, flags, payload }) });
    return this;
  }
  async write(ws: Workspace, name: string): Promise<string> {
    const file = await ws.file(`${name}.pcap`);
    await writePcapRecords(file, encodePcapFileHeader(1), this.records);
    return file;
  }
}
