/**
 * Found by an audit of the aggregates, fixed since: VoIP-metrics MOS and R factor values outside
 * their RFC 3611 range were averaged in. Frame 271's compound (RR + SDES + XR from 0x3010b529,
 * whose XR carries a VoIP block MOS-LQ 44, MOS-CQ 40, R 75) gets one more XR VoIP block with
 * MOS-LQ 255, MOS-CQ 5, R factor 200; every identifier aggregated-only, 0.5 s windows.
 * Was: "voip":{"blocks":2,"mosLq":14.95,"mosCq":2.25,"rFactor":137.5}. RFC 3611 §4.7.5: MOS-LQ
 * and MOS-CQ are integers 10–50 (MOS × 10), R factor 0–100, 127 unavailable; anything else is
 * no measurement and is left out: {"blocks":2,"mosLq":4.4,"mosCq":4,"rFactor":75}.
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { rewriteSample } from '../srtcp-helpers.js';
import { allAggregated, audit } from './audit.js';
import { splice, xrVoip } from './wire.js';

const A = 0x3010b529;
const B = 0x404c61df;
const ws = new Workspace();
afterAll(() => ws.cleanup());

it('MOS 255 / 5 and R factor 200 (outside RFC 3611 §4.7.5 ranges) are left out of the VoIP means', async () => {
  const file = await rewriteSample(ws, 'mos.pcap', (frame, u) => (frame === 271 ? splice(u.payload, { append: [xrVoip(A, B, { mosLq: 255, mosCq: 5, rFactor: 200 })] }) : null));
  const r = await audit(allAggregated, 0.5, file);
  const agg = [...r.assigned].find(([a, its]) => a.stream.ssrc === A && its.some((i) => i.frame === 271))![0];
  expect(agg.stats.voip).toEqual({ blocks: 2, mosLq: 4.4, mosCq: 4, rFactor: 75 });
});
