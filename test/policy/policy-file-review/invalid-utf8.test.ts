/**
 * Found by a review of the policy file (SPEC §9), fixed since (src/policy/policy-file.ts,
 * vocabulary.ts durationOfNumber).
 *
 * Input: a policy file whose bytes are not UTF-8: `{"default":"caf\xE9"}` (Latin-1 é, byte
 * offset 15), as p.json and as p.yaml (`default: caf\xE9`); and through the CLI
 * (`replay samples/call-small.pcap --policy p.json`).
 *
 * Was: accepted. readFile(path, 'utf8') turns the byte into U+FFFD without a word: the default
 *   APT becomes 'caf\uFFFD' — an identifier no signaling can ever state — and replay exits 0,
 *   printing only "p.json: default 'caf�' has no entry in apts: it counts as the most restrictive
 *   statement ...". An `apts` key or a `dialogs` callId so mangled is accepted silently too.
 *
 * Correct: refused, exit 1, one stderr line naming the file (and where). RFC 8259 §8.1: JSON
 *   text exchanged between systems MUST be UTF-8; YAML 1.2 §5.2 allows UTF-8/16/32 only. A file
 *   that is not valid JSON is refused (SPEC §9), and exit 1 lines name "the file and the byte
 *   offset" (SPEC §8). Reading an operator's identifier as something else is the lenient reading
 *   policy-file.ts's own header rules out.
 *
 * Fix: src/policy/policy-file.ts loadPolicyFile: read a Buffer and decode with
 *   new TextDecoder('utf-8', { fatal: true }) (ignoreBOM as now); on failure find the first bad
 *   byte and throw PolicyError(`${path}: not valid UTF-8 at byte ${offset}`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyFile, PolicyError } from '../../../src/policy/policy-file.js';
import { BIN, SMALL_PCAP } from '../../e2e/e2e-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aipref-utf8-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(name: string, bytes: Buffer): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, bytes);
  let thrown: unknown;
  let accepted: unknown;
  try {
    accepted = (await loadPolicyFile(file)).defaultApt;
  } catch (error) {
    thrown = error;
  }
  expect(accepted).toBeUndefined(); // was 'caf\uFFFD'
  expect(thrown).toBeInstanceOf(PolicyError);
  const message = (thrown as Error).message;
  expect(message.startsWith(`${file}: `)).toBe(true);
  expect(message).not.toContain('\n');
  expect(message).toMatch(/UTF-8/);
  return message;
}

describe('a policy file that is not UTF-8 is refused, not read with U+FFFD in place of its bytes', () => {
  it('JSON', async () => {
    await refusal('p.json', Buffer.concat([Buffer.from('{"default":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]));
  });

  it('YAML', async () => {
    await refusal('p.yaml', Buffer.concat([Buffer.from('default: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
  });

  it('CLI replay: exit 1 with one stderr line naming the file', async () => {
    const file = join(dir, 'cli.json');
    await writeFile(file, Buffer.concat([Buffer.from('{"default":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]));
    const r = spawnSync(process.execPath, [BIN, 'replay', SMALL_PCAP, '--policy', file, '--out', join(dir, 'out')], { encoding: 'utf8' });
    // was: status 0, stderr "... default 'caf\uFFFD' has no entry in apts: ..."
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).not.toContain('\uFFFD');
  }, 60_000);
});
