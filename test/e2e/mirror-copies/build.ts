/** Small hand-built captures for the duplicate / timing review: frames with chosen link options and times. */
import { buildEthernetIpv4Udp, type UdpOverIpOptions } from '../../../native-free/frame-builder.js';
import { PcapWriter } from '../../../native-free/write.js';
import { type Workspace } from '../e2e-helpers.js';

export interface Frame extends UdpOverIpOptions {
  ts: number;
}

export async function writeFrames(ws: Workspace, name: string, frames: Frame[]): Promise<string> {
  const file = await ws.file(`${name}.pcap`);
  const w = await PcapWriter.open(file, { linkType: 1 });
  for (const f of frames) w.write(f.ts, buildEthernetIpv4Udp(f));
  await w.close();
  return file;
}
