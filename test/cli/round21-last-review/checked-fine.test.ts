/**
 * Checked and found fine (review of 7b3f4d1 and b3f458a, round 21's last fixes), each below:
 * 7b3f4d1 (src/cli/args.ts secretValueBefore / gluedSecret / unknownOption / captureAfter,
 *   src/cli/replay.ts statNamedCapture, src/sources/replay-sender.ts ReplayTargetError):
 *   - a real capture after --hep-auth-key's value (`--hep-auth-key K cap`, `--hep-auth-key=K cap`)
 *     is sent as before (440 datagrams reach a UDP listener, exit 0, {"sent":440});
 *   - `replay --to hep://127.0.0.1:p cap` (no key), `--to=udp://…`, `--to hep://[::1]:p`: sent;
 *   - a missing capture after --to's value is named; after --hep-auth-key's value it is not (by
 *     design), the ENOENT reason kept; exit 1 either way;
 *   - ordinary typos quoted whole: `--workres 2`, `--polciy x`, `--workres=2`, `--hep9060`,
 *     `--metrics9100`, `--stats-every10s`, `--hep-auth-keys x`, `--toekn=…` (name only), in live
 *     and replay; a glued secret (`--hep-auth-key:K`, `--token2`) still not shown;
 *   - ReplayTargetError: `hep://h:70000`, `hep://[::1]:70000`, `hep://h:9060/x` shown whole,
 *     `hep://h:9060?tenant=ops` with its key, `hep://u:pw@h:9060` without the userinfo.
 * b3f458a (src/sources/url-for-display.ts, src/export/http-transport.ts forLog,
 *   src/export/nats-exporter.ts natsServersForDisplay):
 *   - urlForDisplay keeps an ordinary query's keys (`?tenant=ops&region=eu` → `?tenant=…&region=…`);
 *     (`?tenant=&x=1` now shows `?…&x=…`: an empty value's key is lost, a deliberate trade-off
 *     with `?YWJj=` base64 padding — not filed);
 *   - textForDisplay leaves ECONNREFUSED 127.0.0.1:port, `getaddrinfo ENOTFOUND`, a URL followed by
 *     a port-like `:4222`, Windows-like paths (`C:/Users/x/f.txt`, `C:\Windows\x`), `file:///C:/…`
 *     and a comma list of plain URLs unchanged, and a fetch message's URL query keys kept;
 *   - HttpTransport against a closed port: the reason names 127.0.0.1:port (fetch failed: connect
 *     ECONNREFUSED); WebSocketTransport likewise; a 401's WWW-Authenticate with a Latin-1 'é'
 *     (0xE9, not C1) is kept, a NEL (0x85) becomes a space;
 *   - natsServersForDisplay: a comma list of servers (with or without a user:password@ on the
 *     first), an array, bare host:port lists all shown with every host:port;
 *   - CLI: `live --nats nats://u:S3CRET@127.0.0.1:a,nats://127.0.0.1:b` (both closed): one line
 *     naming both host:ports, no password, exit 1;
 *   - live's start line and --token warning with `--to http://127.0.0.1:1/x?tenant=ops`: start
 *     logged, the warning shows `?tenant=…`, no token; with a real nats-server, live starts with
 *     `--nats nats://127.0.0.1:port?tenant=ops`, exporters include nats.
 *   (Outside these commits, not filed: a comma list in --nats is handed to nats.js as one URL,
 *   which connects to the last host:port only — `--nats nats://up,nats://down` is refused with
 *   CONNECTION_REFUSED, `nats://down,nats://up` starts. The error line does name both.)
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandArgs, parseOptions } from '../../../src/cli/args.js';
import { LIVE_OPTIONS } from '../../../src/cli/live-options.js';
import { HttpTransport } from '../../../src/export/http-transport.js';
import { natsServersForDisplay } from '../../../src/export/nats-exporter.js';
import { WebSocketTransport } from '../../../src/export/websocket-transport.js';
import { ReplayTargetError } from '../../../src/sources/replay-sender.js';
import { textForDisplay, urlForDisplay } from '../../../src/sources/url-for-display.js';
import { freeTcpPort, NATS_SERVER, NatsServerProcess } from '../../export/nats-server-process.js';
import { LiveChild } from '../../live/live-helpers.js';
import { BIN, cli, lineOf, REPLAY_SPEC, SMALL_PCAP } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'r21-last-ok-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI, run asynchronously (a UDP listener in this process must keep reading meanwhile). */
function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args]);
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code) => resolve({ code, out, err }));
  });
}

async function listener(type: 'udp4' | 'udp6', host: string) {
  const s = createSocket(type);
  let n = 0;
  s.on('message', () => n++);
  await new Promise<void>((r) => s.bind(0, host, r));
  return { port: s.address().port, count: () => n, close: () => s.close() };
}

describe('7b3f4d1: ordinary replay --to still sends', () => {
  it.each([
    ['--hep-auth-key K cap', (p: number) => ['--to', `hep://127.0.0.1:${p}`, '--hep-auth-key', 'K', SMALL_PCAP]],
    ['--hep-auth-key=K cap', (p: number) => ['--to', `hep://127.0.0.1:${p}`, '--hep-auth-key=K', SMALL_PCAP]],
    ['cap after --to, no key', (p: number) => ['--to', `hep://127.0.0.1:${p}`, SMALL_PCAP]],
    ['--to=udp://', (p: number) => [`--to=udp://127.0.0.1:${p}`, SMALL_PCAP]],
  ])('%s', async (_name, argsOf) => {
    const rx = await listener('udp4', '127.0.0.1');
    try {
      const r = await run(['replay', ...argsOf(rx.port), '--speed', '0']);
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out)).toEqual({ sent: 440, skipped: 0 });
      // datagrams arrive (a loopback burst at --speed 0 may lose some to a busy receiver: not all are required)
      for (let waited = 0; rx.count() === 0 && waited < 5000; waited += 50) await new Promise((res) => setTimeout(res, 50));
      expect(rx.count()).toBeGreaterThan(0);
    } finally {
      rx.close();
    }
  }, 60_000);

  it('hep://[::1]:port', async () => {
    const rx = await listener('udp6', '::1');
    try {
      const r = await run(['replay', '--to', `hep://[::1]:${rx.port}`, SMALL_PCAP, '--speed', '0']);
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out).sent).toBe(440);
    } finally {
      rx.close();
    }
  }, 60_000);

  it('a missing capture: named after --to, not after --hep-auth-key (exit 1, reason kept)', () => {
    const named = cli(['replay', '--to', 'hep://127.0.0.1:9', path.join(dir, 'missing.pcap')]);
    expect(named.status).toBe(1);
    expect(named.stderr).toContain('missing.pcap: at byte 0: cannot open: ENOENT');
    const hidden = cli(['replay', '--to', 'hep://127.0.0.1:9', '--hep-auth-key', 'K', path.join(dir, 'missing.pcap')]);
    expect(hidden.status).toBe(1);
    expect(hidden.stderr).not.toContain('missing.pcap');
    expect(hidden.stderr).toContain('ENOENT');
  }, 60_000);
});

describe('7b3f4d1: typos quoted whole, glued secrets not', () => {
  const live = (args: string[]) => lineOf(() => parseOptions(['--hep', '127.0.0.1:0', ...args], LIVE_OPTIONS));
  it.each([
    [['--workres', '2'], "Unknown option '--workres'"],
    [['--polciy', 'x'], "Unknown option '--polciy'"],
    [['--workres=2'], "Unknown option '--workres'"],
    [['--hep9060'], "Unknown option '--hep9060'"],
    [['--metrics9100'], "Unknown option '--metrics9100'"],
    [['--stats-every10s'], "Unknown option '--stats-every10s'"],
    [['--hep-auth-keys', 'x'], "Unknown option '--hep-auth-keys'"],
    [['--toekn=Zq3secret'], "Unknown option '--toekn'"],
  ])('live %j', (args, line) => {
    const shown = live(args);
    expect(shown.startsWith(line)).toBe(true);
    expect(shown).not.toContain('Zq3');
  });
  it('replay: --workres 2 and --polciy x quoted', () => {
    expect(lineOf(() => parseCommandArgs(['--workres', '2', 'cap'], REPLAY_SPEC))).toMatch(/^Unknown option '--workres'/);
    expect(lineOf(() => parseCommandArgs(['cap', '--polciy', 'x'], REPLAY_SPEC))).toMatch(/^Unknown option '--polciy'/);
  });
  it('glued secrets still hidden', () => {
    expect(live(['--hep-auth-key:S3CRET'])).not.toContain('S3CRET');
    expect(live(['--token2S3CRET'])).not.toContain('S3CRET');
  });
});

describe('7b3f4d1: ReplayTargetError', () => {
  it.each([
    ['hep://h:70000', 'replay target "hep://h:70000"'],
    ['hep://[::1]:70000', 'replay target "hep://[::1]:70000"'],
    ['hep://h:9060/x', 'replay target "hep://h:9060/x"'],
    ['hep://h:9060?tenant=ops', 'replay target "hep://h:9060?tenant=…"'],
    ['hep://u:S3CRET@h:9060', 'replay target "hep://h:9060"'],
  ])('%s', (target, shown) => {
    expect(new ReplayTargetError(target).message.startsWith(shown)).toBe(true);
  });
  it('CLI: hep://h:70000 still shown (exit 2)', () => {
    const r = cli(['replay', SMALL_PCAP, '--to', 'hep://h:70000']);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toContain('"hep://h:70000"');
  });
});

describe('b3f458a: display of ordinary URLs and texts', () => {
  it.each([
    ['https://svc.example/x?tenant=ops', 'https://svc.example/x?tenant=…'],
    ['https://svc.example/x?tenant=ops&region=eu', 'https://svc.example/x?tenant=…&region=…'],
    ['nats://a:4222,nats://b:4222', 'nats://a:4222,nats://b:4222'],
  ])('urlForDisplay %s', (url, shown) => {
    expect(urlForDisplay(url)).toBe(shown);
  });

  it.each([
    'fetch failed: connect ECONNREFUSED 127.0.0.1:8443',
    'getaddrinfo ENOTFOUND svc.example',
    'connect ECONNREFUSED ::1:4222',
    'request to https://svc.example/x:4222 failed',
    'see https://svc.example/a C:/Users/x/file.txt',
    'see https://svc.example/a C:\\Windows\\x',
    'http://h/x,C:/Users/a',
    'file:///C:/x/y failed',
    'https://a.example:4222,https://b.example:4222',
    'wss://h:8443/x:/y',
  ])('textForDisplay unchanged: %s', (text) => {
    expect(textForDisplay(text)).toBe(text);
  });

  it('textForDisplay: a fetch message with a query keeps its keys and the host:port', () => {
    expect(textForDisplay('request to https://svc.example/x?tenant=ops failed, reason: connect ECONNREFUSED 127.0.0.1:8443')).toBe(
      'request to https://svc.example/x?tenant=… failed, reason: connect ECONNREFUSED 127.0.0.1:8443',
    );
  });

  it.each([
    ['nats://a:4222,nats://b:4222', 'nats://a:4222,nats://b:4222'],
    ['nats://u:S3CRET@a:4222,nats://b:4222', 'nats://a:4222,nats://b:4222'],
    [['nats://a:4222', 'nats://u:S3CRET@b:4222'], 'nats://a:4222,nats://b:4222'],
    ['a:4222,b:4222', 'a:4222,b:4222'],
  ])('natsServersForDisplay %j', (servers, shown) => {
    expect(natsServersForDisplay(servers)).toBe(shown);
  });
});

describe('b3f458a: transports naming host:port; forLog', () => {
  it('HttpTransport and WebSocketTransport to a closed port: the reason names 127.0.0.1:port', async () => {
    const port = await freeTcpPort();
    const http = new HttpTransport({ url: `http://127.0.0.1:${port}/x?tenant=ops`, timeoutMs: 5000 });
    const o = await http.deliver('{}', 'r1', new AbortController().signal);
    await http.close();
    expect(o.kind).toBe('retry');
    expect(o.kind === 'retry' && o.reason).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    const ws = new WebSocketTransport({ url: `ws://127.0.0.1:${port}/x?tenant=ops`, timeoutMs: 5000 });
    const w = await ws.deliver('{}', 'r2', new AbortController().signal);
    await ws.close();
    expect(w.kind === 'retry' && w.reason).toContain(`127.0.0.1:${port}`);
  });

  describe('a 401 challenge', () => {
    let srv: net.Server;
    let port = 0;
    beforeAll(async () => {
      srv = net.createServer((s) => {
        s.on('error', () => {});
        s.once('data', () => {
          const head = Buffer.concat([Buffer.from('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="Z'), Buffer.from([0xe9]), Buffer.from('",'), Buffer.from([0x85]), Buffer.from('error="invalid_token"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')]);
          s.end(head);
        });
      });
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      port = (srv.address() as net.AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise<void>((r) => srv.close(() => r()));
    });
    it('Latin-1 é kept, NEL a space', async () => {
      const t = new HttpTransport({ url: `http://127.0.0.1:${port}/x`, timeoutMs: 5000 });
      const o = await t.deliver('{}', 'r', new AbortController().signal);
      await t.close();
      expect(o.kind === 'retry' && o.reason).toContain('Bearer realm="Zé", error="invalid_token"');
    });
  });
});

describe('CLI: live with NATS lists and --to with a query', () => {
  it('--nats with two closed servers (a password on the first): one line naming both, exit 1', async () => {
    const a = await freeTcpPort();
    const b = await freeTcpPort();
    const r = cli(['live', '--hep', '127.0.0.1:0', '--nats', `nats://u:S3CRET@127.0.0.1:${a},nats://127.0.0.1:${b}`], 60_000);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`aipref-enforcer live: --nats nats://127.0.0.1:${a},nats://127.0.0.1:${b}: cannot connect: CONNECTION_REFUSED`);
  }, 90_000);

  it('--to http://…?tenant=ops --token: starts, the warning keeps the key, no token', async () => {
    const { live } = await LiveChild.start(['--hep', '127.0.0.1:0', '--to', 'http://127.0.0.1:1/x?tenant=ops', '--token', 'Zq3tok', '--spool', path.join(dir, 'spool')]);
    try {
      const warning = live.logs.find((l) => l.event === 'warning' && String(l.message).includes('sent in clear'));
      expect(String(warning?.message)).toContain('http://127.0.0.1:1/x?tenant=…');
      expect(live.stderrText).not.toContain('Zq3tok');
    } finally {
      await live.terminate();
    }
  }, 90_000);

  it.skipIf(!NATS_SERVER)('--nats with a query: live starts, the start line lists nats', async () => {
    const store = mkdtempSync(path.join(dir, 'js-'));
    const server = await NatsServerProcess.start(store);
    try {
      const { live } = await LiveChild.start(['--hep', '127.0.0.1:0', '--nats', `nats://127.0.0.1:${server.port}?tenant=ops`]);
      try {
        const start = live.logs.find((l) => l.event === 'start');
        expect(start?.exporters).toContain('nats');
        expect(live.stderrText).not.toContain('S3CRET');
      } finally {
        await live.terminate();
      }
    } finally {
      await server.stop();
    }
  }, 90_000);
});
