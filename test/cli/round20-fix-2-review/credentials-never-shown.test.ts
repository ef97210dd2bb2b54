/**
 * Found by a review of the CLI fixes (credentials on stderr), fixed since: --to with userinfo is
 * bad usage at start and every --to is parsed (live-options.ts optionsFrom), transports' failure
 * reasons lose a URL's userinfo (http-transport.ts describe, websocket-transport.ts deliverNow),
 * ExporterUrlError and ReplayTargetError show the target without it, parseReplayTarget takes no
 * '@' in the host, urlForDisplay strips userinfo whatever slashes follow the scheme
 * (src/sources/url-for-display.ts), and a config port given as a number is told host:port.
 * Input: URLs and targets with `user:s3cretPW@` / `s3cretKEY@`; `hep: 9060` in a config file.
 * Was: the password in fetch's/ws's error text on every retry; `hep://KEY@h:p` looked up in DNS as
 *   "KEY@h"; `https:/u:p@h` echoed whole; `hep: 9060` told "give it as a string (in quotes)".
 * Correct: no line carries the secret; userinfo in --to is exit 2 pointing at --token (or
 *   --hep-auth-key for replay); `hep: 9060` is told it takes host:port.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urlForDisplay } from '../../../src/cli/args.js';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UsageError } from '../../../src/cli/usage.js';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import { HttpTransport } from '../../../src/export/http-transport.js';
import { WebSocketTransport } from '../../../src/export/websocket-transport.js';
import { parseReplayTarget, ReplayTargetError } from '../../../src/sources/replay-sender.js';
import { textForDisplay } from '../../../src/sources/url-for-display.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20fix2-cred-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('urlForDisplay / textForDisplay', () => {
  it.each([
    ['https://user:s3cretPW@ai.example/x', 'https://ai.example/x'],
    ['https:/user:s3cretPW@ai.example/x', 'https:/ai.example/x'],
    ['https:///user:s3cretPW@ai.example/x', 'https:///ai.example/x'],
    ['https:user:s3cretPW@ai.example/x', 'ai.example/x'],
    ['user:s3cretPW@ai.example', 'ai.example'],
    ['s3cretPW@ai.example', 'ai.example'],
    ['nats://user:s3cret@PW@h:4222', 'nats://h:4222'],
    ['http://ai.example/x', 'http://ai.example/x'],
  ])('%s → %s', (input, shown) => {
    expect(urlForDisplay(input)).toBe(shown);
  });

  it('a message with URLs in it', () => {
    expect(textForDisplay('connect: Invalid URL: ws://user:s3cret@PW@bad host/x')).toBe('connect: Invalid URL: ws://bad host/x');
    expect(textForDisplay('no URL here: a@b')).toBe('no URL here: a@b');
  });
});

describe('transports: a failure reason never carries the URL\'s userinfo', () => {
  it('http: fetch refusing a URL with credentials', async () => {
    const t = new HttpTransport({ url: 'http://user:s3cretPW@127.0.0.1:9/ingest', timeoutMs: 5000 });
    const outcome = await t.deliver('{}', 'r1', new AbortController().signal);
    await t.close();
    expect(outcome.kind).toBe('retry');
    expect(JSON.stringify(outcome)).not.toContain('s3cretPW');
  });

  it('ws: a URL that does not parse', async () => {
    const t = new WebSocketTransport({ url: 'ws://user:s3cretPW@bad host/x', timeoutMs: 5000 });
    const outcome = await t.deliver('{}', 'r1', new AbortController().signal);
    await t.close();
    expect(outcome.kind).toBe('retry');
    expect(JSON.stringify(outcome)).toContain('connect');
    expect(JSON.stringify(outcome)).not.toContain('s3cretPW');
  });

  it('ExporterUrlError', async () => {
    const err = await AiServiceExporter.open({ url: 'ftp://user:s3cretPW@h/x', spoolDir: path.join(dir, 'spool-ftp') } as Parameters<typeof AiServiceExporter.open>[0]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String((err as Error).message)).toContain('ftp://h/x');
    expect(String((err as Error).message)).not.toContain('s3cretPW');
  });
});

describe('live --to', () => {
  const base = () => ['--hep', '127.0.0.1:0', '--out', path.join(dir, 'out'), '--spool', path.join(dir, 'spool')];
  it.each(['http://user:s3cretPW@127.0.0.1:9/x', 'https://s3cretPW@ai.example/x', 'wss://user:s3cretPW@ai.example/x', 'ws://:s3cretPW@ai.example/x'])('%s: bad usage pointing at --token', async (to) => {
    const err = await liveOptionsFromArgs([...base(), '--to', to]).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).toContain('--to');
    expect(message).toContain('--token');
    expect(message).not.toContain('s3cretPW');
    expect(message).not.toContain('\n');
  });

  it.each(['ws://user:s3cretPW@bad host/x', 'https://bad host/x', 'wss://[::1/x'])('%s: no URL, bad usage', async (to) => {
    const err = await liveOptionsFromArgs([...base(), '--to', to]).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain('--to');
    expect((err as Error).message).not.toContain('s3cretPW');
  });

  it('a plain URL is still taken', async () => {
    const o = await liveOptionsFromArgs([...base(), '--to', 'https://ai.example/ingest']);
    expect(o.aiService?.url).toBe('https://ai.example/ingest');
  });
});

describe('config: a listener port given as a number', () => {
  it.each(['hep', 'udp', 'metrics'])('%s: 9060 is told host:port', async (key) => {
    const file = path.join(dir, `${key}.yaml`);
    await writeFile(file, key === 'hep' ? 'hep: 9060\n' : `hep: 127.0.0.1:0\n${key}: 9060\n`);
    const err = await liveOptionsFromArgs(['--config', file]).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`config key '${key}'`);
    expect((err as Error).message).toContain('host:port');
    expect((err as Error).message).not.toContain('in quotes');
  });
});

describe('replay --to', () => {
  it.each(['hep://s3cretKEY@127.0.0.1:9060', 'udp://user:s3cretPW@127.0.0.1:9', 'udp:/user:s3cretPW@127.0.0.1:9'])('%s: refused without the secret', (to) => {
    let err: unknown;
    try {
      parseReplayTarget(to);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReplayTargetError);
    expect((err as Error).message).not.toMatch(/s3cret/);
  });

  it('a plain target is still taken', () => {
    expect(parseReplayTarget('hep://127.0.0.1:9060')).toMatchObject({ scheme: 'hep', port: 9060 });
  });
});
