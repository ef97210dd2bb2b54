/**
 * Found by a review of SPEC §8's command-line and record contract, fixed since: every string of a report line is well formed: half a character left by a cut (or a lone surrogate a JSON body escaped) is U+FFFD (src/report/report.ts reportJson).
 */
/**
 * A report's `detail` cut in the middle of a UTF-16 surrogate pair: a lone surrogate in the output.
 *
 * Input: one INVITE, well-formed UTF-8 throughout, whose SDP carries an `a=aipref:` line with an
 *   unterminated quoted identifier and whose `AI-Pref` header value is an unterminated quoted
 *   string, each with an emoji (U+1F600, a surrogate pair in a JS string) placed where the
 *   report's text is cut (value.slice(0, 60) then detail.slice(0, 80) for the SDP; the header
 *   text .slice(0, 80)).
 *   `replay <capture> --out <dir> --workers 0`.
 * Was: both malformed-input reports end their `detail` with `\ud83d)`: the high surrogate of the
 *   emoji without its low half. The line is not a Unicode string: Python's json reads it but
 *   cannot encode it back to UTF-8, Rust's serde_json refuses the line ("lone leading surrogate"),
 *   and I-JSON (RFC 7493 §2.1) forbids it. The same text reaches an AI service or NATS when live.
 * Correct: SPEC §7/§8 — records are NDJSON in UTF-8 (RFC 8259 §8.1); input that is valid UTF-8
 *   must never come out as a string that is not (RFC 8259 §8.2: strings of Unicode characters).
 *   Every string in reports.ndjson is well formed (String.prototype.isWellFormed).
 * Fix: cut text by code points, never between a high and a low surrogate: one helper (e.g.
 *   `clip(text, n)` that drops a trailing high surrogate) used wherever wire text is shortened
 *   for a report — src/pipeline/signaling-front.ts (`ev.detail.slice(0, 80)`),
 *   src/signaling/ai-pref-header.ts (`.slice(0, 80)`), src/signaling/sdp-aipref.ts
 *   (`value.slice(0, 60)`, `.slice(0, 40)`), src/signaling/aipref-refusal.ts,
 *   src/signaling/ai-pref-body.ts (`duplicate.path.slice(0, 80)`), src/policy/integrity.ts
 *   (`.slice(0, 200)`), src/media/srtcp.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { request, sdpOf, writeCall } from '../../e2e/hand-built-calls.js';
import { cli, Workspace } from '../../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const EMOJI = '\u{1F600}';

/** every string (keys and values) in a parsed JSON value */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(k), strings(x, out);
  return out;
}

describe('a report detail that shortens wire text', () => {
  it('never splits a surrogate pair (every string in reports.ndjson is well-formed Unicode)', async () => {
    const capture = await ws.file('surrogate.pcap');
    // 'mid "' + 46 x: the emoji's high surrogate is the 52nd character of the value, the last
    // one the report keeps; '"' + 78 y: the 80th character of the header value
    const sdp = sdpOf('a', [`a=aipref:mid "${'x'.repeat(46)}${EMOJI}tail`]);
    const header = `AI-Pref: "${'y'.repeat(78)}${EMOJI}zz;scope=dialog`;
    await writeCall(capture, (at) => at(0, request('INVITE', 1, sdp, [header], ''), true));
    const out = path.join(await ws.folder(), 'out');
    const r = await cli('replay', capture, '--out', out, '--workers', '0');
    expect(r.code).toBe(0);
    const lines = (await readFile(path.join(out, 'reports.ndjson'), 'utf8')).split('\n').filter(Boolean);
    const malformed = lines.map((l) => JSON.parse(l) as { type: string; detail?: string }).filter((x) => x.type === 'malformed-input');
    // the two broken values are reported (what this test is about)
    expect(malformed.length).toBe(2);
    const broken = lines.flatMap((l) => strings(JSON.parse(l))).filter((s) => !(s as string & { isWellFormed(): boolean }).isWellFormed());
    expect(broken).toEqual([]);
  });
});
