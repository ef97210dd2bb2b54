/** Helpers for this folder: a CA and server certificates (openssl), nats-servers with TLS, plain stand-ins, the live CLI. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeTcpPort, NATS_SERVER } from '../../export/nats-server-process.js';
import { REPO } from '../live-helpers.js';

export { freeTcpPort, NATS_SERVER };
export const BIN = path.join(REPO, 'bin/aipref-enforcer.js');
export const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
export const canRun = Boolean(NATS_SERVER) && hasOpenssl;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A CA (ca.pem) and, for each name, `<name>.pem`/`<name>.key` signed by it with the given subjectAltName (e.g. `DNS:localhost`, `IP:127.0.0.1`). */
export function makeCerts(dir: string, sans: Record<string, string>): void {
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=review-ca', '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign']);
  for (const [name, san] of Object.entries(sans)) {
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
    run(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`]);
  }
}

export async function accepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = tcpConnect(port, host);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** nats-server on host:port, with TLS when cert is given, user u / password s3cret, JetStream. */
export async function natsServer(dir: string, port: number, opts: { cert?: string; host?: string } = {}): Promise<{ stop: () => Promise<void>; child: ChildProcess }> {
  const tls = opts.cert ? ['--tls', '--tlscert', path.join(dir, `${opts.cert}.pem`), '--tlskey', path.join(dir, `${opts.cert}.key`)] : [];
  const child = spawn(NATS_SERVER!, ['-a', opts.host ?? '127.0.0.1', '-p', String(port), ...tls, '--user', 'u', '--pass', 's3cret', '-js', '-sd', mkdtempSync(path.join(dir, 'js-'))], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await accepts(port)); i++) await sleep(50);
  return {
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A plain-TCP stand-in: sends an INFO offering no TLS and records what it reads and how many connections came. */
export async function plainStandIn(port = 0): Promise<{ port: number; seen: () => string; connections: () => number; close: () => Promise<void> }> {
  let seen = '';
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.write('INFO {"server_id":"x","version":"2.10.0","proto":1,"host":"127.0.0.1","port":4222,"headers":true,"max_payload":1048576}\r\n');
    s.on('data', (d) => (seen += d.toString('latin1')));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    seen: () => seen,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** `live --udp 127.0.0.1:0 --out <dir> <args>` with extra env; stderr collected. */
export function startLive(out: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--out', out, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    stderr: () => stderr,
    exited,
    /** the start line, or undefined once the process exited / after 15 s */
    async started(): Promise<boolean> {
      for (let i = 0; i < 150 && !stderr.includes('"event":"start"') && child.exitCode === null; i++) await sleep(100);
      return stderr.includes('"event":"start"');
    },
    async stop(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await exited;
    },
  };
}

/** Lines of stderr that are not JSON log lines (the one-line refusals). */
export const plainLines = (text: string) => text.trim().split('\n').filter((l) => l !== '' && !l.startsWith('{'));
