/**
 * The small files committed under samples/, all produced here so they can be regenerated
 * (`npm run samples -- --small`) rather than hand-edited: a three-call capture with its truth
 * manifest, the policy file that resolves every APT identifier the generator uses, and SIP/SDP
 * texts of the same calls for signaling parser tests.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { APT_CATALOG } from './apt-catalog.js';
import { planCalls, type CallPlan } from './call-plan.js';
import { generateCapture, type GenerateOptions } from './generate-capture.js';
import { buildSdp } from './sdp-text.js';
import { scriptCall } from './sip-script.js';
import type { GenerationTruth } from './truth.js';

/** The committed capture: three calls (BUNDLE, plain, BUNDLE+multipart), one renegotiation of each kind. */
export const SMALL_SAMPLE_OPTIONS = {
  calls: 3,
  durationSec: 5,
  seed: 7,
  videoBytes: 300,
  packetRateScale: 0.1,
} as const satisfies GenerateOptions;

export interface PolicyFile {
  apts: Record<string, Record<string, unknown>>;
  dialogs: { callId: string; fromTag?: string; toTag?: string; apt: string[] }[];
  default: null;
  window: string;
}

/** SPEC §9 policy: every catalog identifier, plus repository entries for two of the calls. */
export function buildPolicy(truth: GenerationTruth): PolicyFile {
  const apts: PolicyFile['apts'] = {};
  for (const e of APT_CATALOG) apts[e.id] = { ...e.statement };
  const [first, second] = truth.calls;
  const dialogs: PolicyFile['dialogs'] = [];
  if (first) dialogs.push({ callId: first.callId, fromTag: first.fromTag, toTag: first.toTag, apt: ['apt-repo-1'] });
  // Tags omitted: the entry matches the Call-ID whatever the tags (SPEC §9).
  if (second) dialogs.push({ callId: second.callId, apt: ['apt-reg-eu'] });
  return { apts, dialogs, default: null, window: '10s' };
}

/** SIP and SDP texts of the small sample's calls, by file name under samples/. */
export function signalingTexts(calls: readonly CallPlan[]): Record<string, string> {
  const [bundle, plain, multipart] = calls;
  if (!bundle || !plain || !multipart) throw new RangeError('the small sample needs three calls');
  const script = (c: CallPlan) => scriptCall(c);
  const first = (c: CallPlan, pick: (m: ReturnType<typeof scriptCall>[number]) => boolean): string => {
    const m = script(c).find(pick);
    if (!m) throw new RangeError(`call ${c.index} has no such message`);
    return m.text;
  };
  const reOffer = (c: CallPlan) => first(c, (m) => m.renegotiation === 'offer');
  const refused = first(multipart, (m) => m.renegotiation === 'answer');
  return {
    'sip/invite-bundle.sip': first(bundle, (m) => m.message === 'INVITE' && m.cseq === 1),
    'sip/invite-multipart.sip': first(multipart, (m) => m.message === 'INVITE' && m.cseq === 1),
    'sip/200-answer-plain.sip': first(plain, (m) => m.message === '200' && m.cseq === 1),
    'sip/reinvite-remove-aipref.sip': reOffer(bundle),
    'sip/reinvite-disable-video.sip': reOffer(plain),
    'sip/reinvite-refused.sip': reOffer(multipart),
    'sip/488-aipref-refused.sip': refused,
    'sdp/offer-bundle.sdp': buildSdp(bundle, 'caller', 1),
    'sdp/answer-bundle.sdp': buildSdp(bundle, 'callee', 1),
    'sdp/offer-plain.sdp': buildSdp(plain, 'caller', 1),
    'sdp/reoffer-remove-aipref.sdp': buildSdp(bundle, 'caller', 2, { removedAptMid: bundle.renegotiation!.mid }),
    'sdp/reoffer-disable-video.sdp': buildSdp(plain, 'caller', 2, { disabledMid: 'v' }),
  };
}

/** Writes every committed sample under `samplesDir` (a URL ending in '/'); returns the paths. */
export async function writeCommittedSamples(samplesDir: URL): Promise<string[]> {
  const written: string[] = [];
  const at = (name: string): URL => new URL(name, samplesDir);
  const truth = await generateCapture(
    { ...SMALL_SAMPLE_OPTIONS, truthPath: at('call-small.truth.json').pathname },
    at('call-small.pcap').pathname,
  );
  written.push('call-small.pcap', 'call-small.truth.json');
  await writeFile(at('policy.json'), JSON.stringify(buildPolicy(truth), null, 2) + '\n');
  written.push('policy.json');
  await mkdir(at('sip/'), { recursive: true });
  await mkdir(at('sdp/'), { recursive: true });
  const calls = planCalls(SMALL_SAMPLE_OPTIONS.seed, SMALL_SAMPLE_OPTIONS);
  for (const [name, text] of Object.entries(signalingTexts(calls))) {
    await writeFile(at(name), text);
    written.push(name);
  }
  return written;
}
