/**
 * HEPv3 protocol type 5 is "RTCP JSON" (hep.sipcapture.org; rtpengine daemon/homer.h
 * `#define PROTO_RTCP_JSON 0x05`): rtpengine's homer handlers (daemon/rtcp.c homer_init/
 * homer_sr/homer_rr_list_start/homer_rr/homer_finish) send each RTCP compound it relays as a
 * JSON object, never as RTCP bytes. SPEC §7 names HEPv3 from rtpengine as an input and the
 * README says "rtpengine mirrors the RTCP it relays as HEP"; the live path hands the HEP payload
 * to the packet layers as a UDP payload, where a JSON text is neither RTP, RTCP nor SIP.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { HepListener } from '../../src/sources/hep-listener.js';
import { encodeHep, HepProtocol } from '../../src/sources/hep.js';
import { SourcePacketBatcher } from '../../src/sources/source-batch.js';
import type { SourcePacket } from '../../src/sources/source-packet.js';
import { PacketFeed } from '../../src/pipeline/packet-feed.js';
import { text } from './helpers.js';

/** What rtpengine's homer_* functions print for an SR with one report block. */
const RTPENGINE_SR_JSON =
  '{ "sender_information":{"ntp_timestamp_sec":3774873600,"ntp_timestamp_usec":2147483648,"octets":8000,"rtp_timestamp":160000, "packets":50},' +
  '"ssrc":16909060,"type":200,"report_count":1,"report_blocks":[{"source_ssrc":168496141,"highest_seq_no":65636,"fraction_lost":64,"ia_jitter":32,"packets_lost":3,"lsr":305419896,"dlsr":65536}] }';

let listener: HepListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

describe('HEPv3 RTCP from rtpengine (protocol type 5, JSON payload)', () => {
  it('is taken as RTCP of the SR sender, not as an unknown datagram', async () => {
    const got: SourcePacket[] = [];
    let resolve!: () => void;
    const arrived = new Promise<void>((r) => (resolve = r));
    listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, onPacket: (p) => { got.push(p); resolve(); } });
    const frame = encodeHep({
      ipVersion: 4, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 30001, dport: 40001,
      tsSeconds: 1700000000, tsMicroseconds: 500000, protocolType: HepProtocol.RTCP, captureAgentId: 2001,
      correlationId: 'call-1@10.0.0.1', payload: text(RTPENGINE_SR_JSON),
    });
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.send(frame, listener!.udpAddress!.port, '127.0.0.1', () => r()));
    sock.close();
    await arrived;
    expect(got[0]!.hepProtocol).toBe(5);

    const seen: string[] = [];
    const feed = new PacketFeed({
      media: (_v, proto) => void seen.push(proto),
      sip: () => void seen.push('sip'),
      other: (_v, kind) => void seen.push(`other:${kind}`),
      malformed: () => void seen.push('malformed'),
    });
    await feed.feedBatch(new SourcePacketBatcher().toBatch(got));
    // it was ['other:udp']: the SR rtpengine relayed never reached the RTCP path
    expect(seen).toEqual(['rtcp']);
  });
});
