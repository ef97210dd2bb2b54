/**
 * The naive pipeline one would write on werift: walk the records, find the UDP payload at the
 * fixed Ethernet/IPv4/UDP offsets (an 802.1Q tag skipped, fragments and non-IPv4 ignored),
 * tell RTCP from RTP by the second byte (RFC 5761), and decode RTCP with werift's
 * RtcpPacketConverter and RTP with its RtpPacket; count. No binding, no policy, no output.
 * It reads as the record walk does (RECYCLED_READ: it keeps nothing past a batch): it read
 * fresh chunks and batches, whose first-touch page faults were charged to werift.
 */
import { readCaptureBatches } from '../native-free/capture.js';
import { RECYCLED_READ } from './record-walk.js';
import { RtcpPacketConverter, RtpPacket } from 'werift';

export interface NaiveResult {
  records: number;
  rtp: number;
  rtcp: number;
  rtcpPackets: number;
  other: number;
  errors: number;
  seconds: number;
  packetsPerSec: number;
}

export async function weriftNaivePipeline(file: string): Promise<NaiveResult> {
  let records = 0;
  let rtp = 0;
  let rtcp = 0;
  let rtcpPackets = 0;
  let other = 0;
  let errors = 0;
  let sink = 0;
  const started = performance.now();
  for await (const batch of readCaptureBatches(file, RECYCLED_READ)) {
    const b = batch.bytes;
    for (let i = 0; i < batch.count; i++) {
      records++;
      const start = batch.dataOffset[i]!;
      const end = start + batch.capLen[i]!;
      let ip = start + 14;
      let etherType = (b[start + 12]! << 8) | b[start + 13]!;
      if (etherType === 0x8100) {
        etherType = (b[start + 16]! << 8) | b[start + 17]!;
        ip += 4;
      }
      if (batch.linkType[i] !== 1 || etherType !== 0x0800 || ip + 20 > end || b[ip]! >> 4 !== 4 || b[ip + 9] !== 17 || (((b[ip + 6]! << 8) | b[ip + 7]!) & 0x3fff) !== 0) {
        other++;
        continue;
      }
      const udp = ip + (b[ip]! & 0x0f) * 4;
      const payload = udp + 8;
      const udpLen = (b[udp + 4]! << 8) | b[udp + 5]!;
      const payloadEnd = Math.min(end, udp + udpLen);
      const sport = (b[udp]! << 8) | b[udp + 1]!;
      const dport = (b[udp + 2]! << 8) | b[udp + 3]!;
      if (payloadEnd - payload < 4 || sport === 5060 || dport === 5060 || b[payload]! >> 6 !== 2) {
        other++;
        continue;
      }
      const buf = Buffer.from(b.buffer, b.byteOffset + payload, payloadEnd - payload);
      const second = b[payload + 1]!;
      try {
        if (second >= 192 && second <= 223) {
          rtcp++;
          rtcpPackets += RtcpPacketConverter.deSerialize(buf).length;
        } else {
          rtp++;
          sink += RtpPacket.deSerialize(buf).header.sequenceNumber;
        }
      } catch {
        errors++;
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  if (sink === -1) console.log(sink);
  return { records, rtp, rtcp, rtcpPackets, other, errors, seconds, packetsPerSec: records / seconds };
}
