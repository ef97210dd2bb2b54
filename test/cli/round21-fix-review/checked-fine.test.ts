/**
 * Checked and found fine (review of 2b69ea0, 1025c47, 1345701):
 * 2b69ea0, secrets on stderr through parse errors (src/cli/args.ts usageMessage, refusedValue,
 *   secretValueBefore, spilledSecretMessage, parseCommandArgs):
 *   - `--token` / `--hep-auth-key` last with no value: "Option '--token <value>' argument missing";
 *   - `--token=` / `--hep-auth-key=` alone: "--token needs a value, not ''";
 *   - `--to` given twice (one with user:password@): "--to given twice: give it once", no URL;
 *   - `live --token --workers 2`: "--token needs a value: the next argument looks like an option";
 *   - `--workers --token=Zq3`, `--policy --to=https://u:p@h/`, `--policy --nats=nats://u:p@h`: "<not shown>";
 *   - `--policy --hep-auth-key -Zq3`: names '--hep-auth-key' only; `--hep-auth-key -Zq3`: no value;
 *   - short options: none are defined, `-tZq3` is "Unknown option '-t'";
 *   - the separate form `--hep-auth-key my pass phrase` in any position (live, replay capture first/last);
 *   - an ordinary unexpected argument is still quoted (live, replay), and one after another option
 *     in between (`--hep-auth-key k --quiet stray`, `--hep-auth-key k -- stray`,
 *     `replay --hep-auth-key k --json cap stray`) is quoted, not a false "follows …'s value";
 *   - the config file: YAML/JSON syntax errors, duplicate keys, a list/mapping/number for a secret key
 *     never show the value.
 * 2b69ea0, the pace (src/sources/replay-sender.ts): an abort during a wait past MAX_TIMER_MS ends
 *   the replay at once (AbortError, replay.ts maps it to 130); the wait is cut into timers of at
 *   most MAX_TIMER_MS with dueMs() recomputed after each (a late timer shortens the rest: no
 *   drift, no overshoot); --speed 0 never waits (records 40 days apart sent at once);
 *   parseReplayTarget takes HEP:// Udp:// and gives the scheme lower-case.
 * 1025c47 and the scheme grep of src/: every scheme test is case-insensitive or goes through
 *   new URL (which lower-cases protocol): live.ts token-in-clear warning /^(http|ws):/i and
 *   exporter name /^wss?:/i, live-options aiServiceUrl /i, http-exporter /i + toLowerCase,
 *   http-transport url.protocol, uri-resolver url.protocol, signaling-front HTTPS/HTTP_URI /i,
 *   ai-pref-body cid: toLowerCase, url-for-display SCHEME/SPECIAL /i, nats-exporter splitUserinfo /i
 *   (and nats.js strips any scheme); replay-sender /i. No startsWith('http'|'ws'|…) left.
 *   Checked here: HTTPS:// taken by live's --to check, HTTP:// with --token warned as clear text,
 *   NATS://u:p@h shown without userinfo.
 * 1345701, --explain without --out: refused from the config file too (`explain: true` with only
 *   `nats:`, named as the config key), allowed with --out plus --nats (flag or config out),
 *   `explain: false` in the config with only nats fine; replay --explain unaffected (decisions.ndjson
 *   written), replay --to --explain still "does not apply to replay --to".
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { encodePcapFileHeader, encodePcapRecord } from '../../../native-free/write.js';
import { parseCommandArgs, parseOptions, urlForDisplay } from '../../../src/cli/args.js';
import { LIVE_OPTIONS, liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { MAX_TIMER_MS } from '../../../src/export/abortable.js';
import { natsServersForDisplay } from '../../../src/export/nats-exporter.js';
import { parseReplayTarget, replayCapture } from '../../../src/sources/replay-sender.js';
import { LiveChild } from '../../live/live-helpers.js';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { REPLAY_OPTIONS } from '../../../src/cli/replay.js';

const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
const PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');
const dir = mkdtempSync(path.join(tmpdir(), 'r21-fix-review-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REPLAY_SPEC = REPLAY_OPTIONS;

const lineOf = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('no usage error');
};
const live = (args: string[]): string => lineOf(() => parseOptions(args, LIVE_OPTIONS));
const SECRET = /Zq3|myK3y|Pa55|pa55|s3cr3t/;

describe('2b69ea0: no secret through a parse error', () => {
  it('missing, empty, twice, shifted', () => {
    const cases: [string[], RegExp][] = [
      [['--hep', '127.0.0.1:0', '--token'], /^Option '--token <value>' argument missing/],
      [['--hep', '127.0.0.1:0', '--hep-auth-key'], /^Option '--hep-auth-key <value>' argument missing/],
      [['--to', 'https://u:s3cr3t@h/x', '--to', 'https://h2/'], /^--to given twice: give it once$/],
      [['--token', 'Zq3a', '--token', 'Zq3b'], /^--token given twice/],
      [['--token', '--workers', '2'], /^--token needs a value: the next argument looks like an option/],
      [['--workers', '--token=Zq3'], /--token=<not shown>/],
      [['--policy', '--to=https://u:s3cr3t@h/'], /--to=<not shown>/],
      [['--policy', '--nats=nats://u:s3cr3t@h:4222'], /--nats=<not shown>/],
      [['--policy', '--hep-auth-key', '-Zq3'], /'--hep-auth-key' looks like an option/],
      [['--hep-auth-key', '-Zq3'], /^--hep-auth-key needs a value: the next argument looks like an option/],
      [['-tZq3'], /^Unknown option '-t'/],
      [['--hep-auth-key', 'my', 'Pa55', 'phrase'], /follows --hep-auth-key's value, not shown/],
    ];
    for (const [args, want] of cases) {
      const line = live(args);
      expect(line, args.join(' ')).toMatch(want);
      expect(line, args.join(' ')).not.toMatch(SECRET);
    }
    // empty values are refused after parsing
    expect(lineOf(() => parseCommandArgs(['cap', '--hep-auth-key='], REPLAY_SPEC))).toBe("--hep-auth-key needs a value, not '' (an empty one)");
  });

  it('an ordinary unexpected argument is still quoted; an option in between is no false "follows"', () => {
    expect(live(['stray'])).toMatch(/^Unexpected argument 'stray'/);
    expect(live(['--hep-auth-key', 'k', '--quiet', 'stray'])).toMatch(/^Unexpected argument 'stray'/);
    expect(live(['--hep-auth-key', 'k', '--', 'stray'])).toMatch(/^Unexpected argument 'stray'/);
    expect(live(['--hep-auth-key', 'k', '--hep', '1.2.3.4:9', 'stray'])).toMatch(/^Unexpected argument 'stray'/);
    expect(lineOf(() => parseCommandArgs(['cap', 'stray'], REPLAY_SPEC))).toBe("unexpected argument 'stray'");
    expect(lineOf(() => parseCommandArgs(['--hep-auth-key', 'k', '--json', 'cap', 'stray'], REPLAY_SPEC))).toBe("unexpected argument 'stray'");
    expect(lineOf(() => parseCommandArgs(['cap', 'stray', '--hep-auth-key', 'k'], REPLAY_SPEC))).toBe("unexpected argument 'stray'");
    expect(parseCommandArgs(['--hep-auth-key', 'k', 'cap'], REPLAY_SPEC).capture).toBe('cap');
  });

  it('config file errors never show a secret key value', async () => {
    const files: [string, string][] = [
      ['a.json', '{"hep":"127.0.0.1:0","token": "Zq3secret" "x": 1}'],
      ['b.yaml', 'hep: 127.0.0.1:0\ntoken: "Zq3secret\n'],
      ['c.yaml', 'hep: 127.0.0.1:0\nhep-auth-key: Zq3: secret: x\n'],
      ['d.yaml', 'hep: 127.0.0.1:0\nhep-auth-key: Zq3one\nhep-auth-key: Zq3two\n'],
      ['e.json', '{"hep":"127.0.0.1:0","hep-auth-key":"Zq3one","hep-auth-key":"Zq3two"}'],
      ['f.yaml', 'hep: 127.0.0.1:0\nhep-auth-key: [Zq3secret, x]\n'],
      ['g.yaml', 'hep: 127.0.0.1:0\nhep-auth-key: {Zq3secret: 1}\n'],
      ['h.yaml', 'hep: 127.0.0.1:0\nhep-auth-key: 0987654\n'],
    ];
    for (const [name, text] of files) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      const err = await liveOptionsFromArgs(['--config', file]).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err, name).toBeInstanceOf(Error);
      expect(err!.message, name).not.toMatch(/Zq3|987654/);
    }
  });

  it('CLI: the separate-form passphrase and --to twice put nothing secret on stderr', () => {
    for (const args of [
      ['live', '--hep', '127.0.0.1:0', '--hep-auth-key', 'myK3y', 'Pa55', 'phrase'],
      ['live', '--hep', '127.0.0.1:0', '--to', 'https://u:s3cr3t@h/x', '--to', 'https://h2/'],
      ['live', '--hep', '127.0.0.1:0', '--token'],
      ['replay', PCAP, '--to', 'hep://127.0.0.1:9', '--hep-auth-key', 'myK3y', 'Pa55', 'phrase'],
    ]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).not.toMatch(SECRET);
    }
  });
});

/** One Ethernet/IPv4/UDP frame, 10.0.0.1:40000 → 10.0.0.2:40002, carrying `payload`. */
const ipv4Udp = (payload: Uint8Array): Uint8Array => buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002, payload });

/** A capture of two UDP datagrams `apartSec` seconds apart. */
function twoDatagrams(name: string, apartSec: number): string {
  const file = path.join(dir, name);
  const a = ipv4Udp(new TextEncoder().encode('first'));
  const b = ipv4Udp(new TextEncoder().encode('second'));
  const parts = [encodePcapFileHeader(1), encodePcapRecord(1_700_000_000, a, { origLen: a.length }), encodePcapRecord(1_700_000_000 + apartSec, b, { origLen: b.length })];
  writeFileSync(file, Buffer.concat(parts.map((p) => Buffer.from(p))));
  return file;
}

async function receiver(): Promise<{ port: number; got: string[]; close: () => void }> {
  const got: string[] = [];
  const rx = createSocket('udp4');
  rx.on('message', (m) => got.push(m.toString()));
  await new Promise<void>((resolve) => rx.bind(0, '127.0.0.1', resolve));
  return { port: rx.address().port, got, close: () => rx.close() };
}

describe('2b69ea0: the pace', () => {
  it('an abort during a wait past MAX_TIMER_MS ends the replay at once', async () => {
    const capture = twoDatagrams('abort.pcap', 40 * 86400);
    const rx = await receiver();
    const stop = new AbortController();
    try {
      const run = replayCapture(capture, `udp://127.0.0.1:${rx.port}`, { speed: 1, signal: stop.signal });
      const outcome = run.then(
        () => 'resolved',
        (err: Error) => err.name,
      );
      // (the first one waited for, up to 15 s, rather than a fixed pause a loaded CI can outlast)
      for (const end = Date.now() + 15_000; rx.got.length === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
      expect(rx.got).toEqual(['first']);
      const t0 = performance.now();
      stop.abort();
      expect(await outcome).toBe('AbortError');
      expect(performance.now() - t0).toBeLessThan(200);
      expect(rx.got).toEqual(['first']);
    } finally {
      rx.close();
    }
  });

  it('--speed 0 never waits: records 40 days apart are sent at once', async () => {
    const capture = twoDatagrams('speed0.pcap', 40 * 86400);
    const rx = await receiver();
    try {
      const t0 = performance.now();
      const result = await replayCapture(capture, `udp://127.0.0.1:${rx.port}`, { speed: 0 });
      expect(result.sent).toBe(2);
      expect(performance.now() - t0).toBeLessThan(2000);
    } finally {
      rx.close();
    }
  });

  it('a long wait: timers of at most MAX_TIMER_MS, the rest recomputed after each (a late timer shortens it)', async () => {
    vi.resetModules();
    let clock = 1_000_000;
    const sleeps: number[] = [];
    const LATE = 5000;
    vi.doMock('node:timers/promises', async (orig) => ({
      ...(await orig<typeof import('node:timers/promises')>()),
      setTimeout: (ms: number) => {
        sleeps.push(ms);
        clock += ms + LATE;
        return Promise.resolve(undefined);
      },
    }));
    const now = vi.spyOn(performance, 'now').mockImplementation(() => clock);
    try {
      const { replayCapture: paced } = await import('../../../src/sources/replay-sender.js');
      const apart = 60 * 86400;
      const capture = twoDatagrams('sixty-days.pcap', apart);
      const rx = await receiver();
      try {
        const result = await paced(capture, `udp://127.0.0.1:${rx.port}`, { speed: 1 });
        expect(result.sent).toBe(2);
      } finally {
        rx.close();
      }
      expect(sleeps.every((ms) => ms <= MAX_TIMER_MS)).toBe(true);
      expect(sleeps.slice(0, 2)).toEqual([MAX_TIMER_MS, MAX_TIMER_MS]);
      // recomputed: the two late timers' 2 × LATE ms are taken off the rest
      expect(sleeps.length).toBe(3);
      expect(sleeps[2]).toBeCloseTo(apart * 1000 - 2 * (MAX_TIMER_MS + LATE), 3);
    } finally {
      now.mockRestore();
      vi.doUnmock('node:timers/promises');
      vi.resetModules();
    }
  });

  it('parseReplayTarget: HEP:// Udp:// hep:// taken, the scheme lower-case; userinfo still refused', () => {
    expect(parseReplayTarget('HEP://127.0.0.1:9060')).toEqual({ scheme: 'hep', host: '127.0.0.1', port: 9060 });
    expect(parseReplayTarget('Udp://[::1]:9')).toEqual({ scheme: 'udp', host: '::1', port: 9 });
    expect(() => parseReplayTarget('HEP://Zq3@127.0.0.1:9060')).toThrow();
    expect(() => parseReplayTarget('HTTP://127.0.0.1:9060')).toThrow();
  });
});

describe('1025c47: schemes in capitals', () => {
  it('live --to HTTPS:// and WSS:// pass the start check; a user:password@ in capitals still refused unshown', async () => {
    const spool = path.join(dir, 'spool');
    for (const to of ['HTTPS://svc.example/x', 'WSS://svc.example/x', 'Http://svc.example/x']) {
      const o = await liveOptionsFromArgs(['--hep', '127.0.0.1:0', '--to', to, '--spool', spool]);
      expect(o.aiService?.url).toBe(to);
    }
    await expect(liveOptionsFromArgs(['--hep', '127.0.0.1:0', '--to', 'HTTPS://u:s3cr3t@svc.example/x', '--spool', spool])).rejects.toThrow(/^--to takes no user:password@.*'HTTPS:\/\/svc\.example\/x'/);
  });

  it('display of NATS:// and WSS:// URLs in capitals drops the userinfo', () => {
    expect(natsServersForDisplay('NATS://u:s3cr3t@n.example:4222')).toBe('NATS://n.example:4222');
    expect(urlForDisplay('WSS://u:s3cr3t@svc.example/x')).toBe('WSS://svc.example/x');
  });

  it('live: --token with HTTP:// (capitals) is warned as sent in clear; HTTPS:// is not', async () => {
    for (const [to, warned] of [
      ['HTTP://127.0.0.1:1/x', true],
      ['HTTPS://127.0.0.1:1/x', false],
    ] as const) {
      const spool = mkdtempSync(path.join(dir, 'spool-'));
      const { live: child } = await LiveChild.start(['--hep', '127.0.0.1:0', '--to', to, '--token', 'Zq3tok', '--spool', spool]);
      try {
        expect(child.logs.some((l) => l.event === 'warning' && String(l.message).includes('sent in clear'))).toBe(warned);
        expect(child.stderrText).not.toContain('Zq3tok');
      } finally {
        await child.terminate();
      }
    }
  }, 120_000);
});

describe('1345701: --explain without --out', () => {
  it('from the config file: explain: true with only nats is refused, naming the config key', async () => {
    const file = path.join(dir, 'explain.yaml');
    writeFileSync(file, 'hep: 127.0.0.1:0\nnats: nats://127.0.0.1:4222\nexplain: true\n');
    await expect(liveOptionsFromArgs(['--config', file])).rejects.toThrow(`${file}: config key 'explain': --explain applies to the files of --out`);
    // with --out given as a flag, or in the file, it is allowed
    expect((await liveOptionsFromArgs(['--config', file, '--out', path.join(dir, 'o')])).explain).toBe(true);
    const withOut = path.join(dir, 'explain-out.yaml');
    writeFileSync(withOut, `hep: 127.0.0.1:0\nnats: nats://127.0.0.1:4222\nexplain: true\nout: ${path.join(dir, 'o2')}\n`);
    expect((await liveOptionsFromArgs(['--config', withOut])).explain).toBe(true);
    const off = path.join(dir, 'explain-off.yaml');
    writeFileSync(off, 'hep: 127.0.0.1:0\nnats: nats://127.0.0.1:4222\nexplain: false\n');
    expect((await liveOptionsFromArgs(['--config', off])).explain).toBe(false);
  });

  it('flags: --explain --out --nats allowed; --explain with only --nats or --to refused', async () => {
    const o = await liveOptionsFromArgs(['--hep', '127.0.0.1:0', '--nats', 'nats://127.0.0.1:4222', '--out', path.join(dir, 'o3'), '--explain']);
    expect(o.explain).toBe(true);
    expect(o.outDir).toBe(path.join(dir, 'o3'));
    await expect(liveOptionsFromArgs(['--hep', '127.0.0.1:0', '--nats', 'nats://127.0.0.1:4222', '--explain'])).rejects.toThrow(/^--explain applies to the files of --out/);
  });

  it('replay --explain unaffected: decisions.ndjson written; replay --to --explain still refused as before', () => {
    const out = path.join(dir, 'replay-out');
    const r = spawnSync(process.execPath, [BIN, 'replay', PCAP, '--out', out, '--explain', '--quiet'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(path.join(out, 'decisions.ndjson'))).toBe(true);
    const t = spawnSync(process.execPath, [BIN, 'replay', PCAP, '--to', 'udp://127.0.0.1:9', '--explain'], { encoding: 'utf8', timeout: 60_000 });
    expect(t.status).toBe(2);
    expect(t.stderr).toContain('--explain does not apply to replay --to');
  });
});
