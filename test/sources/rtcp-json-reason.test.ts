/**
 * SPEC §6: logs and reports "never copy SDES text or telemetry values". In `live`, a HEPv3 RTCP
 * JSON payload (protocol type 5, rtpengine) whose report block holds a value the converter
 * refuses is reported through HepListener's onMalformed reason, which src/cli/live.ts writes
 * both as a `malformed-datagram` log line and as a `malformed-input` report detail. The reason
 * is built by src/sources/rtcp-json.ts `integer()` / `shown(v)`, which prints the refused value
 * itself: `report 1 report_blocks[0] "ia_jitter": 98765432109 is not an integer 0..4294967295`
 * (now: its kind, `a number`, not the value).
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { HepListener } from '../../src/sources/hep-listener.js';
import { encodeHep, HepProtocol } from '../../src/sources/hep.js';
import { rtcpFromJson } from '../../src/sources/rtcp-json.js';

const enc = new TextEncoder();
/** rtpengine's SR with one report block; the jitter (and packets_lost) out of range. */
const JITTER = 98765432109;
const LOST = 87654321;
const json = (jitter: number, lost: number): string =>
  '{ "sender_information":{"ntp_timestamp_sec":3774873600,"ntp_timestamp_usec":2147483648,"octets":8000,"rtp_timestamp":160000, "packets":50},' +
  `"ssrc":16909060,"type":200,"report_count":1,"report_blocks":[{"source_ssrc":168496141,"highest_seq_no":65636,"fraction_lost":64,"ia_jitter":${jitter},"packets_lost":${lost},"lsr":305419896,"dlsr":65536}] }`;

let listener: HepListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

describe('malformed RTCP JSON reasons never copy telemetry values (SPEC §6)', () => {
  it('the reason for a refused report block does not contain its jitter or cumulative loss', () => {
    const bad = rtcpFromJson(enc.encode(json(JITTER, 3)));
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.reason).not.toContain(String(JITTER));
    const bad2 = rtcpFromJson(enc.encode(json(32, LOST)));
    expect(bad2.ok).toBe(false);
    expect(bad2.ok ? '' : bad2.reason).not.toContain(String(LOST));
  });

  it('a live HEP listener hands the log/report a reason without the refused jitter value', async () => {
    const reasons: string[] = [];
    let resolve!: () => void;
    const arrived = new Promise<void>((r) => (resolve = r));
    listener = await HepListener.start({
      host: '127.0.0.1',
      udpPort: 0,
      onPacket: () => resolve(),
      onMalformed: (reason) => {
        reasons.push(reason);
        resolve();
      },
    });
    const frame = encodeHep({
      ipVersion: 4, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 30001, dport: 40001,
      tsSeconds: 1700000000, tsMicroseconds: 500000, protocolType: HepProtocol.RTCP, captureAgentId: 2001,
      correlationId: 'call-1@10.0.0.1', payload: enc.encode(json(JITTER, 3)),
    });
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.send(frame, listener!.udpAddress!.port, '127.0.0.1', () => r()));
    sock.close();
    await arrived;
    expect(reasons.length).toBe(1);
    expect(reasons[0]).not.toContain(String(JITTER));
  });
});
