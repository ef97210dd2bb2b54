/**
 * Found by a review of uri= handle resolution, fixed since: `live` fetches handles only from public addresses unless `--uri-allow <host>[,<host>…]` (or the config key `uri-allow`) names the host (src/cli/live-options.ts optionsFrom, src/cli/live.ts startLive, src/cli/usage.ts USAGE).
 * Input: `live --udp 127.0.0.1:0 --uri-ca <the repository's CA>` fed an INVITE whose AI-Pref names
 *   `uri=<https://127.0.0.1:<port>/apt/x>` (a local HTTPS server counting requests); then the same with `--uri-allow 127.0.0.1`.
 * Was: the handle was fetched whoever signaled it (the server saw the request): a caller could make the enforcer
 *   send HTTPS GETs to the operator's internal hosts; there was no way to name the private repository that may be.
 * Correct: without --uri-allow no request is made and the reports say `unresolved-apt` naming the address, why, and
 *   `--uri-allow 127.0.0.1`; with it the handle is fetched and resolved. `--uri-allow` is in live's usage, a config key,
 *   and a value that is not a list of hosts is bad usage.
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { USAGE } from '../../../src/cli/usage.js';
import { ensureBuilt, LiveChild, readLines, REPO } from '../../live/live-helpers.js';
import { countingServer, opensslAvailable, type CountingServer } from './ssrf-helpers.js';

let dir: string;
let srv: CountingServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-ssrf-live-'));
  if (!opensslAvailable) return;
  await ensureBuilt();
  srv = await countingServer();
  await writeFile(path.join(dir, 'ca.pem'), srv.cert);
});

afterAll(async () => {
  if (srv) {
    await srv.close();
    await rm(srv.dir, { recursive: true, force: true });
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function invite(uri: string): Promise<Uint8Array> {
  const text = await readFile(path.join(REPO, 'samples/sip/invite-bundle.sip'), 'utf8');
  return new TextEncoder().encode(text.replace('https://prefs.example.com/apt/call-1', uri));
}

async function send(port: number, datagram: Uint8Array): Promise<void> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => s.send(datagram, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  await new Promise<void>((r) => s.close(() => r()));
}

/** live fed the INVITE naming `uri`, stopped once it was taken in; the reports it wrote. */
async function liveWith(name: string, uri: string, extra: string[]): Promise<Record<string, unknown>[]> {
  const out = path.join(dir, name);
  const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--out', out, '--workers', '0', '--batch-ms', '5', '--quiet', '--uri-ca', path.join(dir, 'ca.pem'), ...extra]);
  try {
    await send(addresses.udp!.port, await invite(uri));
    await new Promise((r) => setTimeout(r, 700));
  } finally {
    expect(await live.terminate()).toBe(0);
  }
  return readLines(out, 'reports');
}

const unresolvedCall1 = (reports: Record<string, unknown>[]) =>
  reports.filter((r) => r.type === 'unresolved-apt' && (r.apt as string[] | undefined)?.includes('urn:example:apt:call-1'));

describe.skipIf(!opensslAvailable)('live end to end: a handle at 127.0.0.1', () => {
  it('is not fetched by default: unresolved-apt says why and names --uri-allow; the server sees no request', async () => {
    const uri = `https://127.0.0.1:${srv!.port}/apt/x`;
    const reports = await liveWith('default', uri, []);
    expect(srv!.hits['/apt/x'] ?? 0).toBe(0);
    const found = unresolvedCall1(reports);
    expect(found).toHaveLength(1);
    expect(found[0]!.detail).toBe(`uri=<${uri}> could not be fetched: 127.0.0.1 is a loopback address: not fetched (--uri-allow 127.0.0.1 fetches from it): counted as most restrictive`);
  }, 30_000);

  it('is fetched and resolved with --uri-allow 127.0.0.1', async () => {
    const uri = `https://127.0.0.1:${srv!.port}/apt/y`;
    const reports = await liveWith('allowed', uri, ['--uri-allow', 'repo.example,127.0.0.1']);
    expect(srv!.hits['/apt/y']).toBe(1);
    expect(unresolvedCall1(reports)).toEqual([]);
  }, 30_000);
});

describe('--uri-allow: usage and config key', () => {
  it('is in live\'s usage line', () => {
    expect(USAGE).toMatch(/--uri-allow <host>\[,<host>…\]/);
  });

  it('takes hosts separated by commas, canonical (lowercase, IPv6 without brackets)', async () => {
    const opts = await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--uri-allow', 'Repo.Example, 10.0.0.5,[::1]']);
    expect(opts.uriAllow).toEqual(['repo.example', '10.0.0.5', '::1']);
    expect((await liveOptionsFromArgs(['--udp', '127.0.0.1:0'])).uriAllow).toBeUndefined();
  });

  it('is a config key (flags win)', async () => {
    const config = path.join(dir, 'live.json');
    await writeFile(config, JSON.stringify({ udp: '127.0.0.1:0', 'uri-allow': 'repo.internal' }));
    expect((await liveOptionsFromArgs(['--config', config])).uriAllow).toEqual(['repo.internal']);
    expect((await liveOptionsFromArgs(['--config', config, '--uri-allow', 'other.internal'])).uriAllow).toEqual(['other.internal']);
  });

  it.each(['https://repo.example', 'repo.example:443', 'repo.example/apt', 'a,,b', 'a,'])('--uri-allow %j is bad usage, in one line naming the flag', async (value) => {
    const err = await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--uri-allow', value]).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.name).toBe('UsageError');
    expect(err?.message).toMatch(/^--uri-allow takes host names or IP addresses separated by commas/);
    expect(err?.message).not.toContain('\n');
  });

  it('a bad value from the config file names the file and the key', async () => {
    const config = path.join(dir, 'bad.json');
    await writeFile(config, JSON.stringify({ udp: '127.0.0.1:0', 'uri-allow': 'https://repo.internal/' }));
    await expect(liveOptionsFromArgs(['--config', config])).rejects.toThrow(`${config}: config key 'uri-allow': --uri-allow takes`);
  });
});
