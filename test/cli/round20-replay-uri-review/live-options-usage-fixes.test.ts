/**
 * Found by a review of live's options (round 20), fixed since: a broken config file is bad usage
 * (live-options.ts readConfig); an option of an input or output not asked for is refused
 * (live-options.ts optionsFrom); an option given twice is refused, --uri-allow's values
 * accumulate (args.ts parseOptions, used by liveOptionsFromArgs and parseCommandArgs).
 * Input: the cases beside the reviewer's three tests: a config that does not parse or is not a
 *   mapping (the error's class and line), one that is missing; --nats-max-age without --nats,
 *   --uri-allow/--uri-ca with --no-resolve-uri, such a key from the config file; --uri-allow
 *   repeated, any other option repeated (live, replay, inspect, bindings).
 * Was: exit 1 for a broken config; the options silently ignored; the last value of a repeated
 *   option silently kept.
 * Correct: exit 2 in one line naming the file and line/column (no usage text), exit 1 for a file
 *   that cannot be read; exit 2 naming the option (or the config key); --uri-allow's hosts all
 *   allowed, any other option given twice exit 2 naming it, never its values (a --token).
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../../src/cli/args.js';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UsageError } from '../../../src/cli/usage.js';
import { cli, SMALL_PCAP } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20-live-options-fixes-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function outcome(args: string[]): Promise<unknown> {
  return liveOptionsFromArgs(args).then(
    (o) => o,
    (e: unknown) => e,
  );
}

async function config(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('a config file that does not parse, or is not a mapping: bad usage, one line, no usage text', () => {
  const cases: [string, string, RegExp][] = [
    ['comma.json', '{"hep": "127.0.0.1:0",}', /comma\.json: cannot read config file: not valid JSON: line 1, column \d+: /],
    ['twice.json', '{"hep": "127.0.0.1:0",\n "hep": "127.0.0.1:0"}', /twice\.json: cannot read config file: hep: duplicate key at line 2, column 2/],
    ['indent.yaml', 'hep: 127.0.0.1:0\n  policy: /etc/aipref/policy.json\n', /indent\.yaml: cannot read config file: line \d+, column \d+: /],
    ['array.json', '["hep"]', /array\.json: config file must be a JSON object/],
    ['seq.yml', '- hep\n', /seq\.yml: config file must be a YAML mapping/],
    ['scalar.json', '"hep"', /scalar\.json: config file must be a JSON object/],
  ];
  for (const [name, text, message] of cases) {
    it(name, async () => {
      const err = await outcome(['--config', await config(name, text)]);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).withUsage).toBe(false);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('a missing config file stays exit 1 (it may yet appear)', async () => {
    const err = await outcome(['--config', path.join(dir, 'missing.json')]);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/missing\.json: cannot read config file: .*ENOENT/);
  });

  it('a folder as the config file stays exit 1', async () => {
    const err = await outcome(['--config', dir]);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UsageError);
  });

  it('an unreadable config file stays exit 1 (not as root: root reads it)', async () => {
    if (process.getuid?.() === 0) return;
    const file = await config('secret.json', '{"hep": "127.0.0.1:0"}');
    await chmod(file, 0o000);
    const err = await outcome(['--config', file]);
    expect(err).not.toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/EACCES/);
  });

  it('CLI: exit 2, one line naming the file and the line, no usage text', async () => {
    const file = await config('cli.json', '{"hep": "127.0.0.1:0",}');
    const r = cli(['live', '--config', file, '--quiet']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^aipref-enforcer live: .*cli\.json: cannot read config file: not valid JSON: line 1, column \d+: /)]);
  }, 60_000);
});

describe('an option of an input or output not asked for: bad usage naming it', () => {
  const cases: [string, string[], RegExp][] = [
    ['--nats-max-age without --nats', ['--hep', '127.0.0.1:9060', '--nats-max-age', '1h'], /^--nats-max-age applies to --nats/],
    ['--nats-max-pending without --nats', ['--hep', '127.0.0.1:9060', '--nats-max-pending', '100'], /^--nats-max-pending applies to --nats/],
    ['--udp-mode without --udp', ['--hep', '127.0.0.1:9060', '--udp-mode', 'plain'], /^--udp-mode applies to --udp/],
    ['--rotate-bytes with --nats only', ['--hep', '127.0.0.1:9060', '--nats', 'nats://127.0.0.1:4222', '--rotate-bytes', '1000'], /^--rotate-bytes applies to the files of --out/],
    ['--uri-allow with --no-resolve-uri', ['--hep', '127.0.0.1:9060', '--no-resolve-uri', '--uri-allow', 'repo.internal'], /^--uri-allow applies to resolving uri= handles, not with --no-resolve-uri/],
    ['--uri-ca with --no-resolve-uri (the CA file not even read)', ['--hep', '127.0.0.1:9060', '--no-resolve-uri', '--uri-ca', '/nonexistent/ca.pem'], /^--uri-ca applies to resolving uri= handles, not with --no-resolve-uri/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const err = await outcome(args);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('a bad value is still said as such without its input (--nats-max-pending 0)', async () => {
    const err = await outcome(['--hep', '127.0.0.1:9060', '--nats-max-pending', '0']);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^--nats-max-pending takes a whole number of at least 1/);
  });

  it('from the config file: the file and its key named', async () => {
    const file = await config('udp-mode.json', JSON.stringify({ hep: '127.0.0.1:9060', 'udp-mode': 'ip-packet' }));
    const err = await outcome(['--config', file]);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/udp-mode\.json: config key 'udp-mode': --udp-mode applies to --udp/);
    const file2 = await config('no-resolve.yaml', 'hep: 127.0.0.1:9060\nno-resolve-uri: true\nuri-allow: repo.internal\n');
    expect(((await outcome(['--config', file2])) as Error).message).toMatch(/no-resolve\.yaml: config key 'uri-allow': /);
  });

  it('still accepted where the input or output is there', async () => {
    const o = await liveOptionsFromArgs([
      '--udp', '127.0.0.1:9070', '--udp-mode', 'ip-packet', '--out', path.join(dir, 'out'), '--rotate-bytes', '1000', '--rotate-age', '1h', '--max-files', '5',
      '--nats', 'nats://127.0.0.1:4222', '--nats-max-age', '1h', '--nats-max-pending', '100', '--uri-allow', 'repo.internal',
    ]);
    expect(o).toMatchObject({ udpMode: 'ip-packet', rotateBytes: 1000, rotateAgeSec: 3600, maxFiles: 5, nats: { maxAgeSec: 3600, maxPending: 100 }, uriAllow: ['repo.internal'] });
    // the default folder is a file output too
    expect(await liveOptionsFromArgs(['--hep', '127.0.0.1:9060', '--rotate-bytes', '1000'])).toMatchObject({ outDir: 'aipref-out', rotateBytes: 1000 });
  });
});

describe('an option given twice', () => {
  it('--uri-allow: every host allowed, comma lists and repeats alike', async () => {
    const o = await liveOptionsFromArgs(['--hep', '127.0.0.1:9060', '--uri-allow', 'a.internal,10.0.0.5', '--uri-allow=b.internal']);
    expect(o.uriAllow).toEqual(['a.internal', '10.0.0.5', 'b.internal']);
  });

  it('--uri-allow repeated with an empty value: the empty value refused', async () => {
    const err = await outcome(['--hep', '127.0.0.1:9060', '--uri-allow', 'a.internal', '--uri-allow=']);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^--uri-allow needs a value/);
  });

  it('--hep twice: one listener only, said so', async () => {
    const err = await outcome(['--hep', '0.0.0.0:9060', '--hep', '[::]:9060']);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^--hep given twice: .*one HEP listener/);
  });

  it.each([
    [['--hep', '127.0.0.1:9060', '--policy', 'a.json', '--policy', 'b.json'], 'policy'],
    [['--hep', '127.0.0.1:9060', '--quiet', '--quiet'], 'quiet'],
    [['--hep', '127.0.0.1:9060', '--config', 'a.json', '--config=b.json'], 'config'],
    [['--udp', '127.0.0.1:9070', '--udp', '127.0.0.1:9071'], 'udp'],
  ])('%j: refused naming --%s', async (args, name) => {
    const err = await outcome(args);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(new RegExp(`^--${name} given twice`));
  });

  it('never says the values (a --token is a secret)', async () => {
    const err = await outcome(['--hep', '127.0.0.1:9060', '--to', 'https://ai.example/t', '--spool', dir, '--token', 'sekrit-1', '--token', 'sekrit-2']);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^--token given twice/);
    expect((err as Error).message).not.toMatch(/sekrit/);
  });

  it('replay, inspect and bindings too (parseCommandArgs)', () => {
    expect(() => parseCommandArgs(['c.pcap', '--out', 'a', '--out', 'b'], { out: { type: 'string' } })).toThrow(/^--out given twice/);
    expect(() => parseCommandArgs(['c.pcap', '--json', '--json'], { json: { type: 'boolean' } })).toThrow(UsageError);
    expect(parseCommandArgs(['c.pcap', '--out', 'a', '--json'], { out: { type: 'string' }, json: { type: 'boolean' } }).values).toEqual({ out: 'a', json: true });
  });

  it.each([
    ['replay', SMALL_PCAP, '--policy', 'a.json', '--policy', 'b.json'],
    ['inspect', SMALL_PCAP, '--json', '--json'],
    ['bindings', SMALL_PCAP, '--policy', 'a.json', '--policy=b.json'],
  ])('CLI %s: exit 2', (...args) => {
    const r = cli(args);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/given twice/);
  }, 60_000);
});
