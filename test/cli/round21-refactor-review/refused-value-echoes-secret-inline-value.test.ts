/**
 * Found by a review of the round-21 refactors, fixed since: a refused value that is a secret option written with its value shows as --token=<not shown> (src/cli/args.ts usageMessage).
 * Input: `aipref-enforcer live --hep 127.0.0.1:0 --policy --token=S3cr3tTok --to https://ai.example/x`
 *   (the --policy path forgotten: the next argument is a secret option written with '='), and the
 *   same with `--policy --to=https://user:Pa55w0rd@ai.example/x` and
 *   `replay <cap> --policy --hep-auth-key=K3yS3cr3t`.
 * Was (observed): exit 2 with `live: --policy needs a value: '--token=S3cr3tTok' looks like an
 *   option (write --policy=--token=S3cr3tTok to give it)` — the bearer token (or the URL's
 *   password, or the HEP auth key) on stderr, twice. refusedValue (cd365fd, moved unchanged from
 *   usageMessage) checks only whether the *refused option* is secret, never whether the refused
 *   *value* is itself a secret option's `--name=value`.
 * Correct: round 20's rule (0330ccc, SECRET_OPTIONS' doc in src/cli/args.ts): a usage line names
 *   a secret option, never its value — stderr goes to journald / a CI log. The line should still
 *   say what happened (`--policy needs a value`), without the text after a secret option's '='.
 * Fix: src/cli/args.ts usageMessage/refusedValue: when the refused value is `--<name>=…` (or `--<name>`
 *   then a value) with <name> in SECRET_OPTIONS, show no value (the "next argument looks like an
 *   option" line), or show `--token=<value>`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { parseOptions } from '../../../src/cli/args.js';

const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
const PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');

const spec = { policy: { type: 'string' }, token: { type: 'string' }, to: { type: 'string' }, 'hep-auth-key': { type: 'string' }, nats: { type: 'string' } } as const;

const usageLine = (args: string[]): string => {
  try {
    parseOptions(args, spec);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('no usage error');
};

const cases: [string, string[], string][] = [
  ['--token=…', ['--policy', '--token=S3cr3tTok'], 'S3cr3tTok'],
  ['--hep-auth-key=…', ['--policy', '--hep-auth-key=K3yS3cr3t'], 'K3yS3cr3t'],
  ['--to=URL with a password', ['--policy', '--to=https://user:Pa55w0rd@ai.example/x'], 'Pa55w0rd'],
  ['--nats=URL with a token', ['--policy', '--nats=nats://T0kenS3cr3t@nats.example:4222'], 'T0kenS3cr3t'],
];

for (const [name, args, secret] of cases) {
  it(`usageMessage: a non-secret option's refused value that is ${name} is not echoed`, () => {
    const line = usageLine(args);
    expect(line).toMatch(/^--policy needs a value/);
    expect(line).not.toContain(secret);
  });
}

it('CLI live: --policy --token=SECRET does not put the token on stderr', () => {
  const r = spawnSync(process.execPath, [BIN, 'live', '--hep', '127.0.0.1:0', '--policy', '--token=S3cr3tTok', '--to', 'https://ai.example/x'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('--policy needs a value');
  expect(r.stderr).not.toContain('S3cr3tTok');
});

it('CLI replay: --policy --hep-auth-key=KEY does not put the key on stderr', () => {
  const r = spawnSync(process.execPath, [BIN, 'replay', PCAP, '--policy', '--hep-auth-key=K3yS3cr3t'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('--policy needs a value');
  expect(r.stderr).not.toContain('K3yS3cr3t');
});
