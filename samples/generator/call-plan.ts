/**
 * The scenario model: everything about one call decided up front from the seed — addresses,
 * tags, SSRCs, which APT identifiers each signaling slot carries, which binding route each
 * stream is meant to take, and when the call and its renegotiation happen. Writing the
 * capture then only follows the plan, and the truth manifest is read off it.
 */
import { SeededRandom } from './seeded-random.js';
import { catalogIds, catalogStatement, type AptStatement } from './apt-catalog.js';

export type CallFlavour = 'bundle' | 'plain';
export type MediaKind = 'audio' | 'video';
export type Direction = 'caller-to-callee' | 'callee-to-caller';
/** SPEC §8 `via` values the generator produces (all but `repository`). */
export type BindingRoute = 'a=ssrc' | 'sdes-mid' | 'rtp-mid' | 'transport' | 'sdes-priv' | 'dialog';
/**
 * remove-aipref: the re-INVITE leaves out an `a=aipref:mid` line; disable-video: it sets the
 * video port to 0; refused: it leaves out the line but the callee answers 488 with
 * `Warning: 399 aipref`, so nothing changes (SPEC §5).
 */
export type RenegotiationKind = 'remove-aipref' | 'disable-video' | 'refused';

/** Routes that tie a stream to an m-section (the others leave it at dialog or SSRC level). */
export const SECTION_ROUTES: readonly BindingRoute[] = ['a=ssrc', 'sdes-mid', 'rtp-mid', 'transport'];

export interface AptDeclaration {
  scope: 'session' | 'group' | 'mid';
  id: string;
  /** inline parameters in the order written, e.g. {export: 'none'} */
  params: Record<string, string>;
}

export interface AiPrefValue {
  id: string;
  params: Record<string, string>;
}

export interface Endpoint {
  address: string;
  user: string;
  tag: string;
  cname: string;
  /** RTP ports per kind; RTCP is port+1 unless the call multiplexes (BUNDLE + rtcp-mux) */
  audioPort: number;
  videoPort: number;
  sessionId: number;
}

export interface SectionPlan {
  kind: MediaKind;
  mid: string;
  midApt: AptDeclaration | null;
}

export interface StreamPlan {
  ssrc: number;
  kind: MediaKind;
  mid: string;
  direction: Direction;
  route: BindingRoute;
  signaledSsrc: boolean;
  sendsRtpMid: boolean;
  sendsSdesMid: boolean;
  sdesPriv: string | null;
  /** reports as a receiver (RR) rather than a sender (SR), as some endpoints do */
  reportsAsReceiver: boolean;
  pt: number;
  clockRate: number;
  /** RTP timestamp step per packet (audio) or per video frame */
  tsStep: number;
  packetIntervalUs: number;
  payloadBytes: number;
  /** video: packets per frame; the last carries the marker bit */
  packetsPerFrame: number;
  startUs: number;
  endUs: number;
}

export interface RenegotiationPlan {
  kind: RenegotiationKind;
  mid: string;
  removedApt: string | null;
  offerUs: number;
  answerUs: number;
  ackUs: number;
  /** the offer and its 200 OK sent again, byte for byte, as a UDP retransmission */
  retransmitUs: number | null;
}

export interface CallPlan {
  index: number;
  callId: string;
  flavour: CallFlavour;
  /** 'multipart': the INVITE carries SDP plus an application/aipref+json part */
  body: 'sdp' | 'multipart';
  caller: Endpoint;
  callee: Endpoint;
  aiPref: AiPrefValue[];
  sessionApts: AptDeclaration[];
  sections: SectionPlan[];
  streams: StreamPlan[];
  /** RFC 8285 id of the sdes:mid extension; declared in every BUNDLE call and where a stream needs it */
  midExtensionId: number;
  sendsXr: boolean;
  audioPt: number;
  renegotiation: RenegotiationPlan | null;
  inviteUs: number;
  answerUs: number;
  ackUs: number;
  byeUs: number;
  byeFrom: 'caller' | 'callee';
}

export interface PlanOptions {
  calls: number;
  durationSec: number;
  videoBytes: number;
  /**
   * Multiplies packet rates (1 = 50 audio / 120 video packets a second). Small committed
   * samples use 0.1 to stay a few hundred packets; RTP timestamps follow the slower clock.
   */
  packetRateScale: number;
}

/**
 * The first calls follow a script so that even a three-call sample shows every binding route
 * and every kind of renegotiation; later calls are drawn at random. Stream order: caller
 * audio, caller video, callee audio, callee video.
 */
interface ScriptedCall {
  flavour: CallFlavour;
  routes: [BindingRoute, BindingRoute, BindingRoute, BindingRoute];
  renegotiation: { kind: RenegotiationKind; retransmitted: boolean } | null;
  body: 'sdp' | 'multipart';
  /** a=aipref lines: identifier and which of its statement's keys are written inline */
  apts: { session: ScriptedApt | null; audio: ScriptedApt | null; video: ScriptedApt | null };
}

type ScriptedApt = [id: string, inlineKeys: (keyof AptStatement)[]];

const SCRIPT: readonly ScriptedCall[] = [
  {
    flavour: 'bundle',
    routes: ['a=ssrc', 'rtp-mid', 'sdes-mid', 'sdes-priv'],
    renegotiation: { kind: 'remove-aipref', retransmitted: true },
    body: 'sdp',
    apts: { session: ['apt-dom-1', ['export', 'retention']], audio: ['apt-user-1', ['features']], video: ['apt-video-1', ['export']] },
  },
  {
    flavour: 'plain',
    routes: ['transport', 'sdes-mid', 'a=ssrc', 'rtp-mid'],
    renegotiation: { kind: 'disable-video', retransmitted: false },
    body: 'sdp',
    apts: { session: ['apt-reg-eu', []], audio: ['apt-user-2', ['export', 'retention', 'features']], video: ['apt-video-3', ['export', 'features']] },
  },
  {
    flavour: 'bundle',
    routes: ['rtp-mid', 'dialog', 'a=ssrc', 'sdes-mid'],
    renegotiation: { kind: 'refused', retransmitted: false },
    body: 'multipart',
    apts: { session: null, audio: ['apt-user-3', ['export', 'retention']], video: null },
  },
];

function scriptedDeclaration(scope: AptDeclaration['scope'], apt: ScriptedApt | null): AptDeclaration | null {
  return apt ? { scope, id: apt[0], params: inlineParams(catalogStatement(apt[0]), apt[1]) } : null;
}

const BUNDLE_ROUTES: readonly BindingRoute[] = ['a=ssrc', 'a=ssrc', 'sdes-mid', 'rtp-mid', 'rtp-mid', 'sdes-priv', 'dialog'];
const PLAIN_ROUTES: readonly BindingRoute[] = ['a=ssrc', 'sdes-mid', 'rtp-mid', 'transport', 'transport'];

const VIDEO_PACKETS_PER_SECOND = 120;
const VIDEO_FRAMES_PER_SECOND = 30;
const AUDIO_PACKET_US = 20_000;
const AUDIO_PAYLOAD_BYTES = 160;

export function inlineParams(statement: AptStatement, keys: readonly (keyof AptStatement)[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const key of keys) {
    const value = statement[key];
    if (value === undefined) continue;
    params[key] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return params;
}

function evenPort(rng: SeededRandom): number {
  return rng.int(5000, 29999) * 2;
}

function endpoint(rng: SeededRandom, address: string, user: string): Endpoint {
  const audioPort = evenPort(rng);
  let videoPort = evenPort(rng);
  while (Math.abs(videoPort - audioPort) < 2) videoPort = evenPort(rng);
  return {
    address,
    user,
    tag: rng.hex(10),
    cname: `${rng.hex(8)}@${address}`,
    audioPort,
    videoPort,
    sessionId: rng.int(1_000_000, 2_000_000_000),
  };
}

function uniqueSsrc(rng: SeededRandom, taken: Set<number>): number {
  for (;;) {
    const s = rng.nextUint32();
    if (s !== 0 && !taken.has(s)) {
      taken.add(s);
      return s;
    }
  }
}

function drawDeclaration(rng: SeededRandom, scope: AptDeclaration['scope'], id: string): AptDeclaration {
  const statement = catalogStatement(id);
  const keySets: (keyof AptStatement)[][] = [['export'], ['export', 'retention'], ['features'], ['export', 'retention', 'features'], []];
  return { scope, id, params: inlineParams(statement, rng.pick(keySets)) };
}

/** The Content-ID of a multipart call's application/aipref+json body part. */
export function aiprefContentId(index: number): string {
  return `aipref-${index}@example.com`;
}

function drawAiPref(rng: SeededRandom, index: number, body: CallPlan['body']): AiPrefValue[] {
  const dialogIds = catalogIds('dialog');
  const first = dialogIds[index % dialogIds.length]!;
  const values: AiPrefValue[] = [{ id: first, params: { scope: 'dialog', type: catalogStatement(first).type } }];
  // §5.2: statements carried in the body are referenced from the header by Content-ID.
  if (body === 'multipart') values[0]!.params['uri'] = `cid:${aiprefContentId(index)}`;
  else if (rng.chance(0.3)) values[0]!.params['uri'] = `https://prefs.example.com/apt/${first.split(':').pop()}`;
  if (rng.chance(0.3)) {
    const second = rng.pick(dialogIds.filter((id) => id !== first));
    values.push({ id: second, params: { scope: 'dialog', type: catalogStatement(second).type, version: String(rng.int(1, 3)) } });
  }
  return values;
}

/** Plans every call of a capture; calls start staggered over the first tenth of the duration. */
export function planCalls(seed: number, opts: PlanOptions): CallPlan[] {
  const root = new SeededRandom(seed);
  const durationUs = Math.round(opts.durationSec * 1e6);
  const plans: CallPlan[] = [];
  for (let i = 0; i < opts.calls; i++) {
    plans.push(planCall(root.fork(i), i, durationUs, opts));
  }
  return plans;
}

function planCall(rng: SeededRandom, index: number, durationUs: number, opts: PlanOptions): CallPlan {
  const scripted = SCRIPT[index];
  const flavour: CallFlavour = scripted?.flavour ?? (rng.chance(0.5) ? 'bundle' : 'plain');
  // Each call gets its own pair of hosts, so that transport addresses never collide between calls.
  const host = `${((index + 1) >> 8) & 0xff}.${(index + 1) & 0xff}`;
  const caller = endpoint(rng, `10.1.${host}`, `alice${index}`);
  const callee = endpoint(rng, `10.2.${host}`, `bob${index}`);
  const callId = `${rng.hex(16)}-${index}@${caller.address}`;

  const staggerUs = opts.calls > 1 ? Math.floor((durationUs * 0.1 * index) / opts.calls) : 0;
  const inviteUs = staggerUs + rng.int(0, 200_000);
  const answerUs = inviteUs + rng.int(200_000, 800_000);
  const ackUs = answerUs + 20_000;
  const minimumCallUs = 2_000_000;
  const byeUs = Math.max(ackUs + minimumCallUs, durationUs - rng.int(100_000, Math.max(200_000, Math.floor(durationUs * 0.05))));

  const sessionApts: AptDeclaration[] = [];
  if (scripted) {
    const d = scriptedDeclaration('session', scripted.apts.session);
    if (d) sessionApts.push(d);
  } else if (index % 5 !== 4) sessionApts.push(drawDeclaration(rng, 'session', rng.pick(catalogIds('session'))));
  if (!scripted && flavour === 'bundle' && rng.chance(0.3)) sessionApts.push(drawDeclaration(rng, 'group', rng.pick(catalogIds('group'))));

  const renegotiationChoice =
    scripted !== undefined
      ? scripted.renegotiation
      : rng.chance(0.3)
        ? { kind: rng.pick(['remove-aipref', 'remove-aipref', 'disable-video', 'disable-video', 'refused'] as const), retransmitted: rng.chance(0.3) }
        : null;

  const audioMidApt = scripted
    ? scriptedDeclaration('mid', scripted.apts.audio)
    : rng.chance(0.6)
      ? drawDeclaration(rng, 'mid', rng.pick(catalogIds('audio')))
      : null;
  const videoMidApt = scripted
    ? scriptedDeclaration('mid', scripted.apts.video)
    : rng.chance(0.6)
      ? drawDeclaration(rng, 'mid', rng.pick(catalogIds('video')))
      : null;
  const sections: SectionPlan[] = [
    { kind: 'audio', mid: 'a', midApt: audioMidApt },
    { kind: 'video', mid: 'v', midApt: videoMidApt },
  ];
  // A removal needs something to remove: make sure the section it targets declares an APT.
  if (renegotiationChoice && renegotiationChoice.kind !== 'disable-video' && !sections.some((s) => s.midApt)) {
    sections[0]!.midApt = drawDeclaration(rng, 'mid', rng.pick(catalogIds('audio')));
  }

  const renegotiationTarget = renegotiationChoice
    ? renegotiationChoice.kind === 'disable-video'
      ? sections[1]!
      : (sections.find((s) => s.midApt) ?? sections[0]!)
    : null;

  const audioPt = rng.chance(0.5) ? 0 : 111;
  const routes = scripted?.routes ?? [0, 1, 2, 3].map(() => rng.pick(flavour === 'bundle' ? BUNDLE_ROUTES : PLAIN_ROUTES));
  const taken = new Set<number>();
  const streams: StreamPlan[] = [];
  const layout: [MediaKind, Direction][] = [
    ['audio', 'caller-to-callee'],
    ['video', 'caller-to-callee'],
    ['audio', 'callee-to-caller'],
    ['video', 'callee-to-caller'],
  ];
  layout.forEach(([kind, direction], k) => {
    const route = routes[k]!;
    const section = sections.find((s) => s.kind === kind)!;
    const startUs = (direction === 'caller-to-callee' ? ackUs : answerUs) + rng.int(1_000, 15_000);
    // The a=ssrc streams of a BUNDLE call also carry the mid, as WebRTC endpoints do.
    const sendsRtpMid = route === 'rtp-mid' || (route === 'a=ssrc' && flavour === 'bundle');
    // Some section-bound streams repeat their section's identifier in SDES PRIV — but not in a
    // section whose line a re-INVITE removes: the media-plane tag would keep it alive (SPEC §2).
    const sdesPriv =
      route === 'sdes-priv'
        ? rng.pick(catalogIds('sdes-priv'))
        : SECTION_ROUTES.includes(route) && section.midApt && rng.chance(0.3) && section !== renegotiationTarget
          ? section.midApt.id
          : null;
    const audio = kind === 'audio';
    const audioIntervalUs = AUDIO_PACKET_US / opts.packetRateScale;
    const framesPerSecond = VIDEO_FRAMES_PER_SECOND * opts.packetRateScale;
    streams.push({
      ssrc: uniqueSsrc(rng, taken),
      kind,
      mid: section.mid,
      direction,
      route,
      signaledSsrc: route === 'a=ssrc',
      sendsRtpMid,
      sendsSdesMid: route === 'sdes-mid' || (route === 'a=ssrc' && flavour === 'bundle'),
      sdesPriv,
      reportsAsReceiver: rng.chance(0.15),
      pt: audio ? audioPt : 96,
      clockRate: audio ? (audioPt === 0 ? 8000 : 48000) : 90000,
      tsStep: audio ? ((audioPt === 0 ? 8000 : 48000) * audioIntervalUs) / 1e6 : Math.round(90000 / framesPerSecond),
      packetIntervalUs: audio ? audioIntervalUs : 1e6 / (VIDEO_PACKETS_PER_SECOND * opts.packetRateScale),
      payloadBytes: audio ? AUDIO_PAYLOAD_BYTES : opts.videoBytes,
      packetsPerFrame: audio ? 1 : VIDEO_PACKETS_PER_SECOND / VIDEO_FRAMES_PER_SECOND,
      startUs,
      endUs: byeUs - 20_000,
    });
  });

  let renegotiation: RenegotiationPlan | null = null;
  const firstMediaUs = Math.max(...streams.map((s) => s.startUs));
  const offerUs = Math.floor((firstMediaUs + byeUs) / 2);
  const retransmitUs = renegotiationChoice?.retransmitted ? offerUs + 500_000 : null;
  if (renegotiationChoice && renegotiationTarget && (retransmitUs ?? offerUs + 100_000) + 100_000 < byeUs - 40_000) {
    const target = renegotiationTarget;
    renegotiation = {
      kind: renegotiationChoice.kind,
      mid: target.mid,
      removedApt: target.midApt?.id ?? null,
      offerUs,
      answerUs: offerUs + 40_000,
      ackUs: offerUs + 60_000,
      retransmitUs,
    };
    // A disabled m-section stops sending once the answer confirms it.
    if (renegotiation.kind === 'disable-video') {
      for (const s of streams) if (s.kind === 'video') s.endUs = renegotiation.answerUs + 5_000;
    }
  }

  const body = scripted?.body ?? (rng.chance(0.15) ? 'multipart' : 'sdp');
  return {
    index,
    callId,
    flavour,
    body,
    caller,
    callee,
    aiPref: drawAiPref(rng, index, body),
    sessionApts,
    sections,
    streams,
    midExtensionId: rng.int(1, 14),
    sendsXr: index < SCRIPT.length || rng.chance(0.6),
    audioPt,
    renegotiation,
    inviteUs,
    answerUs,
    ackUs,
    byeUs,
    byeFrom: rng.chance(0.5) ? 'caller' : 'callee',
  };
}

/** The APT identifiers an m-section has from its own line and the session/group lines. */
export function sectionApts(call: CallPlan, section: SectionPlan, withMidLine: boolean): string[] {
  const ids: string[] = [];
  if (withMidLine && section.midApt) ids.push(section.midApt.id);
  for (const d of call.sessionApts) {
    // group lines at session level cover every m-section named by a=group: in BUNDLE calls, all.
    if (d.scope === 'session' || (d.scope === 'group' && call.flavour === 'bundle')) ids.push(d.id);
  }
  return ids;
}

export function dialogApts(call: CallPlan): string[] {
  return call.aiPref.filter((v) => v.params['scope'] === 'dialog').map((v) => v.id);
}

/** What the generator means to govern a stream once the initial offer/answer is done. */
export function intendedStreamApts(call: CallPlan, stream: StreamPlan): string[] {
  // A stream tied to no m-section is governed by what governs them all (session scope,
  // session-level group lines in BUNDLE calls), and only where nothing does by the dialog-level
  // values (SPEC §2.3, §2.5), as a bound stream is; an SDES PRIV tag only adds to those (SPEC §2).
  const everySection = call.sections.length > 0 ? sectionApts(call, call.sections[0]!, false) : [];
  const unbound = everySection.length > 0 ? everySection : dialogApts(call);
  if (stream.route === 'sdes-priv') return [...new Set([...unbound, stream.sdesPriv!])];
  if (stream.route === 'dialog') return unbound;
  const section = call.sections.find((s) => s.mid === stream.mid)!;
  const ids = sectionApts(call, section, true);
  return ids.length > 0 ? ids : dialogApts(call);
}
