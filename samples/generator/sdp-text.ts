/**
 * SDP offers and answers (RFC 4566/8866) of a planned call, with the `a=aipref` lines of
 * seed §6.1 at session and media level, BUNDLE + rtcp-mux or separate RTCP ports, the sdes:mid
 * header extension, and `a=ssrc` where the plan binds a stream that way.
 */
import type { AptDeclaration, CallPlan, Direction, SectionPlan } from './call-plan.js';

export const SDES_MID_EXTENSION_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';

export type SdpSide = 'caller' | 'callee';

/** How a renegotiated description differs from the initial one. */
export interface SdpChange {
  /** the mid whose `a=aipref:mid` line is left out */
  removedAptMid?: string;
  /** the mid whose m-section is disabled (port 0) */
  disabledMid?: string;
}

export function formatAptDeclaration(d: AptDeclaration): string {
  const params = Object.entries(d.params).map(([k, v]) => `${k}=${v}`);
  return `a=aipref:${d.scope} ${[d.id, ...params].join(' ')}`;
}

function sideDirection(side: SdpSide): Direction {
  return side === 'caller' ? 'caller-to-callee' : 'callee-to-caller';
}

/** Plain calls declare the extension only where a stream of the section uses it. */
export function sectionDeclaresMidExtension(call: CallPlan, section: SectionPlan): boolean {
  return call.flavour === 'bundle' || call.streams.some((s) => s.mid === section.mid && s.sendsRtpMid);
}

export function rtpPortOf(call: CallPlan, side: SdpSide, section: SectionPlan): number {
  const ep = side === 'caller' ? call.caller : call.callee;
  // BUNDLE: every m-section shares the transport of the first (RFC 8843 §7).
  if (call.flavour === 'bundle') return ep.audioPort;
  return section.kind === 'audio' ? ep.audioPort : ep.videoPort;
}

export function buildSdp(call: CallPlan, side: SdpSide, version: number, change: SdpChange = {}): string {
  const ep = side === 'caller' ? call.caller : call.callee;
  const lines: string[] = [
    'v=0',
    `o=${ep.user} ${ep.sessionId} ${version} IN IP4 ${ep.address}`,
    's=-',
    `c=IN IP4 ${ep.address}`,
    't=0 0',
  ];
  const live = call.sections.filter((s) => s.mid !== change.disabledMid);
  if (call.flavour === 'bundle') {
    lines.push(`a=group:BUNDLE ${live.map((s) => s.mid).join(' ')}`);
    lines.push('a=msid-semantic: WMS *');
  }
  for (const d of call.sessionApts) lines.push(formatAptDeclaration(d));

  for (const section of call.sections) {
    const disabled = section.mid === change.disabledMid;
    const port = disabled ? 0 : rtpPortOf(call, side, section);
    const profile = call.flavour === 'bundle' || section.kind === 'video' ? 'RTP/AVPF' : 'RTP/AVP';
    if (section.kind === 'audio') {
      lines.push(`m=audio ${port} ${profile} ${call.audioPt} 101`);
    } else {
      lines.push(`m=video ${port} ${profile} 96`);
    }
    lines.push(`a=mid:${section.mid}`);
    if (disabled) continue;
    if (section.kind === 'audio') {
      lines.push(call.audioPt === 0 ? 'a=rtpmap:0 PCMU/8000' : 'a=rtpmap:111 opus/48000/2');
      if (call.audioPt === 111) lines.push('a=fmtp:111 minptime=10;useinbandfec=1');
      lines.push('a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=ptime:20');
    } else {
      lines.push('a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack', 'a=rtcp-fb:96 nack pli', 'a=rtcp-fb:96 ccm fir');
    }
    if (sectionDeclaresMidExtension(call, section)) {
      lines.push(`a=extmap:${call.midExtensionId} ${SDES_MID_EXTENSION_URI}`);
    }
    if (call.flavour === 'bundle') lines.push('a=rtcp-mux');
    else lines.push(`a=rtcp:${port + 1}`);
    if (call.sendsXr) lines.push('a=rtcp-xr:rcvr-rtt=all voip-metrics');
    for (const s of call.streams) {
      if (s.mid === section.mid && s.direction === sideDirection(side) && s.signaledSsrc) {
        lines.push(`a=ssrc:${s.ssrc} cname:${ep.cname}`);
      }
    }
    if (section.midApt && section.mid !== change.removedAptMid) lines.push(formatAptDeclaration(section.midApt));
    lines.push('a=sendrecv');
  }
  return lines.join('\r\n') + '\r\n';
}
