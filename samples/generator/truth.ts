/**
 * The truth manifest: what the generator meant, written beside a capture (`--truth file.json`)
 * and returned by `generateCapture`, so that binding and enforcement tests can compare the
 * enforcer's view with the generator's intent. All frame numbers are 1-based capture record
 * numbers (SPEC §8 `frame`); times are seconds since the epoch with microsecond precision.
 *
 * {
 *   format: "aipref-samples-truth/1",
 *   generator: {seed, calls, durationSec, videoBytes, packetRateScale, snapLen, linkType, startTime},
 *   packets: {total, sip, rtp, rtcp},            // every record of the capture is one of these
 *   calls: [{
 *     index, callId, fromTag, toTag,             // the dialog (fromTag = caller's, toTag = callee's)
 *     flavour: "bundle" | "plain",               // BUNDLE + rtcp-mux, or RTCP on port+1 per m-section
 *     body: "sdp" | "multipart",                 // multipart = SDP + application/aipref+json part
 *     caller: {address, sipPort}, callee: {address, sipPort},
 *     aiPref: [{id, params}],                    // every AI-Pref value of the INVITE (params as written)
 *     dialogApt: [ids],                          // the scope=dialog values: the implicit fallback
 *     sdp: {session: [{scope, id, params}],      // session-level a=aipref lines (scope session|group)
 *           mids: {<mid>: [{scope: "mid", id, params}]}},  // media-level lines; offer and answer agree
 *     sections: [{mid, kind, callerPort, calleePort, rtcpMux, midExtensionId|null}],
 *     sip: [{frame, ts, message, cseq, from: "caller"|"callee", retransmission}],
 *                                                // message: "INVITE", "ACK", "BYE" or a status code "200"
 *     streams: [{
 *       ssrc, mid, kind: "audio"|"video", direction: "caller-to-callee"|"callee-to-caller",
 *       via,                                     // SPEC §8 via the generator intended: the first route of
 *                                                // SPEC §2's order that applies (a=ssrc, sdes-mid, rtp-mid,
 *                                                // transport), else sdes-priv (SDES PRIV aipref only), else
 *                                                // dialog (no precise binding: dialog-level AI-Pref)
 *       apt: [ids],                              // what signaling alone makes govern it after the initial
 *                                                // offer/answer (a policy file's `dialogs` entries add to it);
 *                                                // for sdes-priv, the dialog-level ids and the PRIV tag
 *       signaledSsrc, sendsRtpMid, sendsSdesMid, sdesPriv: id|null,
 *       pt, clockRate,
 *       src: {address, rtpPort, rtcpPort}, dst: {address, rtpPort, rtcpPort},
 *       firstFrame, lastFrame, rtpPackets, rtcpCompounds
 *     }],
 *     renegotiations: [{
 *       kind: "remove-aipref" | "disable-video" | "refused", cseq,   // refused: answered 488 + Warning 399 aipref
 *       offerFrame, answerFrame, ackFrame, offerTs, answerTs,
 *       retransmitFrames: [frames],              // identical copies of offer and answer: change nothing
 *       removed: {mid, apt: id|null},            // the a=aipref:mid removed (or offered for removal),
 *                                                // or the disabled m-section
 *       affectedSsrcs: [ssrcs],                  // streams bound to that m-section
 *       fallback: [ids]                          // what governs them after the answer: the remaining
 *                                                // session/group ids (else the dialog ids); [] when
 *                                                // disabled; unchanged when refused
 *     }],
 *     inviteTs, byeTs
 *   }],
 *   rtcp: [{frame, ts, ssrc, callIndex, pts: [packet types in order]}]   // every RTCP compound
 * }
 */
import type { AiPrefValue, AptDeclaration, BindingRoute, CallFlavour, Direction, MediaKind, RenegotiationKind } from './call-plan.js';

export const TRUTH_FORMAT = 'aipref-samples-truth/1';

export interface TransportTruth {
  address: string;
  rtpPort: number;
  rtcpPort: number;
}

export interface StreamTruth {
  ssrc: number;
  mid: string;
  kind: MediaKind;
  direction: Direction;
  via: BindingRoute;
  apt: string[];
  signaledSsrc: boolean;
  sendsRtpMid: boolean;
  sendsSdesMid: boolean;
  sdesPriv: string | null;
  pt: number;
  clockRate: number;
  src: TransportTruth;
  dst: TransportTruth;
  firstFrame: number;
  lastFrame: number;
  rtpPackets: number;
  rtcpCompounds: number;
}

export interface SipFrameTruth {
  frame: number;
  ts: number;
  message: string;
  cseq: number;
  from: 'caller' | 'callee';
  retransmission: boolean;
}

export interface RenegotiationTruth {
  kind: RenegotiationKind;
  cseq: number;
  offerFrame: number;
  answerFrame: number;
  ackFrame: number;
  offerTs: number;
  answerTs: number;
  retransmitFrames: number[];
  removed: { mid: string; apt: string | null };
  affectedSsrcs: number[];
  fallback: string[];
}

export interface SectionTruth {
  mid: string;
  kind: MediaKind;
  callerPort: number;
  calleePort: number;
  rtcpMux: boolean;
  midExtensionId: number | null;
}

export interface CallTruth {
  index: number;
  callId: string;
  fromTag: string;
  toTag: string;
  flavour: CallFlavour;
  body: 'sdp' | 'multipart';
  caller: { address: string; sipPort: number };
  callee: { address: string; sipPort: number };
  aiPref: AiPrefValue[];
  dialogApt: string[];
  sdp: { session: AptDeclaration[]; mids: Record<string, AptDeclaration[]> };
  sections: SectionTruth[];
  sip: SipFrameTruth[];
  streams: StreamTruth[];
  renegotiations: RenegotiationTruth[];
  inviteTs: number;
  byeTs: number;
}

export interface RtcpCompoundTruth {
  frame: number;
  ts: number;
  ssrc: number;
  callIndex: number;
  pts: number[];
}

export interface GenerationTruth {
  format: typeof TRUTH_FORMAT;
  generator: {
    seed: number;
    calls: number;
    durationSec: number;
    videoBytes: number;
    packetRateScale: number;
    snapLen: number;
    linkType: number;
    startTime: number;
  };
  packets: { total: number; sip: number; rtp: number; rtcp: number };
  calls: CallTruth[];
  rtcp: RtcpCompoundTruth[];
}
