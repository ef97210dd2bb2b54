/**
 * SRTCP cut by the capture's snap length (tcpdump -s N): its authentication tag, at the end of
 * the packet, is not in the capture, so a key the SDP gives cannot check it and it is not
 * decrypted. Each such compound is reported as cut (malformed-input, the snap length named),
 * as a cut plain compound is; the SRTCP captured whole beside it decrypts and is read.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { parseLines, readPcapRecords, replayLines, SMALL_POLICY, Workspace, writePcapRecords, type ReplayLines, type ReportLine } from './e2e-helpers.js';
import { isRtcp, keyedSample, savp, udp, withCrypto } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('SRTCP cut by the snap length, on an m-section whose a=crypto key would decrypt it', async () => {
  const keyed = await keyedSample(ws, 'keyed.pcap', (body, _start, key) => withCrypto(savp(body), `1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`));
  const { header, records } = await readPcapRecords(keyed);
  let cut = 0;
  let srtcpSeen = 0;
  const cutRecords = records.map((r) => {
    const u = udp(r);
    if (u === null || !isRtcp(u.payload) || srtcpSeen++ % 3 !== 0) return r;
    cut++;
    // the last 6 bytes gone: most of the 10-byte tag
    return { ts: r.ts, data: r.data.subarray(0, r.data.length - 6), origLen: r.data.length };
  });
  const file = await ws.file('keyed-cut.pcap');
  await writePcapRecords(file, header, cutRecords);
  const policy = await loadPolicyFile(SMALL_POLICY);
  const whole = await replayLines({ capture: keyed, policy });
  const runs: ReplayLines[] = [];
  for (const workers of [0, 2]) runs.push(await replayLines({ capture: file, policy, workers }));
  const [run] = runs as [ReplayLines];

  it('cuts a third of the SRTCP compounds', () => {
    expect(cut).toBeGreaterThan(5);
  });

  it('reports each cut compound as cut by the snap length, never as SRTCP no key authenticates', () => {
    const reports = parseLines<ReportLine>(run.reports);
    // Was: one encrypted-rtcp report per stream, "none that authenticates it", and nothing for the other cut compounds.
    expect(reports.filter((r) => r.type === 'encrypted-rtcp')).toEqual([]);
    const malformed = reports.filter((r) => r.type === 'malformed-input');
    expect(malformed).toHaveLength(cut);
    for (const r of malformed) expect(r.detail).toMatch(/^frame \d+: rtcp snaplen-cut at byte 0: SRTCP of \d+ bytes cut by the capture's snap length after \d+: its tag not captured, not decrypted$/);
    expect(run.result.summary.malformed).toBe(cut);
  });

  it('reads the SRTCP captured whole: fewer items decided than the whole capture, none of them from a cut compound', () => {
    const total = (s: ReplayLines) => Object.values(s.result.summary.telemetry).reduce((a, b) => a + b, 0);
    expect(total(run)).toBeGreaterThan(0);
    expect(total(run)).toBeLessThan(total(whole));
    const cutFrames = new Set(cutRecords.flatMap((r, i) => (r.origLen !== undefined ? [i + 1] : [])));
    for (const d of parseLines<{ frame: number }>(run.decisions)) expect(cutFrames.has(d.frame)).toBe(false);
  });

  it('2 workers write the same bytes as 0', () => {
    expect(runs[1]!.exports).toEqual(run.exports);
    expect(runs[1]!.reports).toEqual(run.reports);
    expect(runs[1]!.decisions).toEqual(run.decisions);
  });
});

describe('SRTCP cut by the snap length, with no key in the signaling (DTLS-SRTP)', async () => {
  const dtls = await keyedSample(ws, 'dtls.pcap', savp);
  const { header, records } = await readPcapRecords(dtls);
  let seen = 0;
  const cutRecords = records.map((r) => {
    const u = udp(r);
    // every other one, 20 bytes short: into the compound itself
    if (u === null || !isRtcp(u.payload) || seen++ % 2 !== 0) return r;
    return { ts: r.ts, data: r.data.subarray(0, r.data.length - 20), origLen: r.data.length };
  });
  const file = await ws.file('dtls-cut.pcap');
  await writePcapRecords(file, header, cutRecords);
  const policy = await loadPolicyFile(SMALL_POLICY);
  const whole = await replayLines({ capture: dtls, policy });
  const run = await replayLines({ capture: file, policy });
  const encrypted = (r: ReplayLines) => parseLines<ReportLine>(r.reports).filter((x) => x.type === 'encrypted-rtcp').map((x) => `${x.ssrc} ${x.detail}`).sort();

  it('each sending stream is reported encrypted-rtcp once, as when captured whole; nothing read, nothing malformed', () => {
    expect(encrypted(whole).length).toBeGreaterThan(1);
    expect(encrypted(run)).toEqual(encrypted(whole));
    expect(run.result.summary.malformed).toBe(0);
    expect(run.result.summary.telemetry).toEqual({ export: 0, aggregate: 0, drop: 0 });
  });
});
