/**
 * YAML for the operator's files (SPEC §9: "JSON (YAML too)"): a policy file or a live config
 * file whose name ends in .yaml or .yml is read as YAML, checked exactly as its JSON twin, and
 * refused in one line naming the file, the line and the column.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../src/cli/live-options.js';
import { loadPolicyFile, PolicyError } from '../../src/policy/policy-file.js';
import { isYamlFile } from '../../src/policy/yaml-document.js';
import { REPO } from '../live/live-helpers.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-yaml-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, text);
  return p;
}

/** A JSON value as YAML flow text (YAML 1.2 is a superset of JSON), one top-level key per line. */
function asYaml(doc: Record<string, unknown>): string {
  return Object.entries(doc)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join('\n');
}

describe('YAML policy files', () => {
  it('read as their JSON twin: the sample policy written in YAML block style', async () => {
    const json = await loadPolicyFile(path.join(REPO, 'samples/policy.json'));
    const doc = JSON.parse(await readFile(path.join(REPO, 'samples/policy.json'), 'utf8')) as { apts: Record<string, Record<string, unknown>>; dialogs: { callId: string; fromTag?: string; toTag?: string; apt: string[] }[] };
    const lines = ['# the sample policy', 'apts:'];
    for (const [id, entry] of Object.entries(doc.apts)) {
      lines.push(`  ${JSON.stringify(id)}:`);
      // plain scalars where YAML reads them as the same string; "0" stays quoted (a bare 0 is a number)
      for (const [k, v] of Object.entries(entry)) lines.push(`    ${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : /^\d+$/.test(String(v)) ? JSON.stringify(v) : String(v)}`);
    }
    lines.push('dialogs:');
    for (const d of doc.dialogs) {
      lines.push(`  - callId: "${d.callId}"`);
      if (d.fromTag) lines.push(`    fromTag: "${d.fromTag}"`);
      if (d.toTag) lines.push(`    toTag: "${d.toTag}"`);
      lines.push(`    apt: [${d.apt.join(', ')}]`);
    }
    lines.push('default: null', 'window: 10s');
    const yaml = await loadPolicyFile(await file('policy.yaml', lines.join('\n') + '\n'));
    expect([...yaml.apts]).toEqual([...json.apts]);
    expect(yaml.dialogs).toEqual(json.dialogs);
    expect([yaml.defaultApt, yaml.windowSec]).toEqual([json.defaultApt, json.windowSec]);
    expect(yaml.statementParts().map((p) => p.params)).toEqual(json.statementParts().map((p) => p.params));
  });

  it("keeps a statement's keys it does not know (SPEC §3)", async () => {
    const yaml = await loadPolicyFile(await file('open.yaml', 'apts:\n  a: { export: raw, x-future: [1, 2] }\n'));
    expect(yaml.apts.get('a')).toEqual({ export: 'raw', 'x-future': [1, 2] });
  });

  it('refuses bad YAML and bad values in one line naming the file and where', async () => {
    const cases: [string, string, RegExp][] = [
      ['unclosed.yaml', 'apts:\n  a: {type: domain\n', /unclosed\.yaml: not valid YAML: line 3, column 1: .*/],
      ['dup.yml', 'apts: {}\napts: {}\n', /dup\.yml: not valid YAML: line 2, column 1: Map keys must be unique$/],
      ['maybe.yaml', asYaml({ apts: { a: { type: 'domain', export: 'maybe' } } }), /maybe\.yaml: apts\.a\.export: unknown value .*"maybe"$/],
      ['list.yaml', '- a\n- b\n', /list\.yaml: \(top level\): expected an object: \["a","b"\]$/],
      // unknown keys: refused as in JSON (a statement's own keys excepted)
      ['typo.yaml', 'apts: {}\ndefualt: apt-x\n', /typo\.yaml: defualt: unknown key \(expected one of apts, .*\); did you mean 'default'\?$/],
      ['dialog-typo.yml', 'dialogs:\n  - callId: c1\n    toTg: t\n    apt: [a]\n', /dialog-typo\.yml: dialogs\[0\]\.toTg: unknown key .*did you mean 'toTag'\?$/],
      // an alias bomb: refused, not expanded
      ['bomb.yaml', ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n'), /bomb\.yaml: not valid YAML: .*alias/i],
    ];
    for (const [name, text, message] of cases) {
      const err = await loadPolicyFile(await file(name, text)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(PolicyError);
      expect((err as Error).message, name).toMatch(message);
      expect((err as Error).message, name).not.toContain('\n');
    }
  });

  it('is chosen by the name only', () => {
    expect(['a.yaml', 'b.YML', '/etc/aipref/policy.yml'].map(isYamlFile)).toEqual([true, true, true]);
    expect(['a.json', 'yaml', 'a.yaml.json'].map(isYamlFile)).toEqual([false, false, false]);
  });
});

describe('YAML live config files', () => {
  it('give the same options as the JSON one; flags still win', async () => {
    const values = { hep: '127.0.0.1:9060', out: '/var/lib/aipref', 'batch-ms': 20, quiet: true, window: '30s' };
    const fromJson = await liveOptionsFromArgs(['--config', await file('live.json', JSON.stringify(values)), '--batch-ms', '5']);
    const fromYaml = await liveOptionsFromArgs(['--config', await file('live.yaml', 'hep: 127.0.0.1:9060\nout: /var/lib/aipref\nbatch-ms: 20\nquiet: true\nwindow: 30s\n'), '--batch-ms', '5']);
    expect(fromYaml).toEqual(fromJson);
    expect(fromYaml).toMatchObject({ hep: { host: '127.0.0.1', port: 9060 }, batchMs: 5, quiet: true, windowSec: 30 });
    await expect(liveOptionsFromArgs(['--config', await file('bad.yaml', 'hep: [\n')])).rejects.toThrow(/bad\.yaml: cannot read config file: line 2, column 1: /);
    await expect(liveOptionsFromArgs(['--config', await file('seq.yaml', '- hep\n')])).rejects.toThrow(/seq\.yaml: config file must be a YAML mapping/);
    // a JSON config is as strict as the policy file: a key twice, a syntax error's place
    await expect(liveOptionsFromArgs(['--config', await file('twice.json', '{"hep": "127.0.0.1:9060",\n "hep": "0.0.0.0:9060"}')])).rejects.toThrow(
      /twice\.json: cannot read config file: hep: duplicate key at line 2, column 2 \(first at line 1, column 2\)/,
    );
    await expect(liveOptionsFromArgs(['--config', await file('broken.json', '{"hep": }')])).rejects.toThrow(/broken\.json: cannot read config file: not valid JSON: line 1, column 9: /);
  });
});
