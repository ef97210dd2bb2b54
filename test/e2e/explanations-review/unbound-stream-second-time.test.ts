/**
 * Found by a review of how decisions explain themselves, fixed since: a scope naming a transport
 * pair retires the unbound session of that pair (and with it the stream's UNBOUND report flag),
 * so a later period without a dialog is a fresh unbound stream, reported again
 * (src/pipeline/media-core.ts applyEvent, retireUnboundOf).
 *
 * Input: hand-built (helpers.ts callOf), policy apt-raw {user, raw}. Call X@h (From tag f1,
 * a=aipref:mid apt-raw, SSRC 1111 on 10.0.0.1:4001 → 10.0.0.2:5001) is set up (frames 1–3),
 * A's SR (frame 4) exported, BYE/200 (5, 6), A's late SR (frame 7) has no dialog. Then the
 * Call-ID X@h is reused by a new call (From tag f2, new branch; frames 8–10) on the same
 * addresses, A's SR (frame 11) exported under it, BYE/200 (12, 13), A's late SR (frame 14)
 * has no dialog again. Frames are 0.1 s apart (well inside the 300 s an unrouted stream is kept).
 * The same with a second call of another Call-ID (Y@h) in place of the reuse.
 *
 * Was: decisions "7 drop no-preference []" and "14 drop no-preference []", but reports.ndjson
 *   holds one line: {"type":"unbound-stream","ts":1767225600.7,"frame":7,"dialog":null,
 *   "ssrc":1111,"detail":"no dialog binds this stream"} — nothing at frame 14; summary
 *   reports {"unbound-stream":1}. (Had call X not been there, frame 14 would be reported.)
 * Correct: a second unbound-stream report at frame 14 (ts 1767225601.4, ssrc 1111, dialog null);
 *   summary {"unbound-stream":2}. SPEC §6: unbound-stream reports telemetry with no dialog; the
 *   telemetry after the second call's BYE is a new occurrence (the stream was bound to another
 *   dialog in between), and whether it is reported must not hang on whether an unrelated earlier
 *   call on the same addresses ended less than 300 s before.
 * Fix: src/pipeline/media-core.ts applyEvent('scope') → retireUnboundOf: the second call's scope
 *   names A:4000 / B:5000, so the unbound session of that pair (unboundSessionKey, the stream
 *   with ReportedFlag.UNBOUND) is retired; the late SR at frame 14 makes a fresh one, reported.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { A, B, replay, rtcp, sr } from '../calls-on-any-address.js';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { callOf } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const policy = policyOf({ apts: { 'apt-raw': { type: 'user', export: 'raw' } } });
const srA = () => rtcp(A, B, 4001, 5001, [sr(1111)]);

describe('unbound-stream again after the stream was bound to another call', () => {
  for (const [name, second] of [
    ['Call-ID reused (new From tag)', callOf('X@h', 'f2', 't2', 10, ['a=aipref:mid apt-raw'])],
    ['another Call-ID', callOf('Y@h', 'f3', 't3', 1, ['a=aipref:mid apt-raw'])],
  ] as const) {
    it(name, async () => {
      const first = callOf('X@h', 'f1', 't1', 1, ['a=aipref:mid apt-raw']);
      const r = await replay(ws, [...first.setup, srA(), ...first.bye, srA(), ...second.setup, srA(), ...second.bye, srA()], policy);
      expect(r.decisions.map((d) => `${d.frame} ${d.decision} ${d.reason} [${d.apt}]`)).toEqual([
        '4 export raw-allowed [apt-raw]',
        '7 drop no-preference []',
        '11 export raw-allowed [apt-raw]',
        '14 drop no-preference []',
      ]);
      expect(r.reports.map((x) => ({ type: x.type, frame: x.frame, ts: x.ts, ssrc: x.ssrc, dialog: x.dialog }))).toEqual([
        { type: 'unbound-stream', frame: 7, ts: 1767225600.7, ssrc: 1111, dialog: null },
        { type: 'unbound-stream', frame: 14, ts: 1767225601.4, ssrc: 1111, dialog: null },
      ]);
      expect((r.summary as { reports: unknown }).reports).toEqual({ 'unbound-stream': 2 });
    });
  }
});
