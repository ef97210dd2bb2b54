/** The conference (conf-call.ts) with APTs per call, B's 5001 flowing in B's call and forwarded to A (frames 10, 11). */
import { policyOf } from '../e2e-helpers.js';
import type { Pkt } from '../calls-on-any-address.js';
import { conference, rtpOn } from '../conference-review/conf-call.js';

export const pol = (o: Record<string, string>, def?: string) =>
  policyOf({ apts: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { type: 'domain', export: v as 'raw', retention: '1h' }])), ...(def ? { default: def } : {}) } as never);

export const base = (b: string[] = ['a=aipref:session apt-b']): Pkt[] => [
  ...conference({ aSession: ['a=aipref:session apt-a'], bSession: b, cSession: ['a=aipref:session apt-c'] }),
  rtpOn('B', 'SB', 5001, [{ id: 4, v: 'v' }]), // 10
  rtpOn('SA', 'A', 5001, [{ id: 4, v: 'r' }]), // 11
];

export const line = (d: { frame: number; ssrc: number; decision: string; reason: string; apt: readonly string[]; rule?: string }) => ({ frame: d.frame, ssrc: d.ssrc, decision: d.decision, reason: d.reason, apt: d.apt, rule: d.rule });
