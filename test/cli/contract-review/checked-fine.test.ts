/**
 * SPEC §8 (the command-line and record contract), read line by line against the CLI: the checks
 * that came out fine. Each drives bin/aipref-enforcer.js as a child process.
 *
 * - record shapes on the sample replay: every export line has type, requestId, ts, expiresAt,
 *   dialog {callId, fromTag, toTag}, stream {ssrc, mid, kind}, apt [ids], decision and either
 *   item (telemetry, decision export) or window {start, end} + stats (aggregate, decision
 *   aggregate, no item); every report line type, ts, frame, dialog (object or null), and mid /
 *   ssrc / apt / fallback / detail only with their types; every decision line frame, ts, ssrc,
 *   pt, feature, decision (export|aggregate|drop), reason, apt, fmt only on RTPFB/PSFB, block only
 *   on XR; the --json summary has exactly the SPEC keys in the SPEC order;
 * - one JSON object per line, every file ending in a newline, byte-identical with 0 and 2 workers;
 * - invalid UTF-8 in a Call-ID, a From tag, an unknown header, an AI-Pref parameter, an SDES
 *   CNAME and NOTE, a BYE reason, an APP name: exports, reports, decisions, inspect --json and
 *   bindings --json are valid UTF-8 and valid JSON (bad bytes become U+FFFD);
 * - SSRCs and 32-bit fields of 2^31 and over are unsigned everywhere (exports, decisions,
 *   inspect --json, bindings --json);
 * - a nanosecond pcap: every time (ts, expiresAt, window start/end) has microsecond precision;
 * - exit codes: a missing file, a file that is no capture, an empty file → 1, one stderr line
 *   naming the file and "at byte 0"; an unknown option, a missing capture, --workers/--window
 *   out of range, an option another command takes → 2; --help and `<command> --help` → usage on
 *   stdout, exit 0; no command → usage on stderr, exit 2; `replay --json` prints exactly one
 *   JSON line on stdout, nothing else;
 * - a second run into the same --out truncates the files, and one without --explain removes the
 *   decisions.ndjson the first left;
 * - mutated copies of the sample (bytes flipped inside records): exit 0, output valid, decisions
 *   by outcome = summary telemetry, telemetry lines = telemetry.export, report lines by type =
 *   summary reports (workers 0 and 2; 200 more seeds were run by hand with the same result).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { BIN, cli, SMALL_PCAP, SMALL_POLICY, Workspace } from '../../e2e/e2e-helpers.js';
import { request, response, sdpOf, writeCall } from '../../e2e/hand-built-calls.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
type Json = Record<string, any>;

async function replayFiles(capture: string, args: string[], name: string): Promise<{ code: number; stdout: string; files: Record<string, string> }> {
  const out = path.join(await ws.folder(), name);
  const r = await cli('replay', capture, '--out', out, ...args);
  const files: Record<string, string> = {};
  for (const f of ['exports', 'reports', 'decisions']) {
    const p = path.join(out, `${f}.ndjson`);
    if (existsSync(p)) files[f] = strictUtf8.decode(await readFile(p));
  }
  return { code: r.code, stdout: r.stdout, files };
}

const linesOf = (text: string): Json[] => {
  if (text.length > 0) expect(text.endsWith('\n')).toBe(true);
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
};
const isTime = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && Math.abs(Math.round(x * 1e6) - x * 1e6) < 1e-3;
const isU32 = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffffffff;
const isIds = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');
const isDialog = (d: unknown) => d === null || (typeof d === 'object' && ['callId', 'fromTag', 'toTag'].every((k) => k in (d as object)));

function checkRecords(files: Record<string, string>): void {
  for (const e of linesOf(files.exports ?? '')) {
    expect(['telemetry', 'aggregate']).toContain(e.type);
    expect(typeof e.requestId).toBe('string');
    expect(isTime(e.ts) && isTime(e.expiresAt)).toBe(true);
    expect(isDialog(e.dialog)).toBe(true);
    expect(isU32(e.stream.ssrc) && 'mid' in e.stream && 'kind' in e.stream).toBe(true);
    expect(isIds(e.apt)).toBe(true);
    if (e.type === 'aggregate') {
      expect(e.decision).toBe('aggregate');
      expect('item' in e).toBe(false);
      expect(isTime(e.window.start) && isTime(e.window.end) && typeof e.stats === 'object').toBe(true);
    } else {
      expect(e.decision).toBe('export');
      expect('item' in e && !('stats' in e)).toBe(true);
    }
  }
  for (const r of linesOf(files.reports ?? '')) {
    expect(typeof r.type).toBe('string');
    expect(isTime(r.ts)).toBe(true);
    expect(Number.isInteger(r.frame) && r.frame >= 0).toBe(true);
    expect(isDialog(r.dialog)).toBe(true);
    if ('mid' in r) expect(typeof r.mid).toBe('string');
    if ('ssrc' in r) expect(isU32(r.ssrc)).toBe(true);
    if ('apt' in r) expect(isIds(r.apt)).toBe(true);
    if ('fallback' in r) expect(isIds(r.fallback)).toBe(true);
    if ('detail' in r) expect(typeof r.detail).toBe('string');
  }
  for (const d of linesOf(files.decisions ?? '')) {
    expect(Number.isInteger(d.frame) && d.frame >= 1).toBe(true);
    expect(isTime(d.ts) && isU32(d.ssrc) && Number.isInteger(d.pt)).toBe(true);
    expect(['media-metrics', 'rtcp-xr', 'feedback', 'sdes', 'app']).toContain(d.feature);
    expect(['export', 'aggregate', 'drop']).toContain(d.decision);
    expect(typeof d.reason).toBe('string');
    expect(isIds(d.apt)).toBe(true);
    expect('fmt' in d).toBe(d.pt === 205 || d.pt === 206);
    expect('block' in d).toBe(d.pt === 207);
  }
}

const concat = (...parts: (string | number[] | Uint8Array)[]): Uint8Array => {
  const bytes = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) out.set(b, at), (at += b.length);
  return out;
};

describe('SPEC §8 records of the sample replay', () => {
  it('have the fields, types and presence the contract names; the summary its keys in order; 0 and 2 workers give the same bytes', async () => {
    const runs = await Promise.all(['0', '2'].map((w) => replayFiles(SMALL_PCAP, ['--policy', SMALL_POLICY, '--explain', '--json', '--workers', w], `sample-${w}`)));
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stdout.endsWith('\n') && r.stdout.split('\n').length === 2).toBe(true);
      expect(Object.keys(JSON.parse(r.stdout))).toEqual(['packets', 'rtp', 'rtcp', 'sip', 'malformed', 'streams', 'dialogs', 'telemetry', 'reports']);
      expect(Object.keys(JSON.parse(r.stdout).telemetry)).toEqual(['export', 'aggregate', 'drop']);
      checkRecords(r.files);
    }
    expect(runs[1]!.files).toEqual(runs[0]!.files);
  });
});

describe('odd bytes in SIP and RTCP text', () => {
  it('never make invalid UTF-8 or invalid JSON in any output', async () => {
    const capture = await ws.file('odd.pcap');
    const policy = await ws.file('raw.json');
    await writeFile(policy, JSON.stringify({ apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' } } }));
    const ODD = [0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98];
    const callId = concat('odd-', ODD, '@10.0.0.1');
    const sipMsg = (start: string, to: string, cseq: string, sdp: string | null) => {
      const body = new TextEncoder().encode(sdp ?? '');
      return concat(
        `${start}\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK${cseq.replace(' ', '')}\r\nFrom: <sip:a@10.0.0.1>;tag=`, [0x61, 0xff, 0x62],
        `\r\nTo: <sip:b@10.0.0.2>${to}\r\nCall-ID: `, callId, `\r\nCSeq: ${cseq}\r\nSubject: `, ODD,
        '\r\nAI-Pref: apt-raw;scope=dialog;x-odd="', [0xff, 0xfe], '"\r\n', sdp ? 'Content-Type: application/sdp\r\n' : '', `Content-Length: ${body.length}\r\n\r\n`, body,
      );
    };
    const sdes = (ssrc: number, cname: number[]) => {
      const sr = encodeRtcpCompound([{ pt: 200, ssrc, ntpSec: 3976214401, ntpFrac: 0, rtpTs: 0, packetCount: 5, octetCount: 500, reports: [] }]);
      let chunk = concat([0, 0, 0, 0, 1, cname.length], cname, [7, 3, 0xf0, 0x9f, 0x98, 0]);
      while (chunk.length % 4) chunk = concat(chunk, [0]);
      new DataView(chunk.buffer).setUint32(0, ssrc);
      const head = Uint8Array.of(0x81, 202, 0, chunk.length / 4);
      const bye = concat([0x81, 203, 0, 2, 0, 0, 0, 0, 3, 0xff, 0x41, 0xc3]);
      new DataView(bye.buffer).setUint32(4, ssrc);
      const app = Uint8Array.of(0x80, 204, 0, 2, 0, 0, 0, 0, 0xff, 0x00, 0x41, 0xe9);
      new DataView(app.buffer).setUint32(4, ssrc);
      return concat(sr, head, chunk, app, bye);
    };
    const rtp = (ssrc: number) => {
      const p = new Uint8Array(172);
      const dv = new DataView(p.buffer);
      dv.setUint8(0, 0x80), dv.setUint16(2, 1), dv.setUint32(8, ssrc);
      return p;
    };
    await writeCall(capture, (at) => {
      at(0, sipMsg('INVITE sip:b@10.0.0.2 SIP/2.0', '', '1 INVITE', sdpOf('a', ['a=aipref:mid apt-raw'])), true);
      at(0.1, sipMsg('SIP/2.0 200 OK', ';tag=bbb', '1 INVITE', sdpOf('b', ['a=aipref:mid apt-raw'])), false);
      at(0.2, sipMsg('ACK sip:b@10.0.0.2 SIP/2.0', ';tag=bbb', '1 ACK', null), true);
      at(0.3, rtp(1111), true, 4000, 5000);
      at(0.31, rtp(2222), false, 5000, 4000);
      at(0.5, sdes(1111, [0x61, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x40]), true, 4001, 5001);
      at(0.6, sdes(2222, [0x62, 0xe2, 0x82]), false, 5001, 4001);
    });
    const runs = await Promise.all(['0', '2'].map((w) => replayFiles(capture, ['--policy', policy, '--explain', '--workers', w], `odd-${w}`)));
    for (const r of runs) {
      expect(r.code).toBe(0);
      checkRecords(r.files);
      expect(linesOf(r.files.exports!).filter((e) => e.type === 'telemetry').length).toBeGreaterThan(4);
    }
    expect(runs[1]!.files).toEqual(runs[0]!.files);
    expect(runs[0]!.files.exports).toContain('\ufffd');
    for (const args of [['inspect', capture, '--json'], ['bindings', capture, '--json', '--policy', policy]]) {
      // the raw bytes of stdout, decoded strictly (cli() would have decoded them leniently)
      const stdout = strictUtf8.decode(execFileSync(process.execPath, [BIN, ...args]));
      for (const l of stdout.split('\n').filter(Boolean)) expect(() => JSON.parse(l)).not.toThrow();
      expect(stdout).toContain('\ufffd');
    }
  });
});

describe('32-bit values of 2^31 and over', () => {
  it('are unsigned in exports, decisions, inspect --json and bindings --json', async () => {
    const capture = await ws.file('high.pcap');
    const policy = await ws.file('raw-high.json');
    await writeFile(policy, JSON.stringify({ apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' } } }));
    const A = 4294967295;
    const B = 2147483649;
    const blk = (ssrc: number) => ({ ssrc, fractionLost: 255, cumulativeLost: 0, highestSeq: 4294967295, jitter: 4294967295, lsr: 4294967295, dlsr: 4294967295 });
    await writeCall(capture, (at) => {
      at(0, request('INVITE', 1, sdpOf('a', ['a=aipref:mid apt-raw']).replace('a=ssrc:1111', `a=ssrc:${A}`), [], ''), true);
      at(0.1, response('200 OK', 1, sdpOf('b', ['a=aipref:mid apt-raw']).replace('a=ssrc:2222', `a=ssrc:${B}`)), false);
      at(0.5, encodeRtcpCompound([
        { pt: 200, ssrc: A, ntpSec: 4294967295, ntpFrac: 4294967295, rtpTs: 4294967295, packetCount: 4294967295, octetCount: 4294967295, reports: [blk(B)] },
        { pt: 205, ssrc: A, fmt: 1, senderSsrc: A, mediaSsrc: B, nacks: [{ pid: 65535, blp: 65535 }] },
        { pt: 206, ssrc: A, fmt: 1, senderSsrc: A, mediaSsrc: B },
        { pt: 207, ssrc: A, blocks: [{ bt: 5, subBlocks: [{ ssrc: B, lrr: 4294967295, dlrr: 4294967295 }] }] },
        { pt: 203, ssrc: A, ssrcs: [A, B] },
      ]), true, 4001, 5001);
      at(0.6, encodeRtcpCompound([{ pt: 201, ssrc: B, reports: [blk(A)] }]), false, 5001, 4001);
    });
    const r = await replayFiles(capture, ['--policy', policy, '--explain', '--workers', '0'], 'high');
    expect(r.code).toBe(0);
    checkRecords(r.files);
    const all = [r.files.exports!, r.files.decisions!, (await cli('inspect', capture, '--json')).stdout, (await cli('bindings', capture, '--json', '--policy', policy)).stdout].join('\n');
    expect(all).toContain('4294967295');
    expect(all).toContain('2147483649');
    expect(all.replace(/"(?:[^"\\]|\\.)*"/g, '""')).not.toMatch(/:-(?:[1-9]\d{8,})/);
    expect(linesOf(r.files.decisions!).map((d) => d.ssrc)).toEqual([A, A, A, A, A, B]);
  });
});

describe('a nanosecond pcap', () => {
  it('gives every time in the records and inspect --json to the microsecond', async () => {
    const src = new Uint8Array(await readFile(SMALL_PCAP));
    const copy = Buffer.from(src);
    copy.writeUInt32LE(0xa1b23c4d, 0);
    for (let at = 24, i = 0; at + 16 <= copy.length; at += 16 + copy.readUInt32LE(at + 8), i++) copy.writeUInt32LE(copy.readUInt32LE(at + 4) * 1000 + 123 + (i % 7) * 111, at + 4);
    const capture = await ws.file('ns.pcap');
    await writeFile(capture, copy);
    const r = await replayFiles(capture, ['--policy', SMALL_POLICY, '--explain', '--workers', '0'], 'ns');
    expect(r.code).toBe(0);
    checkRecords(r.files);
    const times = (text: string) => [...text.matchAll(/"(?:ts|expiresAt|start|end)":([0-9.]+)/g)].map((m) => m[1]!);
    const all = [...times(r.files.exports!), ...times(r.files.reports!), ...times(r.files.decisions!), ...times((await cli('inspect', capture, '--json')).stdout)];
    expect(all.length).toBeGreaterThan(700);
    expect(all.filter((t) => (t.split('.')[1] ?? '').length > 6)).toEqual([]);
  });
});

describe('exit codes and where the words go', () => {
  it('bad input: 1 and one stderr line naming the file and byte 0; bad usage: 2; --help: 0 on stdout', async () => {
    const dir = await ws.folder();
    const notCapture = path.join(dir, 'not-a-capture.txt');
    const empty = path.join(dir, 'empty.pcap');
    await writeFile(notCapture, 'hello world, not a capture at all');
    await writeFile(empty, '');
    for (const [cmd, file] of [['replay', path.join(dir, 'missing.pcap')], ['inspect', notCapture], ['bindings', empty], ['replay', notCapture]] as const) {
      const r = await cli(cmd, file, ...(cmd === 'replay' ? ['--out', path.join(dir, 'never')] : []));
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`${file}: at byte 0`);
    }
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
    for (const args of [['replay'], ['replay', SMALL_PCAP, '--bogus'], ['replay', SMALL_PCAP, '--workers', '1.5'], ['replay', SMALL_PCAP, '--window', '0'], ['inspect', SMALL_PCAP, '--policy', 'x'], ['bindings', SMALL_PCAP, '--out', 'x'], ['frobnicate'], []]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('usage:');
    }
    for (const args of [['--help'], ['-h'], ['replay', '--help'], ['inspect', SMALL_PCAP, '--help']]) {
      const r = await cli(...args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('aipref-enforcer replay <capture>');
    }
  });
});

describe('a second run into the same --out', () => {
  it('truncates the files, and without --explain removes the decisions.ndjson the first left', async () => {
    const first = await replayFiles(SMALL_PCAP, ['--policy', SMALL_POLICY, '--explain', '--quiet'], 'again');
    expect(first.files.decisions).toBeDefined();
    const capture = await ws.file('short.pcap');
    await writeCall(capture, (at) => at(0, request('INVITE', 1, sdpOf('a', []), [], ''), true));
    const second = await replayFiles(capture, ['--quiet'], 'again');
    expect(second.code).toBe(0);
    expect(second.files.decisions).toBeUndefined();
    expect(second.files.exports).toBe('');
  });
});

describe('mutated copies of the sample', () => {
  it('never stop a run; the outputs stay valid and agree with the summary', async () => {
    const src = new Uint8Array(await readFile(SMALL_PCAP));
    const dv = new DataView(src.buffer, src.byteOffset);
    const offsets: number[] = [];
    for (let at = 24; at + 16 <= src.length; at += 16 + dv.getUint32(at + 8, true)) offsets.push(at);
    let seed = 4242;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
    for (let k = 0; k < 4; k++) {
      const copy = src.slice();
      for (let f = 0; f < 30; f++) {
        const rec = offsets[Math.floor(rnd() * offsets.length)]!;
        const len = dv.getUint32(rec + 8, true);
        copy[rec + 16 + 14 + Math.floor(rnd() * (len - 14))] = Math.floor(rnd() * 256);
      }
      const capture = await ws.file(`mutated-${k}.pcap`);
      await writeFile(capture, copy);
      const r = await replayFiles(capture, ['--policy', SMALL_POLICY, '--explain', '--json', '--workers', k % 2 ? '2' : '0'], `mutated-${k}`);
      expect(r.code).toBe(0);
      checkRecords(r.files);
      const s = JSON.parse(r.stdout);
      const decisions = linesOf(r.files.decisions!);
      for (const o of ['export', 'aggregate', 'drop']) expect(decisions.filter((d) => d.decision === o).length).toBe(s.telemetry[o]);
      expect(linesOf(r.files.exports!).filter((e) => e.type === 'telemetry').length).toBe(s.telemetry.export);
      const byType: Record<string, number> = {};
      for (const x of linesOf(r.files.reports!)) byType[x.type] = (byType[x.type] ?? 0) + 1;
      expect(byType).toEqual(s.reports);
    }
  });
});
