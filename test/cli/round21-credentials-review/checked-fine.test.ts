/**
 * Checked fine in 9e5335d (the credentials fixes), each below:
 * - urlForDisplay: percent-encoded userinfo (`u%40x:p%40ss@`), an unencoded '@' in the password,
 *   IPv6 hosts with and without userinfo, uppercase schemes (HTTPS://, NATS://, WSS://), scheme-less
 *   `u:p@host:4222`, and a plain URL / host:port unchanged.
 * - textForDisplay: two URLs in one text both stripped; a URL followed by '.' or ')' keeps the
 *   punctuation; uppercase schemes; an '@' outside any URL left alone; a text without '@' unchanged.
 * - live --to with userinfo (HTTPS://, WSS://, percent-encoded) is exit 2 without the secret; NATS://
 *   and file:/// in --to are exit 2 without it; the same `to:` in a YAML or JSON --config is refused
 *   the same way (file and key named, secret not echoed); an ordinary URL (ftp://ai.example:21/x)
 *   is shown in full.
 * - replay --to: hep://KEY@, udp://u:p@[::1]:9, hep://u:p@nohost.invalid: exit 2, no secret, the
 *   --hep-auth-key hint; hep://nohost.invalid:9060 (DNS) exit 1 naming the host.
 * - real failures of the AI service exporters, with --token and a query key: http / ws to a closed
 *   port, https / wss to a `.invalid` name, https / wss (TLS) to a plain HTTP port, http / ws
 *   answered 401: no reason carries the bearer token or the query key (for https/wss, where no
 *   warning names the URL), and each names host:port or the host where the error has one.
 * - --nats in README's form `nats://user:password@host:port` (password with '@' and '/',
 *   percent-encoded; NATS:// too) connects to a nats-server requiring that user (refusing
 *   userinfo in --to did not touch --nats); a wrong password, an unknown host and a closed port are
 *   one line `--nats nats://host:port: cannot connect: …` without the credentials.
 * - read, not tested: metrics.ts export failures are labelled {exporter, kind} only (no reason,
 *   no URL); `--to`/`--nats`/`--token` given twice say so without a value; fetch refuses port 9
 *   ("bad port", fetch's port blocklist) — a test artefact, not a defect.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textForDisplay, urlForDisplay } from '../../../src/sources/url-for-display.js';
import { freeTcpPort, NATS_SERVER } from '../../export/nats-server-process.js';
import { cli, liveFed, SMALL_PCAP, start, until } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r21-ok-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('urlForDisplay', () => {
  it.each([
    ['https://u%40x:p%40S3CRET@ai.example/x', 'https://ai.example/x'],
    ['https://u:p@S3CRET@ai.example/x', 'https://ai.example/x'],
    ['http://u:S3CRET@[::1]:8080/x', 'http://[::1]:8080/x'],
    ['http://[fe80::1%25eth0]:8080/x', 'http://[fe80::1%25eth0]:8080/x'],
    ['HTTPS://u:S3CRET@h/x', 'HTTPS://h/x'],
    ['NATS://S3CRET@h:4222', 'NATS://h:4222'],
    ['WSS://u:S3CRET@h', 'WSS://h'],
    ['u:S3CRET@host:4222', 'host:4222'],
    ['host:4222', 'host:4222'],
    ['https://ai.example:8443/ingest', 'https://ai.example:8443/ingest'],
  ])('%s → %s', (input, shown) => {
    expect(urlForDisplay(input)).toBe(shown);
  });
});

describe('textForDisplay', () => {
  it.each([
    ['fetch https://u:S3CRET@h1/x then wss://u2:S3CRET@h2/y failed.', 'fetch https://h1/x then wss://h2/y failed.'],
    ['(see https://u:S3CRET@h/x).', '(see https://h/x).'],
    ['HTTPS://U:S3CRET@H/X', 'HTTPS://H/X'],
    ['a https://h:1/x and u@example.com', 'a https://h:1/x and u@example.com'],
    ['connect ECONNREFUSED 127.0.0.1:9', 'connect ECONNREFUSED 127.0.0.1:9'],
  ])('%s → %s', (input, shown) => {
    expect(textForDisplay(input)).toBe(shown);
  });
});

describe('live --to and --config: credentials refused, never echoed', () => {
  const live = (to: string) => cli(['live', '--hep', '127.0.0.1:0', '--out', path.join(dir, 'o'), '--to', to, '--spool', path.join(dir, 's')], { timeout: 30_000 });
  it.each(['HTTPS://u:S3CRET@h/x', 'WSS://u:S3CRET@h/x', 'https://u%40x:p%40S3CRET@h/x', 'NATS://u:S3CRET@h:4222', 'file:///u:S3CRET@tmp/x'])('--to %s', (to) => {
    const r = live(to);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toContain('--to');
    expect(r.stderr).not.toContain('S3CRET');
  }, 60_000);

  it('an ordinary URL is shown in full', () => {
    const r = live('ftp://ai.example:21/x');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'ftp://ai.example:21/x'");
  }, 60_000);

  it.each([
    ['c.yaml', (s: string) => `to: https://user:S3CRETCFG@ai.example/x\nspool: ${s}\n`],
    ['c.json', (s: string) => JSON.stringify({ to: 'wss://S3CRETCFG@ai.example/x', spool: s })],
  ])('%s', async (name, body) => {
    const file = path.join(dir, name);
    await writeFile(file, body(path.join(dir, 's')));
    const r = cli(['live', '--hep', '127.0.0.1:0', '--config', file], { timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toContain(`${file}: config key 'to'`);
    expect(r.stderr).not.toContain('S3CRETCFG');
  }, 60_000);
});

describe('replay --to', () => {
  it.each(['hep://S3CRET@127.0.0.1:9060', 'udp://u:S3CRET@[::1]:9', 'hep://u:S3CRET@nohost.invalid:9060'])('%s: exit 2, no secret', (to) => {
    const r = cli(['replay', SMALL_PCAP, '--to', to], { timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--hep-auth-key');
    expect(r.stderr).not.toContain('S3CRET');
  }, 120_000);

  it('a DNS failure names the host', () => {
    const r = cli(['replay', SMALL_PCAP, '--to', 'hep://nohost.invalid:9060'], { timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('nohost.invalid');
  }, 120_000);
});

describe('AI service failures: no bearer token, no query key, host named', () => {
  let srv: http.Server;
  let plain = 0;
  let closed = 0;
  beforeAll(async () => {
    srv = http.createServer((req, res) => {
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' });
      res.end();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    plain = (srv.address() as { port: number }).port;
    closed = await freeTcpPort();
  });
  afterAll(async () => {
    await new Promise<void>((r) => srv.close(() => r()));
  });

  const cases: [string, () => string, () => string][] = [
    ['http closed port', () => `http://127.0.0.1:${closed}/ingest`, () => `127.0.0.1:${closed}`],
    ['ws closed port', () => `ws://127.0.0.1:${closed}/ingest`, () => `127.0.0.1:${closed}`],
    ['https DNS failure', () => 'https://nohost.invalid:8443/ingest?key=QS3CRET', () => 'nohost.invalid'],
    ['wss DNS failure', () => 'wss://nohost.invalid/ingest?key=QS3CRET', () => 'nohost.invalid'],
    ['https to a plain port', () => `https://127.0.0.1:${plain}/ingest?key=QS3CRET`, () => 'SSL'],
    ['wss to a plain port', () => `wss://127.0.0.1:${plain}/ingest?key=QS3CRET`, () => 'SSL'],
    ['http 401', () => `http://127.0.0.1:${plain}/ingest`, () => 'HTTP 401'],
    ['ws 401', () => `ws://127.0.0.1:${plain}/ingest`, () => 'HTTP 401'],
  ];
  it.each(cases)('%s', async (name, to, named) => {
    const d = await mkdtemp(path.join(dir, 'f-'));
    const err = await liveFed(['--out', path.join(d, 'out'), '--spool', path.join(d, 'spool'), '--to', to(), '--token', 'BEARERS3CRET'], (e) => /"kind":"retry"/.test(e));
    const failures = err.split('\n').filter((l) => /"kind":"retry"/.test(l));
    expect(failures.length, name).toBeGreaterThan(0);
    expect(failures.join('\n')).toContain(named());
    expect(err).not.toContain('BEARERS3CRET');
    expect(err).not.toContain('QS3CRET');
  }, 200_000);
});

describe.skipIf(!NATS_SERVER)('--nats with user:password@ (README)', () => {
  let port = 0;
  let server: ReturnType<typeof spawn> | undefined;
  beforeAll(async () => {
    port = await freeTcpPort();
    server = spawn(NATS_SERVER!, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', path.join(dir, 'js'), '--user', 'enf', '--pass', 'p@S3CRET/x'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1000));
  });
  afterAll(async () => {
    server?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
  });

  it.each(['nats', 'NATS'])('%s://enf:p%40S3CRET%2Fx@…: connects (start line, exporters ["nats"])', async (scheme) => {
    const live = start(['live', '--hep', '127.0.0.1:0', '--nats', `${scheme}://enf:p%40S3CRET%2Fx@127.0.0.1:${port}`]);
    try {
      await until(() => /"event":"start"/.test(live.err()) || live.exited() !== undefined, 60_000);
      expect(live.err()).toContain('"exporters":["nats"]');
      expect(live.err()).not.toContain('S3CRET');
    } finally {
      live.child.kill('SIGTERM');
      await until(() => live.exited() !== undefined, 30_000);
      if (live.exited() === undefined) live.child.kill('SIGKILL');
    }
  }, 120_000);

  it.each([
    [() => `nats://enf:WRONGS3CRET@127.0.0.1:${port}`, () => `--nats nats://127.0.0.1:${port}: cannot connect: 'Authorization Violation'`],
    [() => 'nats://enf:S3CRET@nohost.invalid:4222', () => '--nats nats://nohost.invalid:4222: cannot connect: getaddrinfo ENOTFOUND nohost.invalid'],
  ])('a failure is one line without the credentials', (url, line) => {
    const r = cli(['live', '--hep', '127.0.0.1:0', '--nats', url()], { timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toBe(`aipref-enforcer live: ${line()}`);
  }, 120_000);
});
