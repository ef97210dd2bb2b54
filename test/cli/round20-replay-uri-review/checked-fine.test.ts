/**
 * Checked fine in 2959c65 (review part 1: replay outputs, replay --to pacing, uri-resolver,
 * live options), each below:
 * - replay --out: an output file that is a symlink to a FIFO with a reader is opened once (stat
 *   follows the link): the reader gets exactly a plain run's exports, exit 0; symlinks to /dev/null
 *   and a file: written through, links kept, exit 0; `--out /dev/null` (SPEC §8: --out is a folder)
 *   refused in one line naming --out, exit 1, nothing made; a folder in reports.ndjson's place (the
 *   regular pre-check): refused, the earlier run's exports.ndjson untouched, nothing of the run's left.
 * - replay --to pacing: --speed 0 never waits (a 30 s capture gap goes at once); --speed 2 halves a
 *   gap (≥ ~1 s of a 2 s one); an ARP frame between two datagrams neither delays nor shifts the
 *   second; a timestamp going backwards is sent at once and a later one keeps the schedule of the
 *   first; a snap-cut datagram before the first sent one sets no pace (and is counted skipped).
 * - uri-resolver nonPublicAddress, against IANA's special-purpose registries: 192.0.0.9/32 and
 *   192.0.0.10/32 public, 192.0.0.8 and .11 not; 2001:1::1, ::2, ::3 (RFC 9665 SRP anycast, which
 *   the code rightly adds beyond the brief's list) public, 2001:1:: and 2001:1::4 not; 2001:3::/32,
 *   2001:4:112::/48, 2001:20::/28, 2001:30::/28 public from first to last address, the address
 *   before and after each not; 2001:2::/48 still benchmarking, 2001:10::/28 (deprecated ORCHID)
 *   and Teredo 2001::/32 still refused; the exceptions' IPv4-mapped, -compatible, SIIT, NAT64 and
 *   6to4 forms judged as the IPv4 address (public), a neighbour's not; zones and non-canonical
 *   spellings alike.
 * - uriAllowHost: a root dot kept off (`host.example.` = `host.example`), case folded, IDNA to
 *   punycode (`BÜCHER.example.` = `xn--bcher-kva.example`), an empty label (`a..b`, `host..`,
 *   `.host`, `.`) and any port (`host:443`, `host.example.:443`, `[::1]:443`) refused; the resolver
 *   fetches an allowed name written with or without its root dot, any case, from a private
 *   address, and refuses a name not allowed that resolves there.
 * - live options: an unknown config key, `config` as a key, a wrong-typed value: exit 2; a config
 *   file missing, or a policy or CA file named in a fine config missing: exit 1 (SPEC §8 "unreadable
 *   file"; it may yet appear, so the unit's restart is right) with nothing made; flags win over the
 *   config's keys; --spool/--token without --to, --hep-auth-key without --hep (from a flag or a
 *   config key, the key then named) refused as usage.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UsageError } from '../../../src/cli/usage.js';
import { nonPublicAddress, uriAllowHost, UriResolver } from '../../../src/policy/uri-resolver.js';
import { replayCapture } from '../../../src/sources/replay-sender.js';
import { writeCapture, type Rec } from '../../live/round19-last-review/pcap.js';
import { BIN, cli, SMALL_PCAP, SMALL_POLICY } from './helpers.js';

let dir: string;
let plainExports: Buffer;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20-passing-'));
  const plain = path.join(dir, 'plain');
  expect(cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', plain, '--quiet']).status).toBe(0);
  plainExports = await readFile(path.join(plain, 'exports.ndjson'));
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('replay --out: FIFOs, devices and symlinks in the files\' places', () => {
  it('a symlink to a FIFO with a reader: the reader gets the exports, exit 0', async () => {
    const out = path.join(dir, 'symfifo');
    await mkdir(out);
    const fifo = path.join(dir, 'real.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await symlink(fifo, path.join(out, 'exports.ndjson'));
    const cat = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    const got = new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      cat.stdout!.on('data', (d: Buffer) => parts.push(d));
      cat.on('close', () => resolve(Buffer.concat(parts)));
    });
    const child = spawn(process.execPath, [BIN, 'replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--quiet'], { stdio: 'ignore' });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    expect((await got).equals(plainExports)).toBe(true);
    expect((await lstat(path.join(out, 'exports.ndjson'))).isSymbolicLink()).toBe(true);
  }, 120_000);

  it('symlinks to /dev/null and to a file: written through, links kept, exit 0', async () => {
    const out = path.join(dir, 'devnull');
    await mkdir(out);
    await symlink('/dev/null', path.join(out, 'exports.ndjson'));
    const target = path.join(dir, 'reports-target.ndjson');
    await symlink(target, path.join(out, 'reports.ndjson'));
    const r = cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--quiet']);
    expect(r.status).toBe(0);
    expect((await lstat(path.join(out, 'exports.ndjson'))).isSymbolicLink()).toBe(true);
    expect((await readFile(target, 'utf8')).length).toBeGreaterThan(0);
  }, 120_000);

  it('--out /dev/null: --out is a folder (SPEC §8): one line naming it, exit 1', () => {
    const r = cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', '/dev/null', '--quiet']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--out /dev/null');
  }, 60_000);

  it("a folder at reports.ndjson: refused before any file is emptied, nothing of the run's left", async () => {
    const out = path.join(dir, 'folderin');
    expect(cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--quiet']).status).toBe(0);
    await rm(path.join(out, 'reports.ndjson'));
    await mkdir(path.join(out, 'reports.ndjson'));
    const r = cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--explain', '--quiet']);
    expect(r.status).toBe(1);
    expect((await readFile(path.join(out, 'exports.ndjson'))).equals(plainExports)).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['exports.ndjson', 'reports.ndjson']);
  }, 120_000);
});

/** Replays `recs` (or a capture file) to a UDP socket at `speed`; the datagrams' texts and arrival times (ms from the start). */
async function replayed(recs: Rec[] | string, speed: number): Promise<{ result: { sent: number; skipped: number }; got: Map<string, number> }> {
  let cap: string;
  if (typeof recs === 'string') cap = recs;
  else {
    cap = path.join(await mkdtemp(path.join(dir, 'cap-')), 'cap.pcap');
    await writeCapture(cap, recs);
  }
  const sock: Socket = createSocket('udp4');
  const got = new Map<string, number>();
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const t0 = performance.now();
  sock.on('message', (m) => got.set(m.toString(), performance.now() - t0));
  try {
    const result = await replayCapture(cap, { scheme: 'udp', host: '127.0.0.1', port: sock.address().port }, { speed });
    await new Promise((r) => setTimeout(r, 200));
    return { result, got };
  } finally {
    sock.close();
  }
}

describe('replay --to: pacing', () => {
  it('--speed 0 never waits', async () => {
    const { result, got } = await replayed([
      { ts: 1000, kind: 'udp', payload: 'one' },
      { ts: 1030, kind: 'udp', payload: 'two' },
    ], 0);
    expect(result).toEqual({ sent: 2, skipped: 0 });
    expect(got.get('two')!).toBeLessThan(15_000);
  }, 60_000);

  it('--speed 2 halves a gap (lower bound only)', async () => {
    const { got } = await replayed([
      { ts: 1000, kind: 'udp', payload: 'one' },
      { ts: 1002, kind: 'udp', payload: 'two' },
    ], 2);
    expect(got.get('two')! - got.get('one')!).toBeGreaterThan(800);
  }, 60_000);

  it('an ARP frame between two datagrams does not take them apart more than the capture does', async () => {
    const { result, got } = await replayed([
      { ts: 1000, kind: 'udp', payload: 'one' },
      { ts: 1000.5, kind: 'arp' },
      { ts: 1001, kind: 'udp', payload: 'two' },
      { ts: 1001.5, kind: 'arp' },
      { ts: 1002, kind: 'udp', payload: 'three' },
    ], 1);
    expect(result).toEqual({ sent: 3, skipped: 2 });
    expect(got.get('two')! - got.get('one')!).toBeGreaterThan(800);
    expect(got.get('three')! - got.get('one')!).toBeGreaterThan(1800);
  }, 60_000);

  it('a timestamp going backwards goes at once; a later one keeps the first one\'s schedule', async () => {
    const { got } = await replayed([
      { ts: 1000, kind: 'udp', payload: 'one' },
      { ts: 900, kind: 'udp', payload: 'back' },
      { ts: 1001.5, kind: 'udp', payload: 'late' },
    ], 1);
    expect(got.get('back')! - got.get('one')!).toBeLessThan(5_000); // (capture: 100 s back)
    expect(got.get('late')! - got.get('one')!).toBeGreaterThan(1_300);
  }, 60_000);

  it('a snap-cut datagram before the first sent one sets no pace, counted skipped', async () => {
    // a datagram at t=1000 whose last 20 payload bytes the snap length cut, then "one" at t=1020
    const cap = path.join(await mkdtemp(path.join(dir, 'cut-')), 'cap.pcap');
    await writeCapture(cap, [
      { ts: 1000, kind: 'udp', payload: 'y'.repeat(100) },
      { ts: 1020, kind: 'udp', payload: 'one' },
    ]);
    const bytes = await readFile(cap);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const incl = dv.getUint32(24 + 8, true);
    dv.setUint32(24 + 8, incl - 20, true);
    const cut = Buffer.concat([bytes.subarray(0, 24 + 16 + incl - 20), bytes.subarray(24 + 16 + incl)]);
    await writeFile(cap, cut);
    const { result, got } = await replayed(cap, 1);
    expect(result).toEqual({ sent: 1, skipped: 1 });
    expect(got.get('one')!).toBeLessThan(10_000);
  }, 60_000);
});

describe('uri-resolver: IANA special-purpose exceptions', () => {
  const publicOnes = [
    '192.0.0.9', '192.0.0.10', '2001:1::1', '2001:1::2', '2001:1::3',
    '2001:3::', '2001:3:ffff:ffff:ffff:ffff:ffff:ffff', '2001:4:112::', '2001:4:112:ffff:ffff:ffff:ffff:ffff',
    '2001:20::', '2001:2f:ffff:ffff:ffff:ffff:ffff:ffff', '2001:30::', '2001:3f:ffff:ffff:ffff:ffff:ffff:ffff',
    '::ffff:192.0.0.9', '::ffff:c000:a', '::192.0.0.9', '::ffff:0:192.0.0.10', '64:ff9b::192.0.0.9', '2002:c000:9::1',
    '2001:1::1%eth0', '2001:0001:0000:0000:0000:0000:0000:0001', '2001:1::0.0.0.2', '2620:4f:8000::1', '192.31.196.1', '192.52.193.1', '192.175.48.1',
  ];
  const notPublic = [
    '192.0.0.8', '192.0.0.11', '192.0.0.170', '2001:1::', '2001:1::4', '2001:2::1', '2001:2:ffff:ffff:ffff:ffff:ffff:ffff',
    '2001:4::', '2001:4:111:ffff:ffff:ffff:ffff:ffff', '2001:4:113::', '2001:1f:ffff:ffff:ffff:ffff:ffff:ffff', '2001:40::',
    '2001:10::1', '2001::1', '2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', '::ffff:192.0.0.11', '64:ff9b::c000:b', '2002:c000:b::1',
  ];
  it('globally reachable blocks public, from their first to their last address', () => {
    expect(publicOnes.filter((a) => nonPublicAddress(a) !== null)).toEqual([]);
  });
  it('the addresses around them are not', () => {
    expect(notPublic.filter((a) => nonPublicAddress(a) === null)).toEqual([]);
  });
});

describe('uri-allow: names', () => {
  it('root dot, case, IDNA; empty labels and ports refused', () => {
    expect(uriAllowHost('host.example.')).toBe('host.example');
    expect(uriAllowHost('HOST.Example.')).toBe('host.example');
    expect(uriAllowHost('BÜCHER.example.')).toBe('xn--bcher-kva.example');
    expect(uriAllowHost('xn--bcher-kva.example')).toBe('xn--bcher-kva.example');
    expect(uriAllowHost('10.0.0.1.')).toBe('10.0.0.1');
    for (const bad of ['a..b', 'host.example..', '.host', '.', 'host:443', 'host.example.:443', '[::1]:443', 'host:8443']) expect(uriAllowHost(bad), bad).toBeNull();
  });

  it('the resolver fetches an allowed name with or without its root dot, refuses one not allowed', async () => {
    const lookup = ((_h: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) => cb(null, [{ address: '127.0.0.1', family: 4 }])) as never;
    const resolver = new UriResolver({ allowHosts: ['repo.internal.'], lookup, timeoutMs: 5_000, failureTtlMs: 0 });
    for (const uri of ['https://repo.internal/a.json', 'https://REPO.Internal./b.json']) {
      const r = await resolver.resolve(uri, 'p');
      expect(r.status).toBe('unresolved'); // nothing serves https on 127.0.0.1 here: the fetch was tried
      expect(r.status === 'unresolved' && r.reason, uri).not.toContain('not fetched');
    }
    const other = await resolver.resolve('https://other.internal./c.json', 'p');
    expect(other.status === 'unresolved' && other.reason).toContain('not fetched');
  }, 60_000);
});

describe('live options', () => {
  const live = (args: string[]) => cli(['live', ...args, '--quiet'], 60_000);
  it('an unknown key, `config` as a key, a wrong-typed value: exit 2', async () => {
    for (const [i, text] of ['{"hep": "127.0.0.1:0", "hepp": 1}', '{"hep": "127.0.0.1:0", "config": "x.json"}', '{"hep": "127.0.0.1:0", "explain": "yes"}', '{"hep": ["127.0.0.1:0"]}'].entries()) {
      const config = path.join(dir, `typo-${i}.json`);
      await writeFile(config, text);
      const r = live(['--config', config]);
      expect(r.status, text).toBe(2);
    }
  }, 120_000);

  it('a missing config file, or a policy or CA file named in a fine config missing: exit 1, nothing made', async () => {
    const out = path.join(dir, 'live-made', 'out');
    const cases = [
      { hep: '127.0.0.1:0', out, policy: path.join(dir, 'nope', 'policy.json') },
      { hep: '127.0.0.1:0', out, 'uri-ca': path.join(dir, 'nope', 'ca.pem') },
    ];
    for (const [i, c] of cases.entries()) {
      const config = path.join(dir, `missing-${i}.json`);
      await writeFile(config, JSON.stringify(c));
      const r = live(['--config', config]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(path.join(dir, 'nope'));
      expect(existsSync(path.join(dir, 'live-made'))).toBe(false);
    }
    const r = live(['--config', path.join(dir, 'no-such-config.json')]);
    expect(r.status).toBe(1);
  }, 120_000);

  it('flags win over the config; options of an output not asked for refused, the key named', async () => {
    const config = path.join(dir, 'win.json');
    await writeFile(config, JSON.stringify({ hep: '127.0.0.1:9060', workers: 3 }));
    const o = await liveOptionsFromArgs(['--config', config, '--hep', '127.0.0.1:9061']);
    expect(o.hep).toEqual({ host: '127.0.0.1', port: 9061 });
    expect(o.workers).toBe(3);
    for (const args of [['--hep', '127.0.0.1:1', '--spool', '/tmp/x'], ['--hep', '127.0.0.1:1', '--token', 't'], ['--udp', '127.0.0.1:1', '--hep-auth-key', 'k']]) {
      await expect(liveOptionsFromArgs(args), args.join(' ')).rejects.toBeInstanceOf(UsageError);
    }
    const keyed = path.join(dir, 'keyed.json');
    await writeFile(keyed, JSON.stringify({ udp: '127.0.0.1:1', 'hep-auth-key': 'k' }));
    await expect(liveOptionsFromArgs(['--config', keyed])).rejects.toThrow(/config key 'hep-auth-key'/);
  });
});
