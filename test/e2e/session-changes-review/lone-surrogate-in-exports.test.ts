/**
 * Found by a review of this session's SDES, KDR, NDJSON, vocabulary and contract changes, fixed since: a JSON body part's strings and keys are made well formed when read (src/signaling/ai-pref-body.ts wellFormed, src/policy/json-text.ts wellFormedText).
 */
/**
 * Review of 63cc0b9 (contract: well-formed strings): only report lines were repaired; an export
 * line still carries lone surrogates that a SIP body put there.
 *
 * Input: INVITE with AI-Pref `apt-b;scope=session;type=user;export=raw;retention=1h;uri=<cid:s1@x>`
 * and a multipart body whose part <s1@x> is application/aipref+json
 * `{"id":"apt-b","type":"user","export":"raw","retention":"1h","x-note":"a\ud800b","x-\udfffk":1}`
 * (JSON escapes naming lone surrogates: JSON.parse accepts them); 200 OK; an RR of SSRC 1111.
 *
 * Was: the RR is exported raw and its line carries the statement's unknown keys (SPEC §3: "kept
 * and passed through") as `"extensions":{"apt-b":{"x-note":"a\ud800b","x-\udfffk":1}}` — a
 * lone high and a lone low surrogate, in a value and in a key, written to exports.ndjson and sent
 * the same way (JSON.stringify(line)) to the HTTP/WebSocket AI service and NATS. A strict
 * consumer (I-JSON, serde_json: "lone leading surrogate in hex escape") refuses the whole line.
 *
 * Correct: the rule 63cc0b9 set for report lines holds for every output line (SPEC §8 record
 * contract; RFC 8259 §8.2, RFC 7493 §2.1 I-JSON: strings MUST NOT contain lone surrogates): the
 * half left is U+FFFD, as an undecodable byte is. Wire input chooses these strings; it is not an
 * operator-only path (a policy-file id would be).
 *
 * Fix: make the extension keys and values well formed where a statement part is read
 * (src/policy/body-statements.ts / statement.ts, keys and nested string values: toWellFormed),
 * or serialise export lines with report.ts's `wellFormed` replacer (media-core.ts exports push,
 * windows' aggregate lines, http/nats exporters) — repairing keys too (a replacer sees values
 * only, so repair at read time is simpler).
 */
import { afterAll, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { type PcapRecord, replayLines, Workspace, writePcapRecords } from '../e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
  it('a lone surrogate from a SIP body reaches no export line unrepaired', async () => {
    const A = '10.0.0.1';
    const B = '10.0.0.2';
    const sdp = (addr: string, port: number, ssrc: number) => ['v=0', `o=u 1 1 IN IP4 ${addr}`, 's=-', `c=IN IP4 ${addr}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=mid:a', `a=ssrc:${ssrc} cname:x@y`, ''].join('\r\n');
    const message = (lines: string[], body: Uint8Array = new Uint8Array(0)) => Buffer.concat([Buffer.from([...lines, `Content-Length: ${body.length}`].join('\r\n') + '\r\n\r\n'), body]);
    const part = Buffer.from('{"id": "apt-b", "type": "user", "export": "raw", "retention": "1h", "x-note": "a\\ud800b", "x-\\udfffk": 1}');
    const body = Buffer.concat([Buffer.from(`--bnd\r\nContent-Type: application/sdp\r\n\r\n${sdp(A, 20000, 1111)}\r\n--bnd\r\nContent-Type: application/aipref+json\r\nContent-ID: <s1@x>\r\n\r\n`), part, Buffer.from('\r\n--bnd--\r\n')]);
    const dialog = ['From: <sip:a@x>;tag=ft1', 'Call-ID: c1@x'];
    const invite = message(['INVITE sip:b@y SIP/2.0', `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-c1-1`, ...dialog, 'To: <sip:b@y>', 'CSeq: 1 INVITE', 'AI-Pref: apt-b;scope=session;type=user;export=raw;retention=1h;uri=<cid:s1@x>', 'Content-Type: multipart/mixed;boundary=bnd'], body);
    const ok = message(['SIP/2.0 200 OK', `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-c1-1`, ...dialog, 'To: <sip:b@y>;tag=tt1', 'CSeq: 1 INVITE', 'Content-Type: application/sdp'], Buffer.from(sdp(B, 30000, 2222)));
    const rtcp = encodeRtcpCompound([{ pt: 201, ssrc: 1111, reports: [{ ssrc: 2222, fractionLost: 1, cumulativeLost: 2, highestSeq: 3, jitter: 4, lsr: 0, dlsr: 0 }] }]);
    const sip = (src: string, dst: string, payload: Uint8Array) => buildEthernetIpv4Udp({ src, dst, sport: 5060, dport: 5060, payload });
    const frames = [sip(A, B, invite), sip(B, A, ok), buildEthernetIpv4Udp({ src: A, dst: B, sport: 20001, dport: 30001, payload: rtcp })];
    const records: PcapRecord[] = frames.map((data, i) => ({ ts: 1767225600 + (i + 1) / 100, data }));
    const file = await ws.file('lone-export.pcap');
    await writePcapRecords(file, encodePcapFileHeader(1), records);
    const out = await replayLines({ capture: file, explain: true });
    const loneEscape = /\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i;
    const texts = [out.exports, out.reports, out.decisions].map((t) => (Array.isArray(t) ? t.join('\n') : String(t)));
    for (const text of texts) expect(loneEscape.test(text)).toBe(false);
    // the statement's extension reached the export (the path was exercised), repaired
    expect(texts[0]).toContain('"x-note"');
  });
