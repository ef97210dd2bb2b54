/**
 * README claims checked against the code that HOLD (review of README.md section by section,
 * "## Performance" and the per-round history left out). Kept as regression tests where cheap;
 * the rest were checked by reading the code or by running the CLI once, listed here.
 *
 * Tested below (the built CLI, bin/ → dist/, or the source's constants):
 *  1. replay's `--out` default is `aipref-out/` (folder made in the current directory, named in
 *     the summary's last line).
 *  2. a replay without `--explain` removes the `decisions.ndjson` an earlier `--explain` run left.
 *  3. a replay refused at its first record (empty file) leaves an existing folder as it was
 *     (an earlier run's decisions.ndjson included), exit 1, one stderr line naming the file.
 *  4. `inspect` ends with `N packets, M malformed` on stderr; `--quiet` leaves it out (stderr empty).
 *  5. `--help` and `<command> --help` print the usage, exit 0.
 *  6. records of an unsupported link type (105): replay, inspect and bindings each say
 *     `<file>: N records of link type 105 were not read (unsupported link type)`, exit 0.
 *  7. a gzip capture broken mid-file: the error names the file "(decompressed)" and the
 *     decompressed byte offset; replay prints the summary with `— stopped where the capture
 *     broke`, exit 1.
 *  8. policy values read without regard to case or surrounding spaces (`" RAW "`), durations as
 *     JSON numbers of seconds, and the same file as YAML: byte-identical outputs to samples/policy.json.
 *  9. unknown policy keys, a key given twice, a key twice in different case, an empty `dialogs`
 *     tag, non-UTF-8 bytes, unknown values, unparsable durations, empty file, bad YAML (line and
 *     column), YAML duplicate keys: refused, exit 1, one line naming the file (the README's two
 *     quoted messages verbatim).
 * 10. the extension keys of a statement (`"tier": "gold"`) ride on the exports it decided as
 *     `extensions: {"apt-user-1": {"tier": "gold"}}`, and only on those.
 * 11. IPv6 endpoints in inspect's text are `[addr]:port` in RFC 5952 form (2001:0db8:0:…:1 →
 *     2001:db8::1), an IPv4-mapped one `::ffff:192.0.2.1`; IPv4 stays `addr:port`; QinQ-tagged
 *     Ethernet is read; a nanosecond pcap's time is read to the nearest µs.
 * 12. pcap in big-endian and in the modified (0xa1b2cd34) form is read.
 * 13. an IPv4 datagram whose fragments never complete: counted once in `malformed`, reported
 *     `malformed-input` after the last frame, naming its first fragment's frame.
 * 14. a snap-length-cut capture: inspect --json adds `cut` to RTP; a SIP datagram cut before its
 *     naming lines is reported "sip snaplen-cut … cut by the capture's snap length"; RTCP cut
 *     inside reported "cut by the capture's snap length".
 * 15. limits and defaults as the README states them (source constants): dialogs 50 000 / 4 h
 *     idle, APT identifiers 20 000, SIP-over-TCP directions 20 000 with 16 KiB undecided and
 *     256 KiB per message, permessage-deflate 32 MiB window budget and 16 DEFLATE streams per
 *     message, IP fragment sets 1 024 listed / 30 s IPv4 / 60 s IPv6, TCP gaps 10 s / 1 MiB /
 *     256 segments, 4 MiB pipe chunks, RTCP copy window 50 ms, SRTCP keys 30 s after BYE, 8
 *     unfolded statement parts, Retry-After at most 5 min, window 10 s, durations capped at a
 *     century, `--workers` default = the machine's cores.
 * 16. the live metrics families the README lists are all registered (EnforcerMetrics).
 *
 * Checked once by hand (not repeated here: they need a running `live` or are held elsewhere):
 *  - `live`: the `start` log carries the bound addresses; `/healthz` answers 200 while running;
 *    `/metrics` lists every family the README names plus process metrics (aipref_process_*);
 *    a plain-mirror datagram that is neither RTP, RTCP nor SIP is logged `malformed-datagram`,
 *    reported `malformed-input` with frame 0 and counted in the `stop` summary; SIGTERM gives
 *    `signal`, `drain`, `stop` and exit 0, the `<base>.lock` files removed.
 *  - a second `live` on the same `--out` is refused (exit 1, one line naming the lock and pid);
 *    the lock holds pid and host.
 *  - `--token` with an `http://` URL: a `warning` log line at start; `--to` without `--spool` and
 *    `--filter` without `--interface`: exit 2.
 *  - `--interface` without the native pcap package: one line saying `apt-get install
 *    libpcap-dev`, then `npm install pcap` (exit 1).
 *  - SIGHUP: `reload` names `default`, `windowSec` and `changed` ([apts, default, window]); an
 *    invalid file → `reload-failed`, running policy kept; a `default` with no `apts` entry →
 *    `policy-warning` at start and at each reload.
 *  - `--config` a YAML file whose keys are the flags' names; a flag wins over the file's key.
 *  - `replay --to` prints `{sent, skipped}`; `--stats-every` defaults to 60 s; `--quiet` leaves
 *    out `counters`; idle tick 100 ms; NATS subjects aipref.telemetry/aggregate/report, stop
 *    grace 5 s + 2 s drain, duplicate window 10 min or `--nats-max-age` (the lost-PubAck lookup's
 *    `Aipref-Lookup: stored-copy` publish has since given way to a read of the stream),
 *    `--nats-max-age` 7 d and `--nats-max-pending` 100 000
 *    defaults; spool 100 000 items; `--rotate-bytes` 64 MiB and files `exports.NNNNNN.ndjson`;
 *    HEP frames whose seconds are 0, microseconds past 999999, time > 24 h ahead, or inflated
 *    chunk-16 payload past 65475 bytes are malformed; uri= fetch failures not retried for 30 s.
 *  - `via` values are exactly a=ssrc, sdes-mid, rtp-mid, transport, sdes-priv, dialog,
 *    repository (src/binding/types.ts); decision reasons include no-preference and
 *    stream-disabled; rttMs over 60 s is none; 16 SDES PRIV ids per stream; 64 AI-Pref/a=aipref
 *    ids per list with the `(too many AI-Pref or a=aipref identifiers)` stand-in; multipart
 *    nesting 4; 16 port pairs per m-line; a=extmap ids up to five digits; KDR 1–24; 65 536
 *    sources on probation, 30 s probation; unbound media dropped after 300 s, swept every 60 s;
 *    16 384 ended dialogs' addresses remembered; clock jump confirmation 15 min; INVITE
 *    transaction 32 s.
 *  - `--out` that cannot become a folder (a file in the way, under a file, a dangling symlink,
 *    /proc): one line naming `--out`, before any record is read.
 *  - the generator command of "## Development" (`--calls --duration --out --truth`) writes both
 *    files, making the folder; `.ci/run` installs tshark, nats-server, openssl, libpcap-dev.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePcapFileHeader, encodePcapRecord } from '../../../native-free/write.js';
import {
  buildEthernetIpv4Udp,
  buildIpv4Packet,
  buildIpv6Udp,
  buildUdpDatagram,
  EtherType,
  fragmentIpv4,
  IpProtocol,
  parseIpv4,
  wrapEthernet,
} from '../../../native-free/frame-builder.js';
import { DEFAULT_FRAGMENT_LIMITS } from '../../../native-free/fragments.js';
import { DEFAULT_TCP_STREAM_LIMITS } from '../../../native-free/tcp-stream.js';
import { DEFAULT_CHUNK_BYTES } from '../../../native-free/capture.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { DEFAULT_DIALOG_LIMITS } from '../../../src/signaling/dialogs.js';
import { DEFAULT_MAX_IDENTIFIERS } from '../../../src/pipeline/signaling-front.js';
import { DEFAULT_SIP_FLOW_LIMITS } from '../../../src/signaling/sip-flows.js';
import { DEFAULT_WINDOW_BUDGET_BYTES, MAX_STREAMS_PER_MESSAGE } from '../../../src/signaling/websocket-deflate.js';
import { RTCP_COPY_SEC } from '../../../src/pipeline/rtcp-copies.js';
import { ENDED_KEYS_SEC } from '../../../src/pipeline/ended-srtcp-keys.js';
import { UNFOLDED_PARTS } from '../../../src/policy/apt-registry.js';
import { DEFAULT_RETRY_AFTER_MAX_MS } from '../../../src/export/backoff.js';
import { DEFAULT_WINDOW_SEC } from '../../../src/enforce/windows.js';
import { MAX_DURATION_SEC, parseDuration } from '../../../src/policy/vocabulary.js';
import { defaultWorkerCount } from '../../../src/pipeline/replay-engine.js';
import { EnforcerMetrics } from '../../../src/export/metrics.js';
import { cli, SMALL_PCAP, SMALL_POLICY, Workspace } from '../../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const README = await readFile(path.resolve(process.cwd(), 'README.md'), 'utf8');

const rtp = (seq: number) => encodeRtpPacket({ ssrc: 0x11223344, pt: 0, seq, ts: 160 * seq, marker: false, payload: new Uint8Array(160) });
const cat = (parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));

describe('README "Commands": replay outputs', () => {
  it('--out defaults to aipref-out/ in the current folder', async () => {
    const dir = await ws.file('default-out');
    await mkdir(dir);
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const r = await promisify(execFile)(process.execPath, [path.resolve('bin/aipref-enforcer.js'), 'replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--workers', '0'], { cwd: dir });
    expect(r.stdout).toContain('written to aipref-out/ (exports.ndjson 11 lines, reports.ndjson 6 lines)');
    expect(existsSync(path.join(dir, 'aipref-out', 'exports.ndjson'))).toBe(true);
  });

  it('a run without --explain removes an earlier decisions.ndjson; a refused run leaves the folder as it was', async () => {
    const out = await ws.file('explain-out');
    expect((await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--explain', '--quiet')).code).toBe(0);
    const before = await readFile(path.join(out, 'decisions.ndjson'), 'utf8');
    const empty = await ws.file('empty.pcap');
    await writeFile(empty, '');
    const refused = await cli('replay', empty, '--out', out);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('empty.pcap: at byte 0');
    expect(await readFile(path.join(out, 'decisions.ndjson'), 'utf8')).toBe(before);
    expect((await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--quiet')).code).toBe(0);
    expect(existsSync(path.join(out, 'decisions.ndjson'))).toBe(false);
  });
});

describe('README "Commands": inspect and --help', () => {
  it('inspect ends with "N packets, M malformed" on stderr; --quiet leaves it out', async () => {
    const loud = await cli('inspect', SMALL_PCAP);
    expect(loud.stderr.trim().split('\n').at(-1)).toBe('440 packets, 0 malformed');
    const quiet = await cli('inspect', SMALL_PCAP, '--quiet');
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(loud.stdout);
  });

  it.each([['--help'], ['replay', '--help'], ['inspect', '--help'], ['bindings', '--help'], ['live', '--help']])('%s %s prints the usage, exit 0', async (...args) => {
    const r = await cli(...args.filter((a): a is string => typeof a === 'string'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('aipref-enforcer replay <capture>');
  });
});

describe('README: unsupported link types', () => {
  it('replay, inspect and bindings say "N records of link type 105 were not read", exit 0', async () => {
    const file = await ws.file('capture.pcap');
    const recs = [0, 1, 2].map((i) => encodePcapRecord(1767225600 + i, new Uint8Array(10)));
    await writeFile(file, cat([encodePcapFileHeader(105), ...recs]));
    for (const cmd of ['replay', 'inspect', 'bindings']) {
      const r = await cli(cmd, file, ...(cmd === 'replay' ? ['--out', await ws.file(`lt-${cmd}`)] : []));
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('capture.pcap: 3 records of link type 105 were not read (unsupported link type)');
    }
  });
});

describe('README: a gzip capture broken mid-file', () => {
  it('names the file "(decompressed)" and the decompressed offset; the summary says where it stopped', async () => {
    const b = Buffer.from(await readFile(SMALL_PCAP));
    let off = 24;
    for (let n = 0; n < 100; n++) off += 16 + b.readUInt32LE(off + 8);
    b.writeUInt32LE(0x7fffffff, off + 8);
    b.writeUInt32LE(0x7fffffff, off + 12);
    const gz = await ws.file('broken.pcap.gz');
    await writeFile(gz, gzipSync(b));
    const r = await cli('replay', gz, '--out', await ws.file('gz-out'), '--policy', SMALL_POLICY);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`broken.pcap.gz (decompressed): at byte ${off}:`);
    expect(r.stdout.trim().endsWith('— stopped where the capture broke')).toBe(true);
  });
});

describe('README "The policy file"', () => {
  it('values without regard to case or spaces, durations as numbers of seconds, and YAML: the same outputs', async () => {
    const original = JSON.parse(await readFile(SMALL_POLICY, 'utf8')) as { apts: Record<string, Record<string, unknown>>; window: unknown };
    const variant = structuredClone(original);
    const secs: Record<string, number> = { '0': 0, '90s': 90, '15m': 900, '24h': 86400, '7d': 604800 };
    for (const a of Object.values(variant.apts)) {
      a.export = ` ${String(a.export).toUpperCase()} `;
      a.type = String(a.type).toUpperCase();
      if (a.retention !== undefined) a.retention = secs[String(a.retention)];
    }
    variant.window = 10;
    const variantFile = await ws.file('variant.json');
    await writeFile(variantFile, JSON.stringify(variant));
    const yamlFile = await ws.file('policy.yaml');
    const YAML = createRequire(import.meta.url)('yaml') as { stringify(v: unknown): string };
    await writeFile(yamlFile, YAML.stringify(original));
    const outs: string[] = [];
    for (const [name, policy] of [['a', SMALL_POLICY], ['b', variantFile], ['c', yamlFile]] as const) {
      const out = await ws.file(`pol-${name}`);
      expect((await cli('replay', SMALL_PCAP, '--policy', policy, '--out', out, '--explain', '--quiet', '--workers', '0')).code).toBe(0);
      outs.push((await Promise.all(['exports', 'reports', 'decisions'].map((f) => readFile(path.join(out, `${f}.ndjson`), 'utf8')))).join('\n'));
    }
    expect(outs[1]).toBe(outs[0]);
    expect(outs[2]).toBe(outs[0]);
  });

  it.each([
    ['unknown.json', '{"defualt": null}', "defualt: unknown key (expected one of apts, dialogs, default, window, keys, issuers, revoked); did you mean 'default'?"],
    ['dup.json', '{\n  "apts": {\n    "apt-x": {"export": "raw"},\n    "apt-x": {"export": "none"}\n  }\n}\n', 'apts.apt-x: duplicate key at line 4, column 5 (first at line 3, column 5)'],
    ['case.json', '{"apts": {"apt-x": {"export": "raw", "Export": "none"}}}', 'duplicate key'],
    ['tag.json', '{"dialogs": [{"callId": "x", "fromTag": "", "apt": ["a"]}]}', 'dialogs[0].fromTag'],
    ['value.json', '{"apts": {"a": {"export": "RAWW"}}}', 'apts.a.export: unknown value'],
    ['dur.json', '{"apts": {"a": {"retention": "5 fortnights"}}}', 'apts.a.retention: unparsable duration'],
    ['empty.json', '', 'empty'],
    ['bad.yaml', 'apts:\n  a: {export: raw\n', 'line 3, column 1'],
    ['dupkey.yaml', 'apts:\n  a: {export: raw}\n  a: {export: none}\n', 'line 3, column 3'],
  ])('%s is refused in one line naming the file and the key', async (name, text, expected) => {
    const file = await ws.file(name);
    await writeFile(file, text);
    const r = await cli('bindings', SMALL_PCAP, '--policy', file);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${name}: `);
    expect(r.stderr).toContain(expected);
  });

  it('a file that is not UTF-8 is refused with the byte offset', async () => {
    const file = await ws.file('latin1.json');
    await writeFile(file, Buffer.concat([Buffer.from('{"apts": {"apt-'), Buffer.from([0xff]), Buffer.from('": {}}}')]));
    const r = await cli('bindings', SMALL_PCAP, '--policy', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('latin1.json: not valid UTF-8 at byte 15');
  });

  it('a statement key the vocabulary does not know rides on the exports it decided, as extensions by APT', async () => {
    const policy = JSON.parse(await readFile(SMALL_POLICY, 'utf8')) as { apts: Record<string, Record<string, unknown>> };
    policy.apts['apt-user-1']!.tier = 'gold';
    const file = await ws.file('ext.json');
    await writeFile(file, JSON.stringify(policy));
    const out = await ws.file('ext-out');
    expect((await cli('replay', SMALL_PCAP, '--policy', file, '--out', out, '--quiet')).code).toBe(0);
    const lines = (await readFile(path.join(out, 'exports.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { apt: string[]; extensions?: unknown });
    const withUser1 = lines.filter((l) => l.apt.includes('apt-user-1'));
    expect(withUser1.length).toBeGreaterThan(0);
    for (const l of withUser1) expect(l.extensions).toEqual({ 'apt-user-1': { tier: 'gold' } });
    for (const l of lines.filter((x) => !x.apt.includes('apt-user-1'))) expect('extensions' in l).toBe(false);
  });
});

describe('README: capture formats and addresses', () => {
  it('IPv6 as [RFC 5952]:port, IPv4-mapped as ::ffff:a.b.c.d, QinQ read, ns times to the µs', async () => {
    const file = await ws.file('v6.pcap');
    await writeFile(
      file,
      cat([
        encodePcapFileHeader(1, { nanosecond: true }),
        encodePcapRecord(1767225600.123456789, buildIpv6Udp({ src: '2001:0db8:0:0:0:0:0:1', dst: '2001:db8::2', sport: 5004, dport: 5006, payload: rtp(1) }), { nanosecond: true }),
        encodePcapRecord(1767225600.2, buildIpv6Udp({ src: '::ffff:192.0.2.1', dst: '2001:db8::2', sport: 5004, dport: 5006, payload: rtp(2) }), { nanosecond: true }),
        encodePcapRecord(1767225600.3, buildEthernetIpv4Udp({ vlan: [100, 200], src: '192.0.2.7', dst: '192.0.2.8', sport: 6000, dport: 6002, payload: rtp(3) }), { nanosecond: true }),
      ]),
    );
    const lines = (await cli('inspect', file, '--quiet')).stdout.trim().split('\n');
    expect(lines[0]).toContain('1767225600.123457  [2001:db8::1]:5004 → [2001:db8::2]:5006');
    expect(lines[1]).toContain('[::ffff:192.0.2.1]:5004 → [2001:db8::2]:5006');
    expect(lines[2]).toContain('192.0.2.7:6000 → 192.0.2.8:6002');
    expect(lines.every((l) => l.includes(' RTP '))).toBe(true);
  });

  it('pcap big-endian and in the modified 0xa1b2cd34 form', async () => {
    const frame = Buffer.from(buildEthernetIpv4Udp({ src: '192.0.2.7', dst: '192.0.2.8', sport: 6000, dport: 6002, payload: rtp(9) }));
    const be = await ws.file('be.pcap');
    await writeFile(be, cat([encodePcapFileHeader(1, { bigEndian: true }), encodePcapRecord(1767225600.000042, frame, { bigEndian: true })]));
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2cd34, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(65535, 16);
    h.writeUInt32LE(1, 20);
    const r = Buffer.alloc(24);
    r.writeUInt32LE(1767225600, 0);
    r.writeUInt32LE(500, 4);
    r.writeUInt32LE(frame.length, 8);
    r.writeUInt32LE(frame.length, 12);
    const mod = await ws.file('mod.pcap');
    await writeFile(mod, Buffer.concat([h, r, frame]));
    expect((await cli('inspect', be, '--quiet')).stdout).toContain('1767225600.000042  192.0.2.7:6000 → 192.0.2.8:6002');
    expect((await cli('inspect', mod, '--quiet')).stdout).toContain('1767225600.000500  192.0.2.7:6000 → 192.0.2.8:6002');
  });

  it('an IP datagram whose fragments never complete: one malformed, reported after the last frame naming its first fragment', async () => {
    const src = parseIpv4('192.0.2.7');
    const dst = parseIpv4('192.0.2.8');
    const ip = buildIpv4Packet({ src, dst, protocol: IpProtocol.UDP, payload: buildUdpDatagram(src, dst, 6000, 6002, new Uint8Array(1200).fill(0x41)), id: 77 });
    const file = await ws.file('frag.pcap');
    await writeFile(file, cat([encodePcapFileHeader(1), encodePcapRecord(1767225600.1, wrapEthernet(EtherType.IPV4, fragmentIpv4(ip, 600)[0]!))]));
    const out = await ws.file('frag-out');
    const r = await cli('replay', file, '--out', out, '--json', '--quiet');
    expect(JSON.parse(r.stdout)).toMatchObject({ packets: 1, malformed: 1, reports: { 'malformed-input': 1 } });
    const report = JSON.parse(await readFile(path.join(out, 'reports.ndjson'), 'utf8')) as { frame: number; detail: string };
    expect(report.frame).toBe(2);
    expect(report.detail).toContain('frame 1: IPv4 fragments of id 77 never completed');
  });

  it('a snap-length-cut capture: `cut` on RTP, SIP and RTCP cuts reported as the README words them', async () => {
    const cap = await ws.generate({ calls: 2, durationSec: 3, seed: 3, snapLen: 96 });
    const inspect = (await cli('inspect', cap.path, '--json', '--quiet')).stdout;
    expect(inspect).toMatch(/"proto":"rtp".*"cut":\d+/);
    const out = await ws.file('cut-out');
    await cli('replay', cap.path, '--out', out, '--quiet');
    const reports = await readFile(path.join(out, 'reports.ndjson'), 'utf8');
    expect(reports).toMatch(/sip snaplen-cut .*cut by the capture's snap length/);
    expect(reports).toMatch(/rtcp snaplen-cut .*cut by the capture's snap length/);
  });
});

describe('README limits and defaults (source constants)', () => {
  it('as the README states them', () => {
    expect(DEFAULT_DIALOG_LIMITS.maxDialogs).toBe(50_000);
    expect(DEFAULT_DIALOG_LIMITS.idleTimeoutSec).toBe(4 * 3600);
    expect(DEFAULT_MAX_IDENTIFIERS).toBe(20_000);
    expect(DEFAULT_SIP_FLOW_LIMITS).toMatchObject({ maxFlows: 20_000, maxUndecidedBytes: 16 * 1024, maxMessageBytes: 256 * 1024 });
    expect(DEFAULT_WINDOW_BUDGET_BYTES).toBe(32 * 1024 * 1024);
    expect(MAX_STREAMS_PER_MESSAGE).toBe(16);
    expect(DEFAULT_FRAGMENT_LIMITS).toMatchObject({ maxSets: 1024, timeoutSeconds: 30, ipv6TimeoutSeconds: 60 });
    expect(DEFAULT_TCP_STREAM_LIMITS).toMatchObject({ gapTimeoutSeconds: 10, maxHeldBytesPerStream: 1 << 20, maxHeldSegmentsPerStream: 256 });
    expect(DEFAULT_CHUNK_BYTES).toBe(4 * 1024 * 1024);
    expect(RTCP_COPY_SEC).toBe(0.05);
    expect(ENDED_KEYS_SEC).toBe(30);
    expect(UNFOLDED_PARTS).toBe(8);
    expect(DEFAULT_RETRY_AFTER_MAX_MS).toBe(5 * 60 * 1000);
    expect(DEFAULT_WINDOW_SEC).toBe(10);
    expect(MAX_DURATION_SEC).toBe(100 * 365 * 86400);
    expect(parseDuration('1000000d')).toBe(MAX_DURATION_SEC);
    expect(defaultWorkerCount()).toBe(typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  });

  it('every metric family the README lists is registered', async () => {
    const section = README.slice(README.indexOf('### Metrics, health, logs, signals'));
    const named = [...new Set([...section.matchAll(/aipref_[a-z_]+/g)].map((m) => m[0]))];
    expect(named.length).toBeGreaterThan(10);
    const m = new EnforcerMetrics({ processMetrics: true });
    m.trackSource('udp', { received: 0, malformed: 0, byKind: {} } as never);
    const text = await m.text();
    expect(named.filter((n) => !text.includes(`# TYPE ${n} `))).toEqual([]);
  });
});

