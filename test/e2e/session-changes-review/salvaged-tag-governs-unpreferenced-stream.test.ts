/**
 * Found by a review of this session's SDES, KDR, NDJSON, vocabulary and contract changes, fixed since: a broken SDES packet's tag binds only a stream its call names an identifier for besides tags (src/enforce/stream-preferences.ts namesBesideTags, src/pipeline/media-core.ts learnFromChunk).
 */
/**
 * Review of bf822ad (SDES salvage): a broken SDES packet's tag relaxes a stream that signaling
 * binds but no preference governs.
 *
 * Input: the hand-built call of sdes-tags-review (INVITE/200/ACK, A's audio SSRC 1111 bound by
 * a=ssrc), with NO AI-Pref header, no a=aipref and no policy default: the signaled dialog says
 * nothing. Policy apts: apt-raw = user/raw. Frame 4: compound [SR 1111, SDES chunk 1111
 * {CNAME, PRIV aipref "apt-raw", PRIV item of length 0 (no prefix-length byte: sdes-item-overrun)}].
 *
 * Was: the SDES packet is reported malformed-input, yet its salvaged PRIV tag apt-raw binds
 * stream 1111 (session.scope is non-null because the dialog is known) and the SR is exported
 * raw under apt-raw (decision `export raw-allowed`, one line in exports.ndjson). Before bf822ad
 * it was `drop no-preference`. Same with --workers 0 and 2 (replayCall compares both).
 *
 * Correct: bf822ad's own rule (media-core.ts learnFromSdes doc, commit message): a broken packet's
 * tags bind only where signaling governs — "there they only restrict" — and not "for a stream
 * that only tags govern (there a garbled packet would give it what to export under)". A dialog
 * with no AI-Pref value and no a=aipref governs nothing: the tag is the only word, so the garbled
 * packet must not give the stream an export. SPEC §3 "Absence is not consent": the SR is
 * dropped, reason no-preference (as the existing test does for a stream with no dialog at all).
 *
 * Fix: src/pipeline/media-core.ts learnFromSdes: `session.scope !== null` is not "signaling
 * governs". Take a salvaged tag (learnFromChunk with tagsOnly) only for a stream whose
 * preferences without SDES tags are non-empty (signaled/repository/dialog-fallback ids or the
 * operator default) — e.g. check this.preferences.of(stream) before pushing, or keep salvaged
 * tags apart and let them only combine with a non-null governing preference.
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { cname, compound, item, priv, run } from '../sdes-tags-review/helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('a broken SDES tag does not give an unpreferenced signaled stream an export', async () => {
  const x = await run(ws, 'salvage-no-pref', {}, [compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', 'apt-raw'), item(8, new Uint8Array(0))] }])]);
  expect(x.reports.filter((r) => r.type === 'malformed-input').map((r) => r.frame)).toEqual([4]);
  expect(x.decisions.filter((d) => d.pt === 200).map((d) => `${d.frame} ${d.decision} ${d.reason}`)).toEqual(['4 drop no-preference']);
  expect(x.exports).toEqual([]);
});
