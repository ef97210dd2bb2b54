/**
 * Checked fine (commits c37e2c1, 52b625b, 38c48fc, 7096bcf), against real nats-servers (TLS with a
 * CA of this test, trusted through NODE_EXTRA_CA_CERTS; user u / password s3cret) and the live CLI:
 * - stop with the server up: 300 SRs then SIGTERM at once — every line the file output wrote is in
 *   the stream (301 = 301), exit 0 in < 5 s; the same with a list whose second server is down
 *   (closeNow's drain, then close only if not closed, loses nothing);
 * - TLS://u:…@127.0.0.1 (scheme in upper case) with a certificate for IP 127.0.0.1: starts;
 * - tls://[::1] with a certificate for IP ::1: starts; with one for DNS:localhost only: exit 1, one
 *   line naming tls://[::1]:<p>, Node's reason, no password; a list `u:…@[::1]:<p>,TLS://[::1]:<p>`
 *   (bare bracketed IPv6 + upper-case scheme): starts;
 * - a hostname is still checked by name: tls://localhost with a certificate for IP 127.0.0.1 only:
 *   exit 1, one line; with one for DNS:localhost: starts;
 * - lists mixing forms: `tls://…@127.0.0.1:<down>,tls://127.0.0.1:<p>` (IP cert): starts (the control
 *   for nats-tls-list-with-localhost-checks-ip-as-localhost); `u:…@127.0.0.1:<p>,tls://127.0.0.1:<down>`
 *   (a bare host:port beside a tls:// entry: TLS required of it too, its address checked): starts;
 * - 52b625b refusals through the CLI: `wss://u:S3cret@h:4222`, `WSS://…`, `nats://a:4222, https://u:S3cret@b`,
 *   `ws://` in a config file: exit 2, one reason line naming the scheme (then the usage text), no password; nats://, NATS://, tls://,
 *   host:port, [::1]:4222 and user:pass@host:port are taken;
 * - 7096bcf: natsServerHost(s) !== '' answers as the former isServerUrl (`new URL(...).host !== ''`)
 *   for every form tried (schemes in any case, bare host:port, IPv6, userinfo, empty host, bad port,
 *   paths, junk).
 * Not tested as a finding: `tls://[::ffff:127.0.0.1]` with a certificate for IP 127.0.0.1 was refused
 *   (natsServerHost gives ::ffff:7f00:1 while nats.js dials 127.0.0.1): it failed closed. Since the
 *   certificate is checked against the address dialled (dialledServerIdentity), it starts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { natsServerHost } from '../../../src/export/nats-exporter.js';
import { LiveChild } from '../../live/live-helpers.js';
import { liveDeliveryFolder, sendSrs } from '../../live-delivery/live-fixtures.js';
import { NatsServerProcess } from '../nats-server-process.js';
import { BIN, canRun, freeTcpPort, makeCerts, NATS_SERVER, natsServer, plainLines, runToStart, tempDir } from './helpers.js';

const { dir, remove } = tempDir('r22-fine-');
beforeAll(() => {
  if (canRun) makeCerts(dir, { ip: 'IP:127.0.0.1', ip6: 'IP:::1', localhost: 'DNS:localhost' });
});
afterAll(remove);
const env = () => ({ NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') });

describe('stop with the server up: nothing accepted is lost', () => {
  const folder = liveDeliveryFolder('r22-flush-', '1h');
  const fileLines = async (out: string) => {
    let n = 0;
    for (const f of await readdir(out)) if (f.endsWith('.ndjson')) n += (await readFile(path.join(out, f), 'utf8')).split('\n').filter(Boolean).length;
    return n;
  };
  for (const variant of ['one server', 'a list with a server down']) {
    it.skipIf(!NATS_SERVER)(`${variant}: 300 SRs then SIGTERM — the stream holds every line written to the files`, async () => {
      const store = await mkdtemp(path.join(tmpdir(), 'r22-js-'));
      const server = await NatsServerProcess.start(store);
      try {
        const out = path.join(folder.dir, variant.replace(/ /g, '-'));
        const nats = variant === 'one server' ? server.url : `${server.url},nats://127.0.0.1:${await freeTcpPort()}`;
        const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', folder.policy, '--out', out, '--nats', nats]);
        await sendSrs(addresses.udp!.port, 300);
        await new Promise((r) => setTimeout(r, 30));
        const t = Date.now();
        expect(await live.terminate(20_000)).toBe(0);
        expect(Date.now() - t).toBeLessThan(5000);
        const nc = await connect({ servers: server.url });
        const stored = (await (await nc.jetstreamManager()).streams.info('AIPREF')).state.messages;
        await nc.close();
        const written = await fileLines(out);
        expect(written).toBeGreaterThan(0); // (UDP under load may drop some: what counts is that each written line is stored)
        expect(stored).toBe(written);
      } finally {
        await server.stop();
        await rm(store, { recursive: true, force: true });
      }
    }, 60_000);
  }
});

describe('tls:// forms against real TLS servers', () => {
  const cases: [string, string, string, (p: number, down: number) => string, 'started' | 1][] = [
    ['TLS:// in upper case, IP certificate', 'ip', '127.0.0.1', (p) => `TLS://u:s3cret@127.0.0.1:${p}`, 'started'],
    ['tls://[::1], certificate for IP ::1', 'ip6', '::', (p) => `tls://u:s3cret@[::1]:${p}`, 'started'],
    ['tls://[::1], certificate for localhost only', 'localhost', '::', (p) => `tls://u:s3cret@[::1]:${p}`, 1],
    ['bare [::1]:p beside TLS://[::1]:p', 'ip6', '::', (p) => `u:s3cret@[::1]:${p},TLS://[::1]:${p}`, 'started'],
    ['tls://localhost, certificate for IP 127.0.0.1 only (checked by name)', 'ip', '127.0.0.1', (p) => `tls://u:s3cret@localhost:${p}`, 1],
    ['tls://localhost, certificate for localhost', 'localhost', '127.0.0.1', (p) => `tls://u:s3cret@localhost:${p}`, 'started'],
    ['two IP entries, the first down, IP certificate', 'ip', '127.0.0.1', (p, d) => `tls://u:s3cret@127.0.0.1:${d},tls://127.0.0.1:${p}`, 'started'],
    ['bare host:port beside a tls:// entry (down), IP certificate', 'ip', '127.0.0.1', (p, d) => `u:s3cret@127.0.0.1:${p},tls://127.0.0.1:${d}`, 'started'],
  ];
  for (const [name, cert, host, nats, expected] of cases) {
    it.skipIf(!canRun)(name, async () => {
      const [port, down] = [await freeTcpPort(), await freeTcpPort()];
      const server = await natsServer(dir, port, { cert, host });
      try {
        const run = await runToStart(path.join(dir, name.replace(/\W+/g, '-')), nats(port, down), env());
        expect(run.outcome, run.lines.join('\n')).toBe(expected);
        expect(run.secretShown).toBe(false);
        if (expected === 1) {
          expect(run.lines).toHaveLength(1);
          expect(run.lines[0]).toMatch(/^aipref-enforcer live: --nats tls:\/\/\S+: cannot connect: Hostname\/IP does not match/);
        }
      } finally {
        await server.stop();
      }
    }, 60_000);
  }
});

describe('52b625b: other schemes refused through the CLI', () => {
  const usage = (args: string[]) => spawnSync(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', ...args], { encoding: 'utf8', timeout: 20_000 });
  for (const [value, scheme] of [['wss://u:S3cret@h:4222', 'wss'], ['WSS://u:S3cret@h:4222', 'WSS'], ['nats://a:4222, https://u:S3cret@b', 'https']]) {
    it(`--nats ${value}: exit 2, one line naming ${scheme}://, no password`, () => {
      const r = usage(['--nats', value]);
      expect(r.status).toBe(2);
      const lines = plainLines(r.stderr);
      // (the usual usage refusal: one reason line, then the usage text)
      expect(lines[0]).toBe(`aipref-enforcer live: --nats takes nats:// or tls:// servers (or host:port), not ${scheme}:// (for TLS write tls://)`);
      expect(lines.filter((l) => l.startsWith('aipref-enforcer live:'))).toHaveLength(1);
      expect(r.stderr).not.toContain('S3cret');
    });
  }
  it('ws:// from a config file: exit 2, no password', async () => {
    const cfg = path.join(dir, 'cfg.json');
    await writeFile(cfg, JSON.stringify({ nats: 'ws://u:S3cret@h:4222' }));
    const r = usage(['--config', cfg]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not ws://');
    expect(r.stderr).not.toContain('S3cret');
  });
  it('nats://, NATS://, tls://, host:port, [::1]:4222 and user:pass@host:port are taken', async () => {
    for (const ok of ['nats://h:4222', 'NATS://h:4222', 'tls://h', 'h:4222', '[::1]:4222', 'u:p@h:4222', 'NATS://a:1,[::1]:2,nats://u:p@c:3']) {
      expect((await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', ok])).nats?.servers).toBe(ok);
    }
  });
});

describe('7096bcf: natsServerHost answers as the former isServerUrl', () => {
  const formerIsServerUrl = (server: string) => {
    try {
      return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `nats://${server}`).host !== '';
    } catch {
      return false;
    }
  };
  it('for every form tried', () => {
    const forms = ['nats://h:4222', 'TLS://h', 'h:4222', 'h', '[::1]:4222', 'tls://[::1]', '::1', 'u:p@h:1', 'tls://u:p@[::1]:1', 'nats://:4222', 'nats://', 'tls://h:99999', 'tls://h:1/p?q#f', 'nats://u:pa', 'ss@h', 'a b', '', ' tls://h', 'wss:h:1', 'tls:/h', 'nats://[zz]', 'nats://%41', 'nats://h%00'];
    for (const f of forms) expect([f, natsServerHost(f) !== '']).toEqual([f, formerIsServerUrl(f)]);
  });
});
