/**
 * Checked fine in 7ed2e02 (review of this session's fixes), each below:
 * - parseOptions (args.ts): an option given twice is refused naming it, whether `--x=v` or `--x v`
 *   or both forms are mixed, and the line never shows the values (two --token values); a boolean
 *   given twice (`--explain --explain`, replay `--json --json`) refused alike; `--uri-allow a
 *   --uri-allow=b` is `a,b`, one of them empty refused as an empty value; `live -- --hep …`
 *   refused (no positionals); a config key and the same flag: the flag wins, not "given twice"
 *   (`hep`, and `uri-allow`: the flag's hosts replace the file's, as README's "flags win" says).
 * - live-options: a config that does not parse — JSON syntax, a key twice (JSON and YAML), YAML
 *   indentation, a list, an empty file, comments only, a JSON BOM (said so) — is a UsageError
 *   without the usage text (exit 2 from the CLI, one line); a missing config or a folder given as
 *   one: a plain Error (exit 1); a YAML BOM is read (the yaml package drops it); an alias bomb
 *   (billion laughs, 10^9 nodes) is refused at once by maxAliasCount; "rotate-bytes": 1e400
 *   refused naming the key; --udp-mode without --udp (a config key: the key named),
 *   --rotate-age/--max-files/--rotate-bytes with --to or --nats and no --out, --nats-max-* without
 *   --nats, --uri-allow/--uri-ca with --no-resolve-uri (from the config too) refused; the same
 *   with their input or output accepted.
 * - replay FIFOs: exports and reports both FIFOs, the reports reader arriving first and the
 *   exports one only after the "waiting for a reader" line: both get exactly a plain run's bytes,
 *   exit 0; an exports FIFO with no reader beside an earlier run's reports.ndjson: that file
 *   untouched while waiting, SIGINT → exit 130 with one line, the file still untouched, nothing
 *   made; an exports reader that goes away at once: one line `…exports.ndjson: cannot write: broken
 *   pipe (EPIPE)`, exit 1, reports.ndjson whole lines (here a plain run's all); a decisions.ndjson
 *   FIFO without --explain: left alone, not waited for, exit 0.
 * - replay-sender pacing: --speed 1 over 21 datagrams 100 ms apart takes at least the capture's
 *   2 s (the schedule is from one clock set at the first datagram sent: nothing accumulates, read
 *   in the code); ip-packet mode keeps the pace too; an abort during an hour's wait ends the send
 *   promptly (rejects, the first datagram delivered).
 * - ndjson-rotating's line reader: CRLF lines, a last line without newline (JSON: counted; torn
 *   non-JSON: ignored), a 3-byte UTF-8 character split across the 64 KiB read chunks — each
 *   judged whole: expired files deleted, a file with a future line kept, no error.
 * - spool: a folder whose empty acks file was removed at close, restarted: the items still wait;
 *   one acknowledged then does not come back at the next start.
 * - README sentences changed by 7ed2e02 (exit codes, live config refusals, --uri-allow repeated,
 *   only regular files taken over, FIFO wait, stale decisions) match the code, but for the FIFO
 *   the enforcer cannot read (replay-out-write-only-fifo-sigint-hangs.test.ts).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UsageError } from '../../../src/cli/usage.js';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';
import { DiskSpool } from '../../../src/export/spool.js';
import { replayCapture } from '../../../src/sources/replay-sender.js';
import { writeCapture, type Rec } from '../../live/round19-last-review/pcap.js';
import { BIN, cli, SMALL_PCAP, SMALL_POLICY, until } from './helpers.js';

const linux = process.platform === 'linux' && spawnSync('mkfifo', ['--version']).status === 0;
const mkfifo = (p: string) => promisify(execFile)('mkfifo', [p]);

let dir = '';
let plain: { exports: string; reports: string };
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20fix-pass-'));
  const out = path.join(dir, 'plain');
  const r = cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--workers', '0', '--quiet']);
  expect(r.status).toBe(0);
  plain = { exports: await readFile(path.join(out, 'exports.ndjson'), 'utf8'), reports: await readFile(path.join(out, 'reports.ndjson'), 'utf8') };
}, 180_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** 'usage: <message>' for a UsageError, 'error: <message>' for another, 'ok' when accepted. */
async function opts(args: string[]): Promise<string> {
  try {
    await liveOptionsFromArgs(args);
    return 'ok';
  } catch (err) {
    return `${err instanceof UsageError ? 'usage' : 'error'}: ${(err as Error).message}`;
  }
}

async function config(name: string, text: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('parseOptions', () => {
  it('given twice in either form: refused naming the option, never a value', async () => {
    for (const args of [
      ['--hep', '127.0.0.1:1', '--hep=127.0.0.1:2'],
      ['--hep=127.0.0.1:1', '--hep', '127.0.0.1:2'],
      ['--hep', '127.0.0.1:1', '--to', 'https://a.example/', '--spool', '/s', '--token', 'sEcrEt1', '--token=sEcrEt2'],
      ['--hep', '127.0.0.1:1', '--explain', '--explain'],
    ]) {
      const o = await opts(args);
      expect(o).toMatch(/^usage: --(hep|token|explain) given twice/);
      expect(o).not.toMatch(/sEcrEt|127\.0\.0\.1/);
    }
    const r = cli(['replay', SMALL_PCAP, '--json', '--json']);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('aipref-enforcer replay: --json given twice: give it once');
  });

  it('--uri-allow accumulates across forms; an empty one refused; `--` ends options (refused for live)', async () => {
    const o = await liveOptionsFromArgs(['--hep', '127.0.0.1:1', '--uri-allow', 'a.internal', '--uri-allow=b.internal,10.0.0.5']);
    expect(o.uriAllow).toEqual(['a.internal', 'b.internal', '10.0.0.5']);
    expect(await opts(['--hep', '127.0.0.1:1', '--uri-allow', 'a.internal', '--uri-allow='])).toMatch(/^usage: --uri-allow needs a value/);
    expect(await opts(['--', '--hep', '127.0.0.1:1'])).toMatch(/^usage: Unexpected argument/);
  });

  it('a config key and the same flag: the flag wins (not "given twice")', async () => {
    const file = await config('flag-wins.json', '{"hep": "127.0.0.1:1", "uri-allow": "file.internal"}');
    const o = await liveOptionsFromArgs(['--config', file, '--hep', '127.0.0.1:2', '--uri-allow', 'flag.internal']);
    expect({ hep: o.hep, uriAllow: o.uriAllow }).toEqual({ hep: { host: '127.0.0.1', port: 2 }, uriAllow: ['flag.internal'] });
  });
});

describe('live config files', () => {
  it('what does not parse, or is not a mapping: usage without the usage text; unreadable: exit 1', async () => {
    const usage = async (name: string, text: string | Buffer) => {
      try {
        await liveOptionsFromArgs(['--config', await config(name, text)]);
        return 'accepted';
      } catch (err) {
        return err instanceof UsageError ? (err.withUsage ? 'usage+text' : 'usage') : 'error';
      }
    };
    expect({
      syntax: await usage('s.json', '{"hep": "127.0.0.1:1",}'),
      dupJson: await usage('d.json', '{"hep": "127.0.0.1:1", "hep": "127.0.0.1:2"}'),
      dupYaml: await usage('d.yaml', 'hep: 127.0.0.1:1\nhep: 127.0.0.1:2\n'),
      indent: await usage('i.yaml', 'hep: 127.0.0.1:1\n  out: x\n'),
      list: await usage('l.yaml', '- hep\n'),
      empty: await usage('e.yaml', ''),
      comments: await usage('c.yaml', '# hep: 127.0.0.1:1\n'),
      emptyJson: await usage('e.json', ''),
      bomJson: await usage('b.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"hep":"127.0.0.1:1"}')])),
      bomYaml: await usage('b.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('hep: 127.0.0.1:1\n')])),
    }).toEqual({ syntax: 'usage', dupJson: 'usage', dupYaml: 'usage', indent: 'usage', list: 'usage', empty: 'usage', comments: 'usage', emptyJson: 'usage', bomJson: 'usage', bomYaml: 'accepted' });
    expect(await opts(['--config', path.join(dir, 'missing.json')])).toMatch(/^error: .*cannot read config file/);
    await mkdir(path.join(dir, 'folder.json'));
    expect(await opts(['--config', path.join(dir, 'folder.json')])).toMatch(/^error: .*cannot read config file/);
    const r = cli(['live', '--config', path.join(dir, 's.json')]);
    expect({ status: r.status, lines: r.stderr.trim().split('\n').length }).toEqual({ status: 2, lines: 1 });
  });

  it('an alias bomb is refused (bounded), a huge number refused naming the key', async () => {
    const lines = ['a0: &a0 [x,x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(',')}]`);
    expect(await opts(['--config', await config('bomb.yaml', lines.join('\n') + '\n')])).toMatch(/^usage: .*Excessive alias count/);
    expect(await opts(['--config', await config('big.json', '{"hep":"127.0.0.1:1","rotate-bytes":1e400}')])).toMatch(/^usage: .*config key 'rotate-bytes'/);
  });

  it('options of inputs or outputs not asked for: refused; with them: accepted', async () => {
    const hep = ['--hep', '127.0.0.1:1'];
    const to = ['--to', 'https://ai.example/in', '--spool', path.join(dir, 'spool')];
    expect(await opts([...hep, '--udp-mode', 'ip-packet'])).toMatch(/^usage: --udp-mode applies to --udp/);
    expect(await opts(['--config', await config('um.yaml', 'hep: 127.0.0.1:1\nudp-mode: ip-packet\n')])).toMatch(/config key 'udp-mode'/);
    expect(await opts(['--udp', '127.0.0.1:1', '--udp-mode', 'ip-packet'])).toBe('ok');
    for (const [k, v] of [['rotate-age', '1h'], ['max-files', '3'], ['rotate-bytes', '1000']]) {
      expect(await opts([...hep, ...to, `--${k}`, v!])).toMatch(new RegExp(`^usage: --${k} applies to the files of --out`));
      expect(await opts([...hep, '--nats', 'nats://127.0.0.1:4222', `--${k}`, v!])).toMatch(new RegExp(`^usage: --${k} applies`));
      expect(await opts([...hep, ...to, '--out', path.join(dir, 'o'), `--${k}`, v!])).toBe('ok');
      expect(await opts([...hep, `--${k}`, v!])).toBe('ok');
    }
    expect(await opts([...hep, '--nats-max-pending', '10'])).toMatch(/^usage: --nats-max-pending applies to --nats/);
    expect(await opts([...hep, '--nats-max-age', '1h'])).toMatch(/^usage: --nats-max-age applies to --nats/);
    expect(await opts([...hep, '--nats', 'nats://127.0.0.1:4222', '--nats-max-age', '1h', '--nats-max-pending', '10'])).toBe('ok');
    expect(await opts([...hep, '--no-resolve-uri', '--uri-allow', 'a.internal'])).toMatch(/^usage: --uri-allow applies to resolving/);
    expect(await opts(['--config', await config('nr.json', '{"hep":"127.0.0.1:1","no-resolve-uri":true,"uri-ca":"/x.pem"}')])).toMatch(/config key 'uri-ca'.*--uri-ca applies/);
  });
});

describe.skipIf(!linux)('replay FIFOs', () => {
  it('exports and reports FIFOs, the reports reader first and the exports one after the notice: a plain run\'s bytes, exit 0', async () => {
    const out = path.join(dir, 'two-fifos');
    await mkdir(out);
    await mkfifo(path.join(out, 'exports.ndjson'));
    await mkfifo(path.join(out, 'reports.ndjson'));
    const read = (name: string) => {
      const c = spawn('cat', [path.join(out, name)], { stdio: ['ignore', 'pipe', 'ignore'] });
      let text = '';
      c.stdout.setEncoding('utf8');
      c.stdout.on('data', (d: string) => (text += d));
      return new Promise<string>((resolve) => c.once('close', () => resolve(text)));
    };
    const reports = read('reports.ndjson');
    const child = spawn(process.execPath, [BIN, 'replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--workers', '0', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (err += c));
    const code = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(await until(() => err.includes('exports.ndjson: waiting for a reader'), 90_000)).toBe(true);
    const exports = read('exports.ndjson');
    expect(await code).toBe(0);
    expect({ exports: await exports, reports: await reports }).toEqual(plain);
  }, 240_000);

  it('an exports FIFO without a reader beside an earlier reports.ndjson: untouched while waiting and after SIGINT (exit 130, one line)', async () => {
    const out = path.join(dir, 'fifo-sigint');
    await mkdir(out);
    await mkfifo(path.join(out, 'exports.ndjson'));
    await writeFile(path.join(out, 'reports.ndjson'), 'earlier\n');
    const child = spawn(process.execPath, [BIN, 'replay', SMALL_PCAP, '--out', out, '--workers', '0', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (err += c));
    const code = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(await until(() => err.includes('waiting for a reader'), 90_000)).toBe(true);
    expect(await readFile(path.join(out, 'reports.ndjson'), 'utf8')).toBe('earlier\n');
    child.kill('SIGINT');
    expect(await code).toBe(130);
    expect(err.trim().split('\n')).toEqual([`aipref-enforcer replay: ${path.join(out, 'exports.ndjson')}: waiting for a reader (a FIFO)`, `aipref-enforcer replay: ${path.join(out, 'exports.ndjson')}: interrupted while waiting for a reader (a FIFO): no output written`]);
    expect(await readFile(path.join(out, 'reports.ndjson'), 'utf8')).toBe('earlier\n');
    expect((await readdir(out)).sort()).toEqual(['exports.ndjson', 'reports.ndjson']);
  }, 240_000);

  it('an exports reader that goes away at once: one EPIPE line, exit 1, reports whole lines (a plain run\'s, or its start); a decisions FIFO without --explain left alone', async () => {
    // the reader's close races the replay's first write (both follow the open at once): a run
    // whose writes all went into the pipe before the close ends 0 and shows nothing; tried again
    const epipe: { err: string; reports: string }[] = [];
    for (let attempt = 0; attempt < 6 && epipe.length === 0; attempt++) {
      const out = path.join(dir, `fifo-epipe-${attempt}`);
      await mkdir(out);
      await mkfifo(path.join(out, 'exports.ndjson'));
      await mkfifo(path.join(out, 'decisions.ndjson'));
      // a reader that opens and closes at once: its open lets the replay's through
      const reader = spawn('sh', ['-c', `exec 3<"${path.join(out, 'exports.ndjson')}"; exec 3<&-`]);
      const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const c = spawn(process.execPath, [BIN, 'replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--workers', '0', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.setEncoding('utf8');
        c.stderr.on('data', (d: string) => (err += d));
        c.once('close', (code) => resolve({ code, err }));
      });
      reader.kill();
      expect((await readdir(out)).sort()).toEqual(['decisions.ndjson', 'exports.ndjson', 'reports.ndjson']);
      if (r.code === 0) {
        expect(r.err).toBe('');
        continue;
      }
      expect(r.code).toBe(1);
      expect(r.err.trim()).toBe(`aipref-enforcer replay: ${path.join(out, 'exports.ndjson')}: cannot write: broken pipe (EPIPE)`);
      epipe.push({ err: r.err, reports: await readFile(path.join(out, 'reports.ndjson'), 'utf8') });
    }
    expect(epipe.length).toBe(1);
    const reports = epipe[0]!.reports;
    expect(reports === '' || (reports.endsWith('\n') && plain.reports.startsWith(reports))).toBe(true);
  }, 600_000);

  it('a decisions.ndjson FIFO without --explain: not waited for, left, exit 0', () => {
    const out = path.join(dir, 'dec-fifo');
    spawnSync('mkdir', [out]);
    spawnSync('mkfifo', [path.join(out, 'decisions.ndjson')]);
    const r = cli(['replay', SMALL_PCAP, '--out', out, '--workers', '0', '--quiet']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(existsSync(path.join(out, 'decisions.ndjson'))).toBe(true);
  }, 240_000);
});

describe('replay --to pacing', () => {
  async function receiver() {
    const s = createSocket('udp4');
    const got: { text: string; at: number }[] = [];
    s.on('message', (m) => got.push({ text: m.toString(), at: performance.now() }));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    return { s, got, to: `udp://127.0.0.1:${s.address().port}` };
  }

  for (const udpMode of ['payload', 'ip-packet'] as const) {
    it(`--speed 1 (${udpMode}): 21 datagrams 100 ms apart take at least the capture's 2 s, all sent`, async () => {
      const file = path.join(dir, `pace-${udpMode}.pcap`);
      const recs: Rec[] = [{ ts: 999, kind: 'arp' }];
      for (let i = 0; i <= 20; i++) recs.push({ ts: 1000 + i * 0.1, kind: 'udp', payload: `d${i}` });
      await writeCapture(file, recs);
      const { s, got, to } = await receiver();
      const start = performance.now();
      const result = await replayCapture(file, to, { speed: 1, udpMode });
      const took = performance.now() - start;
      await until(() => got.length === 21, 30_000);
      s.close();
      expect(result.sent).toBe(21);
      expect(got.length).toBe(21);
      expect(took).toBeGreaterThanOrEqual(1_990);
    }, 120_000);
  }

  it('an abort during an hour\'s wait ends the send promptly', async () => {
    const file = path.join(dir, 'hour.pcap');
    await writeCapture(file, [{ ts: 1000, kind: 'udp', payload: 'first' }, { ts: 4600, kind: 'udp', payload: 'later' }]);
    const { s, got, to } = await receiver();
    const ac = new AbortController();
    const sending = replayCapture(file, to, { speed: 1, signal: ac.signal }).then(
      () => 'resolved',
      () => 'rejected',
    );
    expect(await until(() => got.length === 1, 60_000)).toBe(true);
    ac.abort();
    const ended = await Promise.race([sending, new Promise((r) => setTimeout(() => r('still waiting'), 60_000))]);
    s.close();
    expect(ended).toBe('rejected');
    expect(got.map((g) => g.text)).toEqual(['first']);
  }, 180_000);
});

describe('ndjson-rotating line reader', () => {
  const line = (expiresAt: number, pad = '') => JSON.stringify({ kind: 'telemetry', expiresAt, pad });
  async function scan(files: Record<string, string | Buffer>, keep: string): Promise<{ left: string[]; errors: string[] }> {
    const out = await mkdtemp(path.join(dir, 'scan-'));
    for (const [n, t] of Object.entries(files)) await writeFile(path.join(out, n), t);
    // read last: once it is gone, every file before it has been judged
    await writeFile(path.join(out, keep), line(500) + '\n');
    const errors: string[] = [];
    const e = await RotatingNdjsonExporter.open({ dir: out, base: 'exports', clock: () => 1000, onError: (err) => errors.push(err.message) });
    await until(async () => !(await readdir(out)).includes(keep), 60_000);
    await e.close();
    return { left: (await readdir(out)).filter((n) => n.endsWith('.ndjson')).sort(), errors };
  }

  it('CRLF, a last line without newline, a torn last line, a character split across chunks: each judged whole', async () => {
    // a 3-byte character (€) straddling the 65536-byte boundary of the first read
    const head = '{"kind":"telemetry","expiresAt":600,"pad":"';
    const straddle = head + 'x'.repeat(65535 - head.length) + '€' + '"}\n';
    expect(Buffer.byteLength(straddle.slice(0, straddle.indexOf('€')))).toBe(65535);
    const r = await scan(
      {
        'exports.000001.ndjson': line(500) + '\r\n' + line(700) + '\r\n',
        'exports.000002.ndjson': line(500) + '\r\n' + line(5000) + '\r\n',
        'exports.000003.ndjson': line(500) + '\n' + line(900),
        'exports.000004.ndjson': line(500) + '\n' + line(5000),
        'exports.000005.ndjson': line(500) + '\n{"kind":"telemetry","expi',
        'exports.000006.ndjson': straddle + line(800) + '\n',
      },
      'exports.000007.ndjson',
    );
    expect(r).toEqual({ left: ['exports.000002.ndjson', 'exports.000004.ndjson'], errors: [] });
  }, 120_000);
});

describe('spool acks file removed at close', () => {
  it('restarted after the removal: items still wait; one acknowledged then never comes back', async () => {
    const d = path.join(dir, 'spool-restart');
    const s1 = await DiskSpool.open(d, { clock: () => 1000, lock: true });
    await s1.append({ id: 'A', expiresAt: 9000, body: '{}' });
    await s1.append({ id: 'B', expiresAt: 9000, body: '{}' });
    await s1.close();
    expect(existsSync(path.join(d, 'acks.ndjson'))).toBe(false);
    const s2 = await DiskSpool.open(d, { clock: () => 1000, lock: true });
    expect(s2.size).toBe(2);
    await s2.acknowledge('A');
    await s2.close();
    const s3 = await DiskSpool.open(d, { clock: () => 1000, lock: true });
    expect({ size: s3.size, A: s3.knows('A'), head: s3.head()?.id }).toEqual({ size: 1, A: true, head: 'B' });
    await s3.close();
    const s4 = await DiskSpool.open(d, { clock: () => 1000, lock: true });
    expect({ size: s4.size, head: s4.head()?.id }).toEqual({ size: 1, head: 'B' });
    await s4.close();
  });
});
