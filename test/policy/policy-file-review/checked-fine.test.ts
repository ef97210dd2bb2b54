/**
 * Policy-file checks (SPEC §9, §3) that turned out fine — kept as regression tests.
 * - refusals with one line naming file, key path and value: YAML `export: maybe`, JSON/YAML BOM
 *   handling (JSON refused with a clear line, YAML accepts its BOM as YAML 1.2 allows), empty YAML,
 *   a directory, YAML duplicate keys, multi-document YAML, fractional / negative / 1e21 / NaN
 *   retentions, a YAML numeric tag, a numeric YAML callId, version 1e300;
 * - accepted forms: retention 0 (number and string), upper-case units "24H", version 1.0 as 1,
 *   YAML and JSON twins giving identical PolicyFile contents, dialogs omitting tags matching any
 *   (tags compared without regard to case), a `default` with no apts entry accepted with a
 *   warning (README documents this), duplicate features folded into the canonical list;
 * - CLI: `bindings --policy bad.yaml` exits 1 with a single stderr line naming file, key, value.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyFile, parsePolicy, PolicyError, type PolicyFile } from '../../../src/policy/policy-file.js';
import { buildStatement } from '../../../src/policy/statement.js';
import { BIN, SMALL_PCAP } from '../../e2e/e2e-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aipref-policy-pass-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(name: string, text: string | Buffer): Promise<{ file: string; policy?: PolicyFile; error?: string }> {
  const file = join(dir, name);
  await writeFile(file, text);
  try {
    return { file, policy: await loadPolicyFile(file) };
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return { file, error: message };
  }
}

const shape = (p: PolicyFile) => ({ apts: [...p.apts], dialogs: p.dialogs, default: p.defaultApt, window: p.windowSec });

describe('refusals: one line naming the file, the key and the value', () => {
  it.each([
    ['maybe.yaml', 'apts:\n  a:\n    export: maybe\n', 'apts.a.export: unknown value (expected none, aggregated-only, raw): "maybe"'],
    ['empty.yaml', '', '(top level): expected an object: null'],
    ['dup.yaml', 'apts:\n  a: {export: raw}\n  a: {export: none}\n', 'not valid YAML: line 3, column 3: Map keys must be unique'],
    ['multi.yaml', 'window: 5s\n---\nwindow: 6s\n', 'not valid YAML: line 2, column 1: Source contains multiple documents; please use YAML.parseAllDocuments()'],
    ['frac.json', '{"apts":{"a":{"retention":1.5}}}', 'apts.a.retention: unparsable duration (expected e.g. 0, 90s, 15m, 24h, 7d): 1.5'],
    ['neg.yaml', 'apts:\n  a: {retention: -5}\n', 'apts.a.retention: unparsable duration (expected e.g. 0, 90s, 15m, 24h, 7d): -5'],
    ['huge.json', '{"apts":{"a":{"retention":1e21}}}', 'apts.a.retention: unparsable duration (expected e.g. 0, 90s, 15m, 24h, 7d): 1e+21'],
    ['nan.yaml', 'apts:\n  a: {retention: .nan}\n', 'apts.a.retention: unparsable duration (expected e.g. 0, 90s, 15m, 24h, 7d): NaN'],
    ['tagnum.yaml', 'dialogs:\n  - {callId: c, fromTag: 1234, apt: [x]}\n', 'dialogs[0].fromTag: expected a tag string: 1234'],
    ['callnum.yaml', 'dialogs:\n  - {callId: 12345, apt: x}\n', 'dialogs[0].callId: expected a Call-ID: 12345'],
    ['verbig.json', '{"apts":{"a":{"version":1e300}}}', 'apts.a.version: expected a non-negative integer: 1e+300'],
    ['nullapts.json', '{"apts":null}', 'apts: expected an object: null'],
    ['bom.json', '\uFEFF{"window":"5s"}', 'not valid JSON: line 1, column 1: unexpected byte-order mark (U+FEFF) (expected a value; save the file without one)'],
  ])('%s', async (name, text, rest) => {
    const { file, error } = await load(name, text);
    expect(error).toBe(`${file}: ${rest}`);
  });

  it('a directory', async () => {
    const d = join(dir, 'd.json');
    await mkdir(d);
    await expect(loadPolicyFile(d)).rejects.toThrow(new PolicyError(`${d}: cannot read policy file: EISDIR: illegal operation on a directory, read`));
  });

  it('CLI bindings --policy bad.yaml: exit 1, one stderr line', async () => {
    const file = join(dir, 'cli.yaml');
    await writeFile(file, 'apts:\n  a: {export: maybe}\n');
    const r = spawnSync(process.execPath, [BIN, 'bindings', SMALL_PCAP, '--policy', file, '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`aipref-enforcer bindings: ${file}: apts.a.export: unknown value (expected none, aggregated-only, raw): "maybe"\n`);
  }, 30_000);
});

describe('accepted forms', () => {
  it('a YAML BOM is allowed and changes nothing', async () => {
    const a = await load('bom.yaml', '\uFEFFwindow: 5s\n');
    const b = await load('nobom.yaml', 'window: 5s\n');
    expect(a.policy!.windowSec).toBe(5);
    expect(shape(a.policy!)).toEqual(shape(b.policy!));
  });

  it('YAML and JSON twins give identical policies (numbers, strings, upper case, nulls)', async () => {
    const json = await load('t.json', JSON.stringify({
      apts: { a: { export: 'RAW', retention: 0, features: ['sdes', 'media-metrics'] }, b: { retention: '24H', version: 1 }, '1': { export: 'none' } },
      dialogs: [{ callId: 'c', apt: ['a'] }, { callId: 'd', toTag: 'T', apt: 'b' }],
      default: null,
      window: '90s',
    }));
    const yaml = await load('t.yaml', 'apts:\n  a: {export: RAW, retention: 0, features: [sdes, media-metrics]}\n  b: {retention: 24H, version: 1.0}\n  1: {export: none}\ndialogs:\n  - {callId: c, apt: [a]}\n  - {callId: d, toTag: T, apt: b}\ndefault:\nwindow: 90s\n');
    expect(shape(yaml.policy!)).toEqual(shape(json.policy!));
  });

  it('retention 0 and "24H" are read as 0 s and 86400 s; duplicate features fold into one list', () => {
    const p = parsePolicy('{"apts":{"z":{"export":"raw","retention":0},"h":{"export":"raw","retention":"24H","features":["sdes","SDES","media-metrics"]}}}', 'p.json');
    expect(buildStatement('z', [p.statementPart('z')!]).statement.retentionSec).toBe(0);
    const h = buildStatement('h', [p.statementPart('h')!]).statement;
    expect([h.retentionSec, h.features]).toEqual([86400, ['media-metrics', 'sdes']]);
  });

  it('dialogs: an omitted tag matches any; a given one matches without regard to case', () => {
    const p = parsePolicy('{"dialogs":[{"callId":"c","apt":["any"]},{"callId":"c","fromTag":"AbC","apt":["from"]},{"callId":"c","toTag":"x","apt":["to"]}]}', 'p.json');
    expect(p.findDialogApts('c', 'abc', 'y')).toEqual(['any', 'from']);
    expect(p.findDialogApts('c', 'zzz', 'X')).toEqual(['any', 'to']);
    expect(p.findDialogApts('C', 'abc', 'x')).toEqual([]);
  });

  it('a default with no apts entry is accepted, with one warning', () => {
    const p = parsePolicy('{"default":"zz"}', 'p.json');
    expect(p.defaultApt).toBe('zz');
    expect(p.warnings()).toEqual(["p.json: default 'zz' has no entry in apts: it counts as the most restrictive statement (everything it governs is dropped) unless signaling states it"]);
  });
});
