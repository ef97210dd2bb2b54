/**
 * README claims (sections "Two commands", "What a replay does", "Commands", "Live beside a media
 * relay" with its sub-sections, "Layout") checked against the built command that HOLD. Claims
 * test/cli/readme-claims-review/checked-fine.test.ts already covers are not repeated.
 *
 * Tested below:
 *  1. the sample replay of "What a replay does": its four summary lines verbatim, and the export,
 *     report and decision lines the README quotes are lines of the files it writes.
 *  2. the `inspect` and `bindings` examples: every line the README shows is a line they print.
 *  3. the README's live command (ephemeral ports) and "Try it against a recorded session":
 *     `start` names the version and bound addresses; /healthz 200; `replay --to hep://… --speed 0`
 *     prints {"sent":440,"skipped":0}; the live reports equal the offline replay's; an old
 *     capture's export file is deleted and logged `file-deleted`; aipref_packets_total{proto},
 *     aipref_packets_read_total, aipref_decisions_total and aipref_reports_total agree with the
 *     `stop` line's summary; SIGTERM → `signal`, `drain`, `stop`, exit 0, `<base>.lock` gone.
 *  4. `replay --to udp://… --udp-mode ip-packet` into `live --udp … --udp-mode ip-packet`: 440
 *     records of kind `ip-packet`, the same reports as over HEP; plain mode: kind `datagram`.
 *  5. `--hep-auth-key`: `replay --to hep://… --hep-auth-key` with the key is taken; another key →
 *     every frame under kind `auth-rejected`, one `hep-auth-rejected` line for the host.
 *  6. malformed-datagram: five junk datagrams from one peer → three lines, the third saying the
 *     next are counted; at stop one line `suppressed: 2`; `stop.malformedNotLogged` 2; each one
 *     reported `malformed-input` frame 0; a non-HEPv3 datagram's peer is `udp:host:port`.
 *  7. contrib/live.yaml is a valid config whose keys flags override (flags win).
 *  8. live `--explain` writes decisions.NNNNNN.ndjson; `--rotate-bytes`/`--max-files` rotate
 *     into `reports.NNNNNN.ndjson` files, at most --max-files closed ones kept.
 *  9. bad usage, exit 2: `--hep` twice, `--spool`/`--token` without `--to`, `--hep-auth-key`
 *     without `--hep`, `--udp-mode` without `--udp`, `--explain`/`--rotate-bytes` with `--to` and
 *     no `--out`, `--nats-max-age` without `--nats`, `--uri-allow` with `--no-resolve-uri`,
 *     `--to` with `user:password@`, unknown config key, wrong-typed value, config that does not
 *     parse (line and column) or is not a mapping, `--policy ""`, `replay --policy a --policy b`;
 *     `--uri-allow` repeated is taken; a config file that cannot be read: exit 1.
 * 10. a refused start removes the folders it made: --metrics port in use, --hep port in use, an
 *     invalid policy, an unreachable --nats (with --out and with --spool).
 * 11. `replay -` stopped by SIGINT or SIGTERM: exit 130, the summary ending `— interrupted`.
 * 12. `inspect --filter 'udp prot 5060'`: exit 2, `can't parse filter expression: syntax error`;
 *     `--version` → `aipref-enforcer 0.1.0`-style line.
 * 13. Layout: every folder named exists, with the files it names (live inputs, replay --to's
 *     sender, the malformed-datagram log, version, the systemd unit and live.yaml, the bench and
 *     the sample generator); no stage imports src/pipeline; every test file the README cites exists.
 *
 * Checked by reading or running once (not repeated here):
 *  - usage text (`--help`) lists every flag README names for replay, replay --to, live, inspect and
 *    bindings (only the generator's, bench's and rtpengine's own flags are not the command's).
 *  - `live --interface lo` starts as root (libpcap installed); `--interface nosuch0` is refused
 *    (exit 1) and removes its --out folder.
 *  - `--stats-every` counters carry `kernelDrops`; `reload` names `default`, `windowSec`,
 *    `appliesFrom` (and `changed` only when something did).
 *  - the HEP listener's kinds: hep:sip, hep:rtp, hep:rtcp, hep:log, hep:other, auth-rejected;
 *    the notes rtcp-json, media-port-protocol, not-rtp-rtcp-sip.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBuilt, LiveChild, readLines, REPO } from '../../live/live-helpers.js';
import { cli } from '../../e2e/e2e-helpers.js';

const SMALL = path.join(REPO, 'samples/call-small.pcap');
const POLICY = path.join(REPO, 'samples/policy.json');
const README = await readFile(path.join(REPO, 'README.md'), 'utf8');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tmp(prefix: string): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), `r21-readme-${prefix}-`));
  dirs.push(d);
  return d;
}
/** The first fenced block after `marker`. */
function blockAfter(marker: string): string {
  const at = README.indexOf(marker);
  expect(at).toBeGreaterThanOrEqual(0);
  const start = README.indexOf('```', at);
  const body = README.indexOf('\n', start) + 1;
  return README.slice(body, README.indexOf('\n```', body));
}
/** The lines of a fenced block from the one starting with `first` (itself left out) to the fence. */
function blockFrom(first: string): string[] {
  const at = README.indexOf(first);
  expect(at).toBeGreaterThanOrEqual(0);
  const body = README.indexOf('\n', at) + 1;
  return README.slice(body, README.indexOf('```', body)).split('\n').filter((l) => l.trim() !== '');
}
const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};
async function until(test: () => Promise<boolean>, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

describe('README "What a replay does", "Commands": the examples run', () => {
  it('the sample replay prints the README\'s summary and writes the lines it quotes', async () => {
    const out = await tmp('replay');
    const r = await cli('replay', SMALL, '--policy', POLICY, '--out', out + '/', '--explain');
    expect(r.code).toBe(0);
    const shown = blockAfter('## What a replay does').split('\n').slice(1);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(shown.slice(0, 3));
    expect(shown[3]).toBe('written to out/ (exports.ndjson 11 lines, reports.ndjson 6 lines, decisions.ndjson 254 lines)');
    expect(r.stdout.split('\n')[3]).toBe(`written to ${out}/ (exports.ndjson 11 lines, reports.ndjson 6 lines, decisions.ndjson 254 lines)`);
    const files = Object.fromEntries(await Promise.all(['exports', 'reports', 'decisions'].map(async (n) => [n, (await readFile(path.join(out, `${n}.ndjson`), 'utf8')).split('\n')] as const)));
    const quoted = README.split('\n').filter((l) => l.startsWith('{"type":"aggregate"') || l.startsWith('{"type":"scope-removed"') || l.startsWith('{"frame":'));
    expect(quoted).toHaveLength(5);
    for (const l of quoted) expect([...files.exports!, ...files.reports!, ...files.decisions!]).toContain(l);
  });

  it('inspect and bindings print the lines the README shows', async () => {
    const inspect = await cli('inspect', SMALL);
    const inspectLines = inspect.stdout.split('\n');
    for (const l of blockFrom('$ npx aipref-enforcer inspect samples/call-small.pcap')) expect(inspectLines).toContain(l.replace(/^ {2}/, ''));
    const bindings = await cli('bindings', SMALL, '--policy', POLICY);
    const bindingLines = bindings.stdout.split('\n');
    for (const l of blockFrom('$ npx aipref-enforcer bindings samples/call-small.pcap --policy samples/policy.json')) expect(bindingLines).toContain(l.replace(/^ {2}/, ''));
  });

  it('inspect --filter that libpcap cannot compile: exit 2 with the README\'s words; --version', async () => {
    const r = await cli('inspect', SMALL, '--filter', 'udp prot 5060');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--filter 'udp prot 5060': can't parse filter expression: syntax error");
    const v = await cli('--version');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^aipref-enforcer \d+\.\d+\.\d+\n$/);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('replay - stopped by %s: exit 130, "— interrupted" after the summary', async (signal) => {
    const out = await tmp('sig');
    const child = spawn(process.execPath, [path.join(REPO, 'bin/aipref-enforcer.js'), 'replay', '-', '--out', out], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stdin.write((await readFile(SMALL)).subarray(0, 20_000));
    await new Promise((r) => setTimeout(r, 1000));
    child.kill(signal);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(stdout.trim().endsWith('— interrupted')).toBe(true);
  });
});

describe('README "Live beside a media relay"', () => {
  it('the README\'s live command, replay --to hep://, metrics, logs and SIGTERM', async () => {
    await ensureBuilt();
    const d = await tmp('live');
    const out = path.join(d, 'out');
    const offline = path.join(d, 'offline');
    expect(README).toContain('aipref-enforcer live --hep 0.0.0.0:9060 --policy /etc/aipref/policy.json \\\n  --out /var/lib/aipref --metrics 127.0.0.1:9464');
    const { live, addresses } = await LiveChild.start(['--hep', '127.0.0.1:0', '--policy', POLICY, '--out', out, '--metrics', '127.0.0.1:0', '--no-resolve-uri']);
    let code: number | null = null;
    try {
      const start = live.logs.find((l) => l.event === 'start')!;
      expect(start.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(addresses.hep!.udp.port).toBe(addresses.hep!.tcp.port);
      expect((await fetch(`http://127.0.0.1:${addresses.metrics!.port}/healthz`)).status).toBe(200);
      const sent = await cli('replay', SMALL, '--to', `hep://127.0.0.1:${addresses.hep!.udp.port}`, '--speed', '0');
      expect(sent.stdout).toBe('{"sent":440,"skipped":0}\n');
      await until(async () => value(await scrape(addresses.metrics!.port), 'aipref_packets_read_total') === 440);
      await live.waitFor((l) => l.event === 'lines-not-written');
      expect(existsSync(path.join(out, 'exports.lock'))).toBe(true);
      const metrics = await scrape(addresses.metrics!.port);
      code = await live.terminate();
      // the lines held back since the first lines-not-written (README: "what is left at the stop")
      // come between drain and stop when the feed reached the files in more than one flush
      const events = live.logs.map((l) => l.event).filter((e, i, all) => !(e === 'lines-not-written' && all[i - 1] === 'drain'));
      expect(events.slice(-3)).toEqual(['signal', 'drain', 'stop']);
      const unwritten = live.logs.filter((l) => l.event === 'lines-not-written').reduce((n, l) => n + (l.count as number), 0);
      const summary = live.logs.at(-1)!.summary as { packets: number; rtp: number; rtcp: number; sip: number; telemetry: Record<string, number>; reports: Record<string, number> };
      for (const proto of ['rtp', 'rtcp', 'sip'] as const) expect(value(metrics, `aipref_packets_total{proto="${proto}"}`)).toBe(summary[proto]);
      expect(value(metrics, 'aipref_packets_read_total')).toBe(summary.packets);
      for (const [outcome, n] of Object.entries(summary.telemetry)) if (n > 0) expect(value(metrics, `aipref_decisions_total{outcome="${outcome}"}`)).toBe(n);
      for (const [type, n] of Object.entries(summary.reports)) expect(value(metrics, `aipref_reports_total{type="${type}"}`)).toBe(n);
      expect(existsSync(path.join(out, 'exports.lock'))).toBe(false);
      expect(existsSync(path.join(out, 'reports.lock'))).toBe(false);
      expect((await cli('replay', SMALL, '--policy', POLICY, '--out', offline, '--quiet')).code).toBe(0);
      // the sample's export lines all expired long ago: none was written, every one was told
      expect(unwritten).toBe((await readLines(offline, 'exports')).length);
      expect(existsSync(path.join(out, 'exports.ndjson')) ? (await readLines(out, 'exports')).length : 0).toBe(0);
      const key = (l: Record<string, unknown>) => JSON.stringify(l);
      expect((await readLines(out, 'reports')).map(key).sort()).toEqual((await readLines(offline, 'reports')).map(key).sort());
    } finally {
      if (code === null) code = await live.terminate();
    }
    expect(code).toBe(0);
  }, 60_000);

  it('replay --to udp:// --udp-mode ip-packet into live --udp-mode ip-packet; plain mode', async () => {
    const d = await tmp('ip');
    for (const mode of ['ip-packet', 'plain'] as const) {
      const out = path.join(d, mode);
      const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--udp-mode', mode, '--policy', POLICY, '--out', out, '--metrics', '127.0.0.1:0', '--no-resolve-uri']);
      try {
        const sent = await cli('replay', SMALL, '--to', `udp://127.0.0.1:${addresses.udp!.port}`, ...(mode === 'ip-packet' ? ['--udp-mode', 'ip-packet'] : []), '--speed', '0');
        expect(sent.stdout).toBe('{"sent":440,"skipped":0}\n');
        const kind = mode === 'ip-packet' ? 'ip-packet' : 'datagram';
        await until(async () => value(await scrape(addresses.metrics!.port), `aipref_source_record_kinds_total{source="udp",kind="${kind}"}`) === 440);
      } finally {
        expect(await live.terminate()).toBe(0);
      }
      if (mode === 'ip-packet') {
        const types = (await readLines(out, 'reports')).map((l) => l.type).sort();
        expect(types).toEqual(['binding-conflict', 'implicit-binding', 'implicit-binding', 'scope-removed', 'scope-removed', 'scope-transitioned']);
      }
    }
  }, 60_000);

  it('--hep-auth-key: the right key is taken, another is counted auth-rejected and logged once for the host', async () => {
    const d = await tmp('auth');
    const { live, addresses } = await LiveChild.start(['--hep', '127.0.0.1:0', '--hep-auth-key', 'k3y', '--out', path.join(d, 'o'), '--metrics', '127.0.0.1:0', '--no-resolve-uri']);
    try {
      const to = `hep://127.0.0.1:${addresses.hep!.udp.port}`;
      expect((await cli('replay', SMALL, '--to', to, '--hep-auth-key', 'k3y', '--speed', '0')).code).toBe(0);
      expect((await cli('replay', SMALL, '--to', to, '--hep-auth-key', 'other', '--speed', '0')).code).toBe(0);
      await until(async () => value(await scrape(addresses.metrics!.port), 'aipref_source_record_kinds_total{source="hep",kind="auth-rejected"}') === 440);
      const m = await scrape(addresses.metrics!.port);
      expect(value(m, 'aipref_source_records_total{source="hep",kind="received"}')).toBe(880);
      expect(value(m, 'aipref_packets_read_total')).toBe(440);
      expect(live.logs.filter((l) => l.event === 'hep-auth-rejected')).toHaveLength(1);
    } finally {
      expect(await live.terminate()).toBe(0);
    }
  }, 60_000);

  it('malformed-datagram: the first 3 per peer, then counted; `suppressed` at stop; malformedNotLogged; reported frame 0', async () => {
    const d = await tmp('junk');
    const out = path.join(d, 'o');
    const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--hep', '127.0.0.1:0', '--out', out, '--no-resolve-uri']);
    const s = createSocket('udp4');
    const send = (b: Uint8Array, port: number) => new Promise((r) => s.send(b, port, '127.0.0.1', r));
    for (let i = 0; i < 5; i++) await send(Buffer.from([0, 1, 2, 3, 0xff]), addresses.udp!.port);
    await send(Buffer.from('not hep at all'), addresses.hep!.udp.port);
    s.close();
    await live.waitFor((l) => l.event === 'malformed-datagram' && l.source === 'hep');
    await new Promise((r) => setTimeout(r, 300));
    expect(await live.terminate()).toBe(0);
    const lines = live.logs.filter((l) => l.event === 'malformed-datagram');
    const udp = lines.filter((l) => l.source === 'udp');
    expect(udp).toHaveLength(4);
    expect(udp.slice(0, 3).every((l) => l.suppressed === undefined)).toBe(true);
    expect(udp[3]!.suppressed).toBe(2);
    expect(udp[0]!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(lines.find((l) => l.source === 'hep')!.peer).toMatch(/^udp:127\.0\.0\.1:\d+$/);
    const stop = live.logs.find((l) => l.event === 'stop')!;
    expect(stop.malformedNotLogged).toBe(2);
    expect((stop.summary as { malformed: number }).malformed).toBe(6);
    const reports = await readLines(out, 'reports');
    expect(reports.filter((r) => r.type === 'malformed-input' && r.frame === 0)).toHaveLength(6);
  }, 60_000);

  it('contrib/live.yaml is a valid config; flags win over its keys', async () => {
    const d = await tmp('yaml');
    const config = path.join(d, 'live.yaml');
    await copyFile(path.join(REPO, 'contrib/live.yaml'), config);
    const { live, addresses } = await LiveChild.start(['--config', config, '--hep', '127.0.0.1:0', '--policy', POLICY, '--out', path.join(d, 'o'), '--metrics', '127.0.0.1:0']);
    expect(addresses.hep!.udp.host).toBe('127.0.0.1');
    expect(live.logs[0]!.policy).toBe(POLICY);
    expect(existsSync(path.join(d, 'o', 'exports.lock'))).toBe(true);
    expect(await live.terminate()).toBe(0);
  }, 30_000);

  it('live --explain writes decisions.NNNNNN.ndjson; --rotate-bytes and --max-files rotate and keep', async () => {
    const d = await tmp('rot');
    const out = path.join(d, 'o');
    const { live, addresses } = await LiveChild.start(['--hep', '127.0.0.1:0', '--policy', POLICY, '--out', out, '--explain', '--rotate-bytes', '700', '--max-files', '2', '--no-resolve-uri']);
    try {
      expect((await cli('replay', SMALL, '--to', `hep://127.0.0.1:${addresses.hep!.udp.port}`, '--speed', '0')).code).toBe(0);
      await until(async () => (await readdir(out)).some((n) => /^decisions\.\d{6}\.ndjson$/.test(n)));
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      expect(await live.terminate()).toBe(0);
    }
    const names = await readdir(out);
    expect(names.every((n) => /^(exports|reports|decisions)\.\d{6}\.ndjson$/.test(n))).toBe(true);
    const reports = names.filter((n) => n.startsWith('reports.'));
    expect(reports.length).toBeGreaterThanOrEqual(1);
    expect(reports.length).toBeLessThanOrEqual(3); // --max-files closed ones, and the one open at stop
  }, 60_000);
});

describe('README "Live beside a media relay": usage and refused starts', () => {
  it.each([
    [['--hep', '127.0.0.1:0', '--hep', '127.0.0.1:0']],
    [['--hep', '127.0.0.1:0', '--spool', 'x']],
    [['--hep', '127.0.0.1:0', '--token', 'x']],
    [['--udp', '127.0.0.1:0', '--hep-auth-key', 'k']],
    [['--hep', '127.0.0.1:0', '--udp-mode', 'plain']],
    [['--hep', '127.0.0.1:0', '--filter', 'udp']],
    [['--hep', '127.0.0.1:0', '--to', 'https://h.example/x', '--spool', 's', '--explain']],
    [['--hep', '127.0.0.1:0', '--to', 'https://h.example/x', '--spool', 's', '--rotate-bytes', '5']],
    [['--hep', '127.0.0.1:0', '--nats-max-age', '1d']],
    [['--hep', '127.0.0.1:0', '--uri-allow', 'repo.internal', '--no-resolve-uri']],
    [['--hep', '127.0.0.1:0', '--to', 'https://u:p@h.example/x', '--spool', 's']],
    [['--hep', '127.0.0.1:0', '--policy', '']],
  ])('live %j: exit 2', async (args) => {
    const r = await cli('live', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('"event":"start"');
  });

  it('config files: unknown key, wrong type, not parsing, not a mapping → 2; unreadable → 1; replay option twice → 2', async () => {
    const d = await tmp('cfg');
    const cases: [string, string, number, string][] = [
      ['unk.yaml', 'bogus: 1\n', 2, "unknown config key 'bogus'"],
      ['ty.yaml', 'explain: "yes"\n', 2, "config key 'explain' takes true or false"],
      ['bad.yaml', 'hep: [1\n', 2, 'line 2, column 1'],
      ['list.yaml', '- a\n', 2, 'must be a YAML mapping'],
      ['bad.json', '{"hep": ', 2, 'cannot read config file'],
    ];
    for (const [name, text, code, says] of cases) {
      await writeFile(path.join(d, name), text);
      const r = await cli('live', '--config', path.join(d, name));
      expect(r.code).toBe(code);
      expect(r.stderr).toContain(says);
    }
    expect((await cli('live', '--config', path.join(d, 'missing.yaml'))).code).toBe(1);
    expect((await cli('replay', SMALL, '--policy', POLICY, '--policy', POLICY)).code).toBe(2);
  });

  it('--uri-allow repeated adds hosts (not refused as given twice)', async () => {
    const d = await tmp('allow');
    const { live } = await LiveChild.start(['--hep', '127.0.0.1:0', '--out', path.join(d, 'o'), '--uri-allow', 'repo.internal', '--uri-allow', '10.0.0.5']);
    expect(await live.terminate()).toBe(0);
  }, 30_000);

  it('a refused start removes the folders it made', async () => {
    const d = await tmp('refused');
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    const bad = path.join(d, 'bad.json');
    await writeFile(bad, '{bad');
    try {
      const runs: string[][] = [
        ['--hep', '127.0.0.1:0', '--out', path.join(d, 'a/b/c'), '--metrics', `127.0.0.1:${port}`],
        ['--hep', `127.0.0.1:${port}`, '--out', path.join(d, 'a/b/c')],
        ['--hep', '127.0.0.1:0', '--out', path.join(d, 'a/b/c'), '--policy', bad],
        ['--hep', '127.0.0.1:0', '--out', path.join(d, 'a/b/c'), '--nats', 'nats://127.0.0.1:1'],
        ['--hep', '127.0.0.1:0', '--to', 'http://127.0.0.1:1/x', '--spool', path.join(d, 'a/sp'), '--nats', 'nats://127.0.0.1:1'],
      ];
      for (const args of runs) {
        const r = await cli('live', ...args);
        expect(r.code).toBe(1);
        expect(existsSync(path.join(d, 'a'))).toBe(false);
      }
    } finally {
      busy.close();
    }
  }, 60_000);
});

describe('README "Layout"', () => {
  it('every folder and file it names exists; no stage imports the pipeline; cited tests exist', async () => {
    const layout = blockAfter('## Layout');
    const folders = [...layout.matchAll(/^([a-z-]+(?:\/[a-z-]+)?)\/ /gm)].map((m) => m[1]!);
    expect(folders.length).toBeGreaterThanOrEqual(15);
    for (const f of folders) expect(existsSync(path.join(REPO, f)), f).toBe(true);
    for (const f of ['src/sources/hep-listener.ts', 'src/sources/udp-listener.ts', 'src/sources/native-pcap.ts', 'src/sources/replay-sender.ts', 'src/cli/malformed-log.ts', 'src/cli/version.ts', 'src/cli/progress.ts', 'src/cli/live-options.ts', 'src/media/srtcp.ts', 'src/policy/integrity.ts', 'src/policy/uri-resolver.ts', 'src/signaling/websocket-deflate.ts', 'native-free/fragments.ts', 'native-free/tunnels.ts', 'native-free/tcp-stream.ts', 'contrib/live.yaml', 'contrib/systemd/aipref-enforcer.service', 'bench/live-load.ts', 'samples/generate.ts']) expect(existsSync(path.join(REPO, f)), f).toBe(true);
    expect(await readFile(path.join(REPO, 'contrib/systemd/aipref-enforcer.service'), 'utf8')).toContain('--config /etc/aipref/live.yaml');
    for (const stage of ['signaling', 'media', 'binding', 'policy', 'enforce', 'export', 'report', 'sources']) {
      for (const f of await readdir(path.join(REPO, 'src', stage), { recursive: true })) {
        if (!String(f).endsWith('.ts')) continue;
        expect(await readFile(path.join(REPO, 'src', stage, String(f)), 'utf8'), `${stage}/${f}`).not.toMatch(/from '\.\.\/(?:\.\.\/)?pipeline\//);
      }
    }
    for (const m of README.matchAll(/test\/[A-Za-z0-9_./-]+\.(?:limit|test)\.ts/g)) expect(existsSync(path.join(REPO, m[0])), m[0]).toBe(true);
  });
});
