/**
 * Checked and found fine (review of round 21's live-service fixes: 0e71cc1, 7fceeed, cb1ab98's --nats list):
 * - HEP (0e71cc1): after a mix over UDP and TCP of good frames (SIP, RTCP, other protocol), junk,
 *   wrong auth key, no auth key, capture time ahead of the clock, chunk 16 that does not inflate,
 *   unreadable RTCP JSON, a datagram longer than its HEPv3 length, junk bytes between TCP frames and
 *   an unfinished frame at close: on /metrics the kinds of `aipref_source_record_kinds_total{source="hep"}`
 *   sum to `aipref_source_records_total{source="hep",kind="received"}`, every unreadable frame under
 *   `hep:malformed`, TCP stream junk (no frame received) only in `aipref_source_malformed_total`.
 * - UDP mirror in ip-packet mode (7fceeed): junk datagrams under `datagram`, IP packets under
 *   `ip-packet`, the kinds summing to the records received, the junk in malformed.
 * - native-pcap (0e71cc1, root + pcap): a bad --filter on a device that does not exist: the device's
 *   error wins (exit 1, one line, `interface nosuch0: No such device exists`), as with a good filter;
 *   a filter valid on an Ethernet veth but not on a raw-IP tun (`ether host …`) is bad usage on the tun
 *   only (exit 2, libpcap's reason) and runs on the veth; a refused start ends promptly (< 5 s) and
 *   leaves no --out folder; the package's warningHandler is put back after an open that throws and
 *   after one that succeeds; warnings of an open that then fails are not said (no capture-warning,
 *   no raw `warning:` text) — the one line is the error; a warning of a successful open is one JSON
 *   capture-warning line.
 * - --nats list (cb1ab98): `nats://[::1]:<closed>,nats://[::1]:<up>` starts against a real
 *   nats-server on ::1 and delivers; a scheme-less `127.0.0.1:<up>` entry after a closed one starts;
 *   spaces around commas are trimmed; credentials in the second entry only are used for the server
 *   (user/password nats-server accepts); a YAML config `nats:` list is refused as bad usage without
 *   showing its value; a config `nats:` comma string works as the flag does; no credentials reach the
 *   start line, the counters or /metrics.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { connect } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHep, HepProtocol } from '../../../src/sources/hep.js';
import { freeTcpPort, NATS_SERVER } from '../../export/nats-server-process.js';
import { sendSrs } from '../../live-delivery/live-fixtures.js';
import { ensureBuilt, LiveChild, REPO } from '../live-helpers.js';

const BIN = path.join(REPO, 'bin/aipref-enforcer.js');
const dir = mkdtempSync(path.join(tmpdir(), 'r21-live-fixes-ok-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasPcap = spawnSync(process.execPath, ['-e', "require('pcap')"], { cwd: REPO, stdio: 'ignore' }).status === 0;
const canNetns = process.getuid?.() === 0 && hasPcap && spawnSync('unshare', ['-n', 'sh', '-c', 'ip link add v0 type veth peer name v1 && ip tuntap add dev t0 mode tun'], { stdio: 'ignore' }).status === 0;

const sumOf = (text: string, family: string, source: string, skip: string[] = []) =>
  [...text.matchAll(new RegExp(`^${family}\\{source="${source}",kind="([^"]*)"\\} (\\d+)$`, 'gm'))].filter((m) => !skip.includes(m[1]!)).reduce((n, m) => n + Number(m[2]), 0);

async function scrapeUntil(port: number, done: (text: string) => boolean): Promise<string> {
  let text = '';
  for (let i = 0; i < 80; i++) {
    text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    if (done(text)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return text;
}

const SIP = new TextEncoder().encode('OPTIONS sip:a@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nCall-ID: k1\r\nFrom: <sip:b@example.net>;tag=1\r\nTo: <sip:a@example.net>\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n');

describe('HEP: every frame received under exactly one kind (UDP and TCP)', () => {
  it('a mix of good, junk, wrong-key, ahead-of-clock, bad-compression, bad RTCP JSON frames: kinds sum to received', async () => {
    await ensureBuilt();
    const KEY = 'k3y';
    const { live, addresses } = await LiveChild.start(['--hep', '127.0.0.1:0', '--hep-auth-key', KEY, '--metrics', '127.0.0.1:0', '--out', path.join(dir, 'hep-out'), '--no-resolve-uri', '--workers', '0', '--quiet']);
    try {
      const now = Math.floor(Date.now() / 1000);
      const base = { ipVersion: 4 as const, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, tsSeconds: now, tsMicroseconds: 0, protocolType: HepProtocol.SIP, payload: SIP, authKey: KEY };
      const frames: Uint8Array[] = [
        encodeHep(base), // hep:sip
        encodeHep({ ...base, protocolType: 99 }), // hep:other
        encodeHep({ ...base, protocolType: HepProtocol.RTCP, payload: new TextEncoder().encode('{"type":200,"ssrc":') }), // bad RTCP JSON: hep:malformed
        encodeHep({ ...base, authKey: 'wrong' }), // auth-rejected
        encodeHep({ ...base, authKey: undefined }), // auth-rejected
        encodeHep({ ...base, tsSeconds: now + 3 * 86400 }), // ahead: hep:malformed
        encodeHep({ ...base, compressed: true, payload: new Uint8Array([1, 2, 3, 4, 5]) }), // not zlib: hep:malformed
        encodeHep({ ...base, compressed: true, payload: deflateSync(Buffer.alloc(70_000)) }), // inflates too large: hep:malformed
        Buffer.from('not hep at all'), // hep:malformed
      ];
      const longer = new Uint8Array(encodeHep(base).length + 3);
      longer.set(encodeHep(base));
      frames.push(longer); // datagram longer than its HEPv3 length: hep:malformed
      const s = createSocket('udp4');
      for (const f of frames) await new Promise((r) => s.send(f, addresses.hep!.udp.port, '127.0.0.1', r));
      s.close();
      // TCP: two good frames with junk between, a bad-compression frame, then an unfinished frame
      const tcp = tcpConnect(addresses.hep!.tcp.port, '127.0.0.1');
      await new Promise((r) => tcp.once('connect', r));
      const good = encodeHep(base);
      tcp.write(Buffer.concat([good, Buffer.from('garbage!!'), good, encodeHep({ ...base, compressed: true, payload: new Uint8Array([9, 9, 9]) }), good.subarray(0, 10)]));
      await new Promise((r) => setTimeout(r, 300));
      tcp.end();
      const received = frames.length + 3;
      const text = await scrapeUntil(addresses.metrics!.port, (t) => t.includes(`aipref_source_records_total{source="hep",kind="received"} ${received}`) && /source_malformed_total\{source="hep"\} 9\b/.test(t));
      expect(text).toContain(`aipref_source_records_total{source="hep",kind="received"} ${received}`);
      expect(sumOf(text, 'aipref_source_record_kinds_total', 'hep')).toBe(received);
      expect(text).toContain('aipref_source_record_kinds_total{source="hep",kind="hep:malformed"} 7');
      expect(text).toContain('aipref_source_record_kinds_total{source="hep",kind="auth-rejected"} 2');
      expect(text).toContain('aipref_source_record_kinds_total{source="hep",kind="hep:sip"} 3');
      expect(text).toContain('aipref_source_record_kinds_total{source="hep",kind="hep:other"} 1');
      // 7 unreadable frames, the TCP junk once, the unfinished frame once
      expect(text).toMatch(/aipref_source_malformed_total\{source="hep"\} 9\b/);
    } finally {
      await live.terminate();
    }
  }, 60_000);
});

describe('UDP mirror, ip-packet mode (7fceeed)', () => {
  it('junk datagrams under datagram, IP packets under ip-packet: kinds sum to received', async () => {
    await ensureBuilt();
    const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--udp-mode', 'ip-packet', '--metrics', '127.0.0.1:0', '--out', path.join(dir, 'udp-out'), '--no-resolve-uri', '--workers', '0', '--quiet']);
    try {
      const s = createSocket('udp4');
      const ip4 = Buffer.from('4500001c000000004011000000000000000000000000000000000000', 'hex');
      for (const d of [Buffer.from([0x00, 1, 2]), Buffer.alloc(0), Buffer.from([0x10, 0x20]), ip4, Buffer.from([0x60, 0, 0, 0])])
        await new Promise((r) => s.send(d, addresses.udp!.port, '127.0.0.1', r));
      s.close();
      const text = await scrapeUntil(addresses.metrics!.port, (t) => t.includes('aipref_source_records_total{source="udp",kind="received"} 5'));
      expect(text).toContain('aipref_source_records_total{source="udp",kind="received"} 5');
      expect(sumOf(text, 'aipref_source_record_kinds_total', 'udp')).toBe(5);
      expect(text).toContain('aipref_source_record_kinds_total{source="udp",kind="datagram"} 3');
      expect(text).toContain('aipref_source_record_kinds_total{source="udp",kind="ip-packet"} 2');
      expect(text).toMatch(/aipref_source_malformed_total\{source="udp"\} 3\b/);
    } finally {
      await live.terminate();
    }
  }, 60_000);
});

describe.skipIf(!hasPcap || process.getuid?.() !== 0)('live --interface --filter (0e71cc1)', () => {
  it('a bad filter on a device that does not exist: the device is what is said (exit 1, one line), as with a good filter', () => {
    for (const filter of ['udp prot 5060', 'udp port 5060']) {
      const r = spawnSync(process.execPath, [BIN, 'live', '--interface', 'nosuch0', '--filter', filter, '--out', path.join(dir, 'nodev')], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual(['aipref-enforcer live: interface nosuch0: No such device exists']);
    }
    expect(existsSync(path.join(dir, 'nodev'))).toBe(false);
  });

  it.skipIf(!canNetns)('link types, prompt end, warnings, the handler put back (private netns: veth v0, tun t0)', () => {
    const script = path.join(dir, 'netns.sh');
    const node = JSON.stringify(process.execPath);
    const out = path.join(dir, 'ns');
    const handlerScript = path.join(dir, 'handler.mjs');
    writeFileSync(
      handlerScript,
      `import { createRequire } from 'node:module';
const pcap = createRequire(${JSON.stringify(path.join(REPO, 'package.json'))})('pcap');
const { startInterfaceCapture } = await import(${JSON.stringify(path.join(REPO, 'dist/src/sources/native-pcap.js'))});
const original = pcap.warningHandler;
const said = [];
try { await startInterfaceCapture({ name: 'nosuch0' }, () => {}, () => {}, (w) => said.push(w)); } catch (e) { console.log('failed:', e.message); }
console.log('restored-after-throw', pcap.warningHandler === original, 'said', said.length);
const c = await startInterfaceCapture({ name: 'v0' }, () => {}, () => {}, (w) => said.push(w));
console.log('restored-after-open', pcap.warningHandler === original, 'said', JSON.stringify(said));
await c.stop();
process.exit(0);
`,
    );
    writeFileSync(
      script,
      `set -u
ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up
ip tuntap add dev t0 mode tun && ip link set t0 up
run() { timeout 10 ${node} ${JSON.stringify(BIN)} live --quiet "$@" 2>&1; echo "rc=$?"; }
echo "== tun ether"; run --interface t0 --filter 'ether host 00:11:22:33:44:55' --out ${out}/a
echo "== veth ether"; timeout -s TERM 3 ${node} ${JSON.stringify(BIN)} live --quiet --interface v0 --filter 'ether host 00:11:22:33:44:55' --out ${out}/b 2>&1; echo "rc=$?"
start=$(date +%s%N); echo "== veth typo"; run --interface v0 --filter 'udp prot 5060' --out ${out}/c; echo "ms=$(( ($(date +%s%N) - start) / 1000000 ))"
echo "== handler"; ${node} ${JSON.stringify(handlerScript)}
`,
    );
    const r = spawnSync('unshare', ['-n', 'bash', script], { encoding: 'utf8', timeout: 60_000 });
    const part = (name: string) => r.stdout.split(`== ${name}\n`)[1]!.split('\n==')[0]!;
    // a filter Ethernet-only: bad usage on the raw-IP tun, libpcap's reason
    expect(part('tun ether')).toMatch(/^aipref-enforcer live: --filter 'ether host 00:11:22:33:44:55': ethernet addresses supported only on .*\nrc=2/);
    // …and runs on the veth (its start line; then SIGTERM from timeout: exit 0 after drain, or 124)
    expect(part('veth ether')).toContain('"event":"start"');
    expect(part('veth ether')).toContain('"event":"capture-warning"');
    // a refused start: one line, no raw `warning:` text, no capture-warning, ends promptly, nothing made
    const typo = part('veth typo');
    expect(typo).toMatch(/^aipref-enforcer live: --filter 'udp prot 5060': can't parse filter expression: syntax error\nrc=2\nms=\d+/);
    expect(Number(/ms=(\d+)/.exec(typo)![1])).toBeLessThan(5000);
    expect(existsSync(path.join(out, 'a'))).toBe(false);
    expect(existsSync(path.join(out, 'c'))).toBe(false);
    // the warning handler put back after a throw (and that open's warnings not said) and after a success (its warning said)
    const handler = part('handler');
    expect(handler).toContain('failed: interface nosuch0: No such device exists');
    expect(handler).toContain('restored-after-throw true said 0');
    expect(handler).toMatch(/restored-after-open true said \["v0: no IPv4 address assigned"\]/);
  }, 90_000);
});

describe.skipIf(!NATS_SERVER)('--nats list (cb1ab98) against real servers', () => {
  const policy = path.join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-d' }));

  async function server(host: string, extra: string[] = []): Promise<{ port: number; stop(): Promise<void> }> {
    const port = await freeTcpPort();
    const child = spawn(NATS_SERVER!, ['-a', host, '-p', String(port), '-js', '-sd', mkdtempSync(path.join(dir, 'js-')), ...extra], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = tcpConnect(port, host);
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return { port, stop: () => new Promise<void>((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))) };
  }

  async function delivers(list: string, check: { host: string; port: number; user?: string; pass?: string }, config?: string): Promise<void> {
    const args = config ? ['--config', config] : ['--nats', list];
    const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', policy, '--metrics', '127.0.0.1:0', '--workers', '0', '--batch-ms', '5', '--stats-every', '1s', ...args]);
    try {
      expect(live.logs.find((l) => l.event === 'start')?.exporters).toContain('nats');
      await sendSrs(addresses.udp!.port, 3);
      const nc = await connect({ servers: `${check.host.includes(':') ? `[${check.host}]` : check.host}:${check.port}`, ...(check.user && { user: check.user, pass: check.pass }) });
      try {
        const jsm = await nc.jetstreamManager();
        let messages = 0;
        for (let i = 0; i < 100 && messages === 0; i++) {
          messages = await jsm.streams.info('AIPREF').then((s) => s.state.messages, () => 0);
          if (messages === 0) await new Promise((r) => setTimeout(r, 100));
        }
        expect(messages).toBeGreaterThan(0);
      } finally {
        await nc.close();
      }
      await live.waitFor((l) => l.event === 'counters', 5000).catch(() => undefined);
      const metrics = await (await fetch(`http://127.0.0.1:${addresses.metrics!.port}/metrics`)).text();
      // no credentials in the start line, the counters or /metrics
      for (const text of [live.stderrText, metrics]) expect(text).not.toMatch(/s3cret|nats:\/\/[^ ,"]*@/);
    } finally {
      await live.terminate();
    }
  }

  it('IPv6 entries: nats://[::1]:<closed>,nats://[::1]:<up>', async () => {
    const s = await server('::1');
    try {
      await delivers(`nats://[::1]:${await freeTcpPort()},nats://[::1]:${s.port}`, { host: '::1', port: s.port });
    } finally {
      await s.stop();
    }
  }, 60_000);

  it('a scheme-less entry and spaces around the comma: nats://127.0.0.1:<closed> , 127.0.0.1:<up>', async () => {
    const s = await server('127.0.0.1');
    try {
      await delivers(`nats://127.0.0.1:${await freeTcpPort()} , 127.0.0.1:${s.port}`, { host: '127.0.0.1', port: s.port });
    } finally {
      await s.stop();
    }
  }, 60_000);

  it('credentials in the second entry only are used (a server that requires them); a config file comma string as the flag', async () => {
    const s = await server('127.0.0.1', ['--user', 'u', '--pass', 's3cret']);
    try {
      const list = `nats://127.0.0.1:${await freeTcpPort()},nats://u:s3cret@127.0.0.1:${s.port}`;
      await delivers(list, { host: '127.0.0.1', port: s.port, user: 'u', pass: 's3cret' });
      const config = path.join(dir, 'nats.yaml');
      writeFileSync(config, `nats: "${list}"\n`);
      await delivers(list, { host: '127.0.0.1', port: s.port, user: 'u', pass: 's3cret' }, config);
    } finally {
      await s.stop();
    }
  }, 90_000);
});

it('a YAML config nats: list is bad usage, its value not shown', () => {
  const config = path.join(dir, 'list.yaml');
  writeFileSync(config, 'udp: 127.0.0.1:0\nnats:\n  - nats://u:s3cret@a:4222\n  - nats://b:4222\n');
  const r = spawnSync(process.execPath, [BIN, 'live', '--config', config], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("config key 'nats' takes a string, not a list");
  expect(r.stderr).not.toContain('s3cret');
});
