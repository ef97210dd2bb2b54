/**
 * SPEC §9: a bad policy file "is refused at start with one line naming the file, the key and
 * the value". policy-file.ts's own contract: "Every refusal is one line naming the file, the
 * key path and the value".
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile, parsePolicy, PolicyError } from '../../src/policy/policy-file.js';

function refusal(text: string): string {
  try {
    parsePolicy(text, 'policy.json');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as Error).message;
  }
  throw new Error('the file was accepted');
}

describe('refusals stay on one line whatever the key', () => {
  it('control: a key without a control character', () => {
    expect(refusal('{"apts": {"ab": 3}}')).toBe('policy.json: apts.ab: expected an object: 3');
  });

  // json-text.ts keyName() quotes such keys for the duplicate-key refusal and refuseUnknownKeys
  // uses it; validateApt's and the apts loop's paths do not.
  it('an apts identifier holding a newline (JSON "\\n") does not split the refusal', () => {
    const message = refusal('{"apts": {"a\\nb": 3}}');
    expect(message).toMatch(/^policy\.json: apts\./);
    expect(message).not.toContain('\n');
  });

  it('... nor does it in a statement key refused for its value', () => {
    expect(refusal('{"apts": {"a\\nb": {"export": "maybe"}}}')).not.toContain('\n');
  });

  it('... nor in a YAML file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aipref-policy-refusal-'));
    try {
      const path = join(dir, 'p.yaml');
      await writeFile(path, 'apts:\n  "a\\nb": 3\n');
      await expect(loadPolicyFile(path)).rejects.toThrow(PolicyError);
      const message = await loadPolicyFile(path).then(
        () => '',
        (e: Error) => e.message,
      );
      expect(message).not.toContain('\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('refusals name the value the file gives', () => {
  it('control: a negative retention is named as written', () => {
    expect(refusal('{"apts": {"a": {"retention": -1}}}')).toBe('policy.json: apts.a.retention: unparsable duration (expected e.g. 0, 90s, 15m, 24h, 7d): -1');
  });

  // JSON.parse reads 1e400 as Infinity; show() writes it through JSON.stringify, which gives "null"
  it('a retention of 1e400 (Infinity) is not named as null', () => {
    expect(refusal('{"apts": {"a": {"retention": 1e400}}}')).not.toMatch(/: null$/);
  });

  it('a window of 1e400 is not named as null', () => {
    expect(refusal('{"window": 1e400}')).not.toMatch(/: null$/);
  });

  it('a YAML retention of .inf is not named as null', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aipref-policy-refusal-'));
    try {
      const path = join(dir, 'p.yaml');
      await writeFile(path, 'apts:\n  a: {retention: .inf}\n');
      const message = await loadPolicyFile(path).then(
        () => 'accepted',
        (e: Error) => e.message,
      );
      expect(message).toMatch(/apts\.a\.retention/);
      expect(message).not.toMatch(/: null$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
