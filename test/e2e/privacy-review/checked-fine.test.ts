/**
 * Privacy review (SPEC §3 `sdes` = identity/PII, §4 binding metadata and BYE reason text,
 * aggregated-only "counts and statistics only", §6 "never copy SDES text or telemetry values"):
 * what came out fine. Every free-text field of the inputs carries MARK; each check greps the
 * outputs that must not carry it. Calls are replayed with 0 and 2 media workers (replayCall).
 */
import { createSocket } from 'node:dgram';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { buildAiServiceRequest } from '../../../src/export/ai-service-message.js';
import type { ExportLine } from '../../../src/export/exporter.js';
import { encodeHep } from '../../../src/sources/hep.js';
import { rtcpFromJson } from '../../../src/sources/rtcp-json.js';
import { LiveChild, ensureBuilt } from '../../live/live-helpers.js';
import type { PolicyFile } from '../../../src/policy/policy-file.js';
import { cli, parseLines, policyOf, type ReplayLines, Workspace, writePolicy } from '../e2e-helpers.js';
import { replayCall, request, response, sdpOf, T0, writeCall } from '../hand-built-calls.js';
import { MARK, markedCall, markedCompound } from './privacy-calls.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const SR = (ssrc: number, ntpSec = 3976214400): RtcpPacketInput => ({ pt: 200, ssrc, ntpSec, ntpFrac: 0, rtpTs: 0, packetCount: 1, octetCount: 1, reports: [] });
const all = (run: ReplayLines): string[] => [...run.exports, ...run.reports, ...run.decisions];
const decisionsOf = (run: ReplayLines) => parseLines<{ frame: number; pt: number; decision: string; reason: string }>(run.decisions).map((d) => `${d.frame} ${d.pt} ${d.decision} ${d.reason}`);
const onePolicy = (st: Record<string, unknown>): PolicyFile => policyOf({ apts: { 'apt-p': { type: 'user', retention: '1h', ...st } } });

/** A's marked call (SDES text items, APP data, BYE reason, From/Authorization/User-Agent) under one APT on m-section a. */
const marked = (name: string, st: Record<string, unknown>, offer: string[] = []) => replayCall(ws, name, (at) => markedCall(at, [], ['a=aipref:mid apt-p', ...offer]), onePolicy(st));

describe('exports, reports and decisions never carry what the APT forbids', () => {
  it('raw with features [media-metrics]: SDES and APP dropped, the BYE exported without its reason, no marker anywhere', async () => {
    const run = await marked('metrics-only', { export: 'raw', features: ['media-metrics'] });
    expect(decisionsOf(run)).toEqual(['4 200 export raw-allowed', '4 202 drop feature-not-allowed', '4 204 drop feature-not-allowed', '4 203 export raw-allowed']);
    for (const l of all(run)) expect(l).not.toContain(MARK);
    const bye = parseLines<{ item: Record<string, unknown> }>(run.exports).map((e) => e.item).find((i) => i.pt === 203)!;
    expect(bye).toEqual({ pt: 203, ssrc: 1111, ssrcs: [1111] });
  });

  it('raw with features [media-metrics, app]: the APP goes with its name and data length, never its data', async () => {
    const run = await marked('metrics-app', { export: 'raw', features: ['media-metrics', 'app'] });
    const app = parseLines<{ item: Record<string, unknown> }>(run.exports).map((e) => e.item).find((i) => i.pt === 204)!;
    expect(app).toEqual({ pt: 204, ssrc: 1111, subtype: 1, name: 'LEAK', dataLength: 16 });
    for (const l of all(run)) expect(l).not.toContain(MARK);
  });

  it('export=aggregated-only (all features): one aggregate of counts and statistics, no SDES text, no BYE reason, no raw item', async () => {
    const run = await marked('aggregated', { export: 'aggregated-only' });
    for (const l of all(run)) expect(l).not.toContain(MARK);
    const lines = parseLines<Record<string, unknown>>(run.exports);
    expect(lines.map((l) => l.type)).toEqual(['aggregate']);
    expect(lines[0]!).not.toHaveProperty('item');
    expect((lines[0]!.stats as { packets: Record<string, number> }).packets).toEqual({ sr: 1, rr: 0, sdes: 1, bye: 1, app: 1, rtpfb: 0, psfb: 0, xr: 0 });
  });

  it('export=none: nothing exported, no marker', async () => {
    const run = await marked('none', { export: 'none' });
    expect(run.exports).toEqual([]);
    expect(decisionsOf(run).every((d) => d.endsWith('drop export-none'))).toBe(true);
    for (const l of all(run)) expect(l).not.toContain(MARK);
  });

  it('raw with every feature: SDES text and the BYE reason go (consented), SDES MID, RID and PRIV aipref never do', async () => {
    const binding = [
      { type: 12, text: `${MARK}-mid` },
      { type: 13, text: `${MARK}-rid` },
      { type: 14, text: `${MARK}-rrid` },
      { type: 8, prefix: 'AIPref', value: 'apt-p' },
    ];
    const run = await replayCall(ws, 'raw-all', (at) => markedCall(at, [], ['a=aipref:mid apt-p'], [{ pt: 202, ssrc: 1111, chunks: [{ ssrc: 1111, items: [...binding, { type: 1, text: 'kept-cname' }] }] } as RtcpPacketInput]), onePolicy({ export: 'raw' }));
    const text = run.exports.join('\n');
    expect(text).toContain(`${MARK}-cname`);
    expect(text).toContain(`${MARK}-byereason`);
    expect(text).toContain('kept-cname');
    for (const gone of [`${MARK}-mid`, `${MARK}-rid`, `${MARK}-rrid`, 'AIPref']) expect(text).not.toContain(gone);
    // the APP's data never goes, even raw
    expect(text).not.toContain(`${MARK}-appdat`);
  });
});

describe('an item is governed by every stream it names (SPEC §4): text about a stricter stream stays', () => {
  const POL = policyOf({ apts: { 'apt-a': { type: 'user', export: 'raw', retention: '1h' }, 'apt-b': { type: 'user', export: 'raw', retention: '1h', features: ['media-metrics'] } } });
  let run: ReplayLines;
  beforeAll(async () => {
    run = await replayCall(ws, 'two-streams', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', ['a=aipref:mid apt-a']), [], ''), true);
      at(0.1, response('200 OK', 1, sdpOf('b', ['a=aipref:mid apt-b'])), false);
      at(0.2, request('ACK', 1, null), true);
      // A's SDES carrying a chunk about B
      at(1, encodeRtcpCompound([SR(1111), { pt: 202, ssrc: 1111, chunks: [{ ssrc: 1111, items: [{ type: 1, text: 'a-cname' }] }, { ssrc: 2222, items: [{ type: 2, text: `${MARK}-b-name` }] }] }]), true, 4001, 5001);
      // A's BYE naming B
      at(2, encodeRtcpCompound([SR(1111, 3976214401), { pt: 203, ssrc: 1111, ssrcs: [1111, 2222], reason: `${MARK}-bye` }]), true, 4001, 5001);
      // B's SDES whose own chunk is only a MID, then text about A: B governs too
      at(3, encodeRtcpCompound([SR(2222, 3976214402), { pt: 202, ssrc: 2222, chunks: [{ ssrc: 2222, items: [{ type: 12, text: 'a' }] }, { ssrc: 1111, items: [{ type: 1, text: `${MARK}-via-b` }] }] }]), false, 5001, 4001);
    }, POL);
  });

  it('no marker in any line; the SDES items are dropped (feature-not-allowed), the BYE exported without its reason', () => {
    for (const l of all(run)) expect(l).not.toContain(MARK);
    expect(decisionsOf(run).filter((d) => / 202 /.test(d))).toEqual(['4 202 drop feature-not-allowed', '6 202 drop feature-not-allowed']);
    const bye = parseLines<{ item: Record<string, unknown> }>(run.exports).map((e) => e.item).find((i) => i.pt === 203)!;
    expect(bye).toEqual({ pt: 203, ssrc: 1111, ssrcs: [1111, 2222] });
  });
});

describe('an SDES PRIV identifier never relaxes signaling for text (SPEC §2.4)', () => {
  it('signaling forbids sdes, PRIV names an APT that allows everything, in the same compound as the CNAME: the CNAME and BYE reason stay', async () => {
    const pol = policyOf({ apts: { 'apt-strict': { type: 'user', export: 'raw', retention: '1h', features: ['media-metrics'] }, 'apt-loose': { type: 'user', export: 'raw', retention: '1h' } }, default: 'apt-loose' });
    const run = await replayCall(ws, 'priv-relax', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', ['a=aipref:mid apt-strict']), [], ''), true);
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
      at(0.2, request('ACK', 1, null), true);
      at(1, encodeRtcpCompound([SR(1111), { pt: 202, ssrc: 1111, chunks: [{ ssrc: 1111, items: [{ type: 8, prefix: 'aipref', value: 'apt-loose' }, { type: 1, text: `${MARK}-c` }] }, { ssrc: 7777, items: [{ type: 1, text: `${MARK}-csrc` }] }] }, { pt: 203, ssrc: 1111, ssrcs: [1111], reason: `${MARK}-r` }]), true, 4001, 5001);
    }, pol);
    for (const l of all(run)) expect(l).not.toContain(MARK);
    expect(decisionsOf(run)).toContain('4 202 drop feature-not-allowed');
  });
});

describe('malformed input: reports name where, never the secret or PII bytes', () => {
  it('a=crypto keys, Authorization, From display names, SDES text of an overrunning SDES item: none of them in a report', async () => {
    const run = await replayCall(ws, 'malformed', (at) => {
      const offer = sdpOf('a', ['a=aipref:mid apt-p', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${MARK}KEYxxxxxxxxxxxxxxxxxxxxxxxx|2^20 bogus extra`, `a=ssrc:99999999999 cname:${MARK}-ssrc-cname`, `a=ice-pwd:${MARK}-pwd`, `a=rtcp:${MARK}`]);
      at(0, request('INVITE', 1, offer, [`Authorization: Bearer ${MARK}-token`, 'Content-Length: 5x'], ''), true);
      at(0.1, response('200 OK', 1, sdpOf('b', [`a=crypto:${MARK}`])), false);
      at(0.2, request('ACK', 1, null), true);
      // a From with a display name and no tag (missing-from-tag), an empty Call-ID
      const other = (headers: string[]) => new TextEncoder().encode(['OPTIONS sip:b@10.0.0.2 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKo', 'To: <sip:b@10.0.0.2>', 'CSeq: 1 OPTIONS', ...headers, 'Content-Length: 0', '', ''].join('\r\n'));
      at(0.3, other([`From: "${MARK}-display" <sip:${MARK}-user@x>`, 'Call-ID: o1@x']), true);
      at(0.4, other([`From: "${MARK}-display" <sip:a@x>;tag=t`, 'Call-ID: ']), true);
      // an SDES whose length word cuts its second item
      const good = encodeRtcpCompound([{ pt: 202, ssrc: 1111, chunks: [{ ssrc: 1111, items: [{ type: 1, text: `${MARK}-overrun-cname` }, { type: 2, text: `${MARK}-name2` }] }] }]);
      const cut = good.slice(0, good.length - 4);
      cut[3] = cut[3]! - 1;
      at(1, cut, true, 4001, 5001);
    }, onePolicy({ export: 'raw' }));
    const reports = parseLines<{ type: string; detail?: string }>(run.reports);
    expect(reports.filter((r) => r.type === 'malformed-input').length).toBeGreaterThanOrEqual(5);
    for (const l of all(run)) expect(l).not.toContain(MARK);
    expect(reports.map((r) => r.detail)).toContain('frame 6: rtcp sdes-item-overrun at byte 48: SDES chunk 0 has no terminating null octet');
  });

  it('rtpengine RTCP JSON refused for its SDES: the reason names the field, never the text', () => {
    const json = (item: string) => new TextEncoder().encode(`{"ssrc":1111,"type":200,"report_count":0,"sender_information":{"ntp_timestamp_sec":1,"ntp_timestamp_usec":0,"octets":1,"rtp_timestamp":1,"packets":1},"report_blocks":[],"sdes_report_count":1,"sdes_information":[${item}]}`);
    for (const item of [`{"sdes_chunk_ssrc":1111,"type":"${MARK}","text":"${MARK}"}`, `{"sdes_chunk_ssrc":1111,"type":1,"text":"${MARK}${'x'.repeat(300)}"}`, `{"sdes_chunk_ssrc":1111,"type":1,"text":"${MARK}" oops}`, `{"sdes_chunk_ssrc":"${MARK}","type":1,"text":"${MARK}"}`]) {
      const r = rtcpFromJson(json(item));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).not.toContain(MARK);
    }
  });
});

describe('CLI outputs', () => {
  it('replay (files, --explain, --json, stdout) and bindings carry no SDES text, key or header value; inspect --json prints SDES text (SPEC §8 asks it), text inspect does not', async () => {
    const file = await ws.file('marked-cli.pcap');
    await writeCall(file, (at) => markedCall(at, [], ['a=aipref:mid apt-p', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${MARK}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`]));
    const pol = await writePolicy(ws, 'cli-policy.json', { apts: { 'apt-p': { type: 'user', export: 'aggregated-only', retention: '1h', features: ['media-metrics', 'app'] } } });
    const out = path.join(await ws.folder(), 'cli-out');
    for (const args of [['replay', file, '--policy', pol, '--out', out, '--explain', '--json'], ['replay', file, '--policy', pol, '--out', path.join(out, 'plain')], ['bindings', file, '--policy', pol, '--json'], ['bindings', file, '--policy', pol], ['inspect', file]]) {
      const r = await cli(...args);
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(MARK);
    }
    for (const f of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) expect(await readFile(path.join(out, f), 'utf8')).not.toContain(MARK);
    const inspect = await cli('inspect', file, '--json');
    expect(inspect.stdout).toContain(`"text":"${MARK}-cname"`);
    expect(inspect.stdout).not.toContain(`${MARK}-token`);
    expect(inspect.stdout).not.toContain(`inline:${MARK}`);
  });
});

describe('live (HEPv3): logs, metrics and outputs', () => {
  beforeAll(() => ensureBuilt());
  it('carry no SDES text, BYE reason, bearer token or RTCP JSON text when the APT forbids sdes', async () => {
    const pol = await writePolicy(ws, 'live-policy.json', { apts: { 'apt-p': { type: 'user', export: 'raw', retention: '1h', features: ['media-metrics'] } } });
    const out = path.join(await ws.folder(), 'live-out');
    const { live, addresses } = await LiveChild.start(['--hep', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--out', out, '--workers', '0', '--batch-ms', '5', '--policy', pol, '--explain']);
    const sock = createSocket('udp4');
    try {
      const send = (b: Uint8Array) => new Promise<void>((r) => sock.send(b, addresses.hep!.udp.port, '127.0.0.1', () => r()));
      const hep = (t: number, fromA: boolean, sport: number, dport: number, protocolType: number, payload: Uint8Array) =>
        encodeHep({ ipVersion: 4, ipProtocol: 17, src: fromA ? '10.0.0.1' : '10.0.0.2', dst: fromA ? '10.0.0.2' : '10.0.0.1', sport, dport, tsSeconds: Math.floor(T0 + t), tsMicroseconds: Math.round(((T0 + t) % 1) * 1e6), protocolType, payload });
      const te = new TextEncoder();
      await send(hep(0, true, 5060, 5060, 1, request('INVITE', 1, sdpOf('a', ['a=aipref:mid apt-p']), [`Authorization: Bearer ${MARK}-tok`], '')));
      await send(hep(0.1, false, 5060, 5060, 1, response('200 OK', 1, sdpOf('b', []))));
      await send(hep(0.2, true, 5060, 5060, 1, request('ACK', 1, null)));
      await send(hep(1, true, 4001, 5001, 5, markedCompound(1111)));
      const json = `{"ssrc":1111,"type":200,"report_count":0,"sender_information":{"ntp_timestamp_sec":3976214401,"ntp_timestamp_usec":0,"octets":1,"rtp_timestamp":1,"packets":1},"report_blocks":[],"sdes_report_count":1,"sdes_information":[{"sdes_chunk_ssrc":1111,"type":1,"text":"${MARK}-jsoncname"}]}`;
      await send(hep(2, true, 4001, 5001, 5, te.encode(json)));
      await send(hep(3, true, 4001, 5001, 5, te.encode(json.replace('"type":1,', `"type":"${MARK}",`))));
      await send(hep(3.5, true, 4001, 5001, 5, te.encode(json.replace('"type":1,', `"type":1 ${MARK},`))));
      await live.waitFor((l) => l.event === 'malformed-datagram' && String(l.reason).includes('bad JSON'), 10_000);
      await new Promise((r) => setTimeout(r, 300));
      const metrics = await (await fetch(`http://127.0.0.1:${addresses.metrics!.port}/metrics`)).text();
      expect(metrics).not.toContain(MARK);
    } finally {
      sock.close();
      expect(await live.terminate()).toBe(0);
    }
    expect(live.logs.filter((l) => l.event === 'malformed-datagram')).toHaveLength(2);
    expect(live.stderrText).not.toContain(MARK);
    const files = await readdir(out);
    expect(files.some((f) => f.startsWith('decisions'))).toBe(true);
    for (const f of files) expect(await readFile(path.join(out, f), 'utf8')).not.toContain(MARK);
  }, 30_000);
});

describe('the AI-service message (seed 001 §3.2)', () => {
  it('carries the export line and its dialog, nothing from the packet beyond it', () => {
    const line = { type: 'telemetry', requestId: 'r1', ts: 1, expiresAt: 2, dialog: { callId: 'c@x', fromTag: 'f', toTag: 't' }, stream: { ssrc: 1111, mid: 'a', kind: 'audio' }, apt: ['apt-p'], decision: 'export', item: { pt: 203, ssrc: 1111, ssrcs: [1111] } } as unknown as ExportLine;
    const msg = buildAiServiceRequest(line);
    expect(msg.payload).toBe(line);
    expect(msg.session).toEqual({ sessionId: 'c@x', dialog: line.dialog, stream: { ssrc: 1111, mid: 'a', kind: 'audio' }, serviceContext: 'aipref-enforcer' });
    expect(Object.keys(msg).sort()).toEqual(['contentType', 'expiresAt', 'payload', 'requestId', 'session', 'task']);
  });
});
