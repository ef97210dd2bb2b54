/**
 * What every live source hands to the pipeline: one record per datagram (UDP mirror) or per
 * HEP frame, whatever the transport it came in on.
 */

export interface SourcePacket {
  /** capture time, seconds since the epoch (microsecond precision) */
  ts: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** transport of the original packet (for a plain mirror: of the mirrored datagram) */
  proto: 'udp' | 'tcp';
  /**
   * The transport payload; for a source in 'ip-packet' mode, the whole captured IP packet
   * (then `linkType` is LinkType.RAW and the pipeline decodes it with native-free).
   */
  payload: Uint8Array;
  /** set when `payload` is a whole packet of this link type rather than a transport payload */
  linkType?: number;
  /** HEP chunk 17: the agent's correlation id (often the Call-ID of the SIP dialog) */
  correlationId?: string;
  /** HEP chunk 11: 1 SIP, 5 RTCP, 100 JSON log, ... */
  hepProtocol?: number;
  /** HEP chunk 12 */
  captureAgentId?: number;
  /**
   * The capture agent it comes from, whose clock its capture time is on (a HEP sender: its
   * address and capture agent id); absent: the service's one source (a UDP mirror's arrival times)
   */
  origin?: string;
}

export type SourcePacketHandler = (packet: SourcePacket) => void;

/** Counters every listener keeps; `byKind` counts received records by what they are. */
export interface SourceCounters {
  received: number;
  malformed: number;
  /**
   * e.g. 'datagram', 'ip-packet', 'hep:sip', 'hep:rtcp', 'hep:other', 'unknown-chunks';
   * 'rtcp-json' (of 'hep:rtcp': rtpengine's JSON, turned back into RTCP) and
   * 'rtcp-json-dropped-items' (SDES PRIV items it printed in a form that cannot be read back)
   */
  byKind: Record<string, number>;
}

export function createSourceCounters(): SourceCounters {
  return { received: 0, malformed: 0, byKind: {} };
}

export function countKind(counters: SourceCounters, kind: string, n = 1): void {
  counters.byKind[kind] = (counters.byKind[kind] ?? 0) + n;
}

/**
 * An address and port as a person reads them: `[2001:db8::a]:5060` for IPv6 (RFC 5952 §6: a bare
 * `2001:db8::a:5060` is itself an address), `10.0.0.1:5060` for IPv4.
 */
export function endpointText(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
