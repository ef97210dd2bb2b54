/**
 * What fuzzing replay found (test/fuzz/replay-fuzz.test.ts mutates real captures): each input
 * below once crashed a replay, lost messages without a word, or gave other bytes with two shard
 * threads than with none. Each is fixed; each test failed before its fix.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { parsePolicy, type PolicyFile } from '../../src/policy/policy-file.js';
import { differences, problemsOf, runReplay } from './check.js';
import { type Capture, locate, parsePcap, replacePayload } from './mutate.js';
import { saveRepro, setSipText, sipText, SMALL, SMALL_POLICY, smallWithBodyJson } from './repro-helpers.js';
import { sipOverTcpCapture } from './seeds.js';

let dir: string;
let policy: PolicyFile;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-fuzz-found-'));
  policy = parsePolicy(await readFile(SMALL_POLICY, 'utf8'), 'policy.json');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const thrown = (run: { error?: unknown }) => (run.error === undefined ? '' : String((run.error as Error).stack ?? run.error).slice(0, 600));

describe('a body statement (application/aipref+json) with odd values', () => {
  // String() of an object whose own `toString` key is no function throws: the replay rejected with a TypeError
  it.each(['features', 'integrity'])('%s: {"toString": 1} is read, and the replay runs to its end', async (key) => {
    const capture = smallWithBodyJson(`{"version":1,"statements":[{"id":"urn:example:apt:call-3","type":"user","export":"raw","${key}":{"toString":1}}]}`);
    const run = await runReplay(saveRepro(dir, `body-${key}-tostring`, capture), policy, 0, 20_000);
    expect(thrown(run)).toBe('');
    expect(problemsOf(run, capture.records.length)).toEqual([]);
    // a feature list that is no list grants nothing, and is named
    if (key === 'features') expect(run.reports.some((l) => l.includes('features={\\"toString\\":1} is not in the vocabulary'))).toBe(true);
  });

  // 16 kB of brackets in one datagram overflowed the stack (RangeError) where the document was walked next
  it('nested 8000 levels deep is refused as malformed, and the replay runs to its end', async () => {
    const depth = 8000;
    const capture = smallWithBodyJson(`{"version":1,"statements":[{"id":"urn:example:apt:call-3","type":"user","export":"raw","x-ext":${'['.repeat(depth)}${']'.repeat(depth)}}]}`);
    const run = await runReplay(saveRepro(dir, 'body-deep-json', capture), policy, 0, 20_000);
    expect(thrown(run)).toBe('');
    expect(problemsOf(run, capture.records.length)).toEqual([]);
    expect(run.reports.some((l) => l.includes('"malformed-input"') && l.includes('nested deeper than 16 levels'))).toBe(true);
  });
});

describe('the same bytes whatever the worker count', () => {
  // an RR's LSR was matched against the SRs its core remembered, by SSRC across every call:
  // one core found the SR of the other dialog, two shards did not, and rttMs differed
  it('a re-INVITE under another Call-ID for the same media (as after a transfer): the same round trips', async () => {
    const capture = parsePcap(await readFile(SMALL));
    const text = sipText(capture, 237);
    expect(text).toContain('Call-ID: a030b88f670effa9-1@10.1.0.2\r\nCSeq: 2 INVITE');
    setSipText(capture, 237, text.replace('Call-ID: a030b88f670effa9-1@10.1.0.2', 'Call-ID: transferred-2@10.1.0.2'));
    const file = saveRepro(dir, 'rtt-across-shards', capture);
    const w0 = await runReplay(file, policy, 0, 20_000);
    const w2 = await runReplay(file, policy, 2, 30_000);
    expect(problemsOf(w0, capture.records.length)).toEqual([]);
    expect(w0.exports.some((l) => l.includes('"rttMs":{'))).toBe(true);
    expect(differences(w0, w2)).toEqual([]);
  });

  // rows were ordered by dialog and SSRC only: two unbound streams of one SSRC on two transports
  // came out in creation order from one thread and in shard order from two
  it('two unbound streams sharing an SSRC: the binding table in one order', async () => {
    const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));
    // RTP, SSRC 806401321, from 10.2.0.1:10694 to 10.1.142.1:21106 (two in sequence: from
    // addresses no signaling routes a source counts from its second, RFC 3550 A.1)
    const rtp = hex('806fb357b8a45a853010b529' + '00'.repeat(40));
    const rtpNext = hex('806fb358b8a45b253010b529' + '00'.repeat(40));
    // RR + SDES (CNAME, MID "a") + XR from the same SSRC, 10.2.0.1:10694 to 10.1.0.1:10694
    const rtcp = hex(
      '81c900073010b529404c61df01000000000046d7000001dd3784c11d0000000081ca00073010b529011131663831346437344031302e322e302e310c0161000080cf00113010b52904000002ed003784c11d57ff05000003404c61df3784c11d0000000007000008404c61df01030c080045420600a40073e9c57f104e7f292830000028005000c881cb00013010b529',
    );
    const record = (ts: number, dst: string, dport: number, payload: Uint8Array) => {
      const data = buildEthernetIpv4Udp({ src: '10.2.0.1', dst, sport: 10694, dport, payload });
      return { sec: Math.floor(ts), usec: Math.round((ts % 1) * 1e6), data, origLen: data.length };
    };
    const small = parsePcap(await readFile(SMALL));
    const capture: Capture = { header: small.header, linkType: 1, records: [record(1767225600.5, '10.1.142.1', 21106, rtp), record(1767225600.52, '10.1.142.1', 21106, rtpNext), record(1767225604.5, '10.1.0.1', 10694, rtcp)] };
    const file = saveRepro(dir, 'binding-order', capture);
    const w0 = await runReplay(file, undefined, 0, 20_000);
    const w2 = await runReplay(file, undefined, 2, 30_000);
    expect(w0.result!.bindings.filter((b) => b.ssrc === 806401321)).toHaveLength(2);
    expect(differences(w0, w2)).toEqual([]);
  });
});

// the framer waited for the body to the end; nothing ended the open connections there, so the
// INVITE and every later message of its direction (6 of 32) were lost without a report
describe('a SIP message over TCP still unfinished when the capture ends', () => {
  it('is reported as cut by the end of the capture', async () => {
    const capture = sipOverTcpCapture(parsePcap(await readFile(SMALL)), false, 3);
    // record 4: the first INVITE, after the three-way handshake
    const r = capture.records[3]!;
    const l = locate(capture.linkType, r.data)!;
    const text = new TextDecoder('latin1').decode(r.data.subarray(l.payload, l.payloadEnd));
    expect(text.startsWith('INVITE ')).toBe(true);
    replacePayload(r, l, Uint8Array.from(text.replace(/Content-Length: \d+/, 'Content-Length: 100000'), (ch) => ch.charCodeAt(0)));
    const run = await runReplay(saveRepro(dir, 'tcp-unfinished-at-end', capture), policy, 0, 20_000);
    expect(problemsOf(run, capture.records.length)).toEqual([]);
    const cut = run.reports.map((t) => JSON.parse(t) as { type: string; frame: number; detail: string }).filter((x) => x.type === 'malformed-input');
    expect(cut).toHaveLength(1);
    expect(cut[0]!.frame).toBe(capture.records.length);
    expect(cut[0]!.detail).toMatch(/cut by the end of the capture/);
  });
});
