/**
 * Found by a review of this session's fixes (round 20), fixed since: a number for a text option in the config file is bad usage naming the file and key; numbers only for counts and durations, safe integers (src/cli/live-options.ts).
 *
 * Input: live's config file with a text option written as a number: YAML `hep-auth-key: 0123`
 *   (or `token: 1e3`), JSON `"hep-auth-key": 12345678901234567890`; with `hep: 127.0.0.1:9060`.
 * Was (observed): accepted, and the key is not what the file says: readConfig takes any number
 *   for a string option and makes it `String(value)` — YAML's core schema reads 0123 as the
 *   integer 123 and 1e3 as 1000, JSON's 12345678901234567890 becomes "12345678901234567000". The
 *   HEP listener then refuses every frame of the relay (its key is "0123"), the AI service every
 *   request (wrong token), with nothing pointing at the config file.
 * Correct: README Live: "a value of the wrong type … is bad usage, exit 2"; a config value is the
 *   flag's value as written (`--hep-auth-key 0123` gives "0123"). A number for an option that is
 *   text (an auth key, a token, an interface, a filter, a path) is either refused ("quote it") or
 *   taken as written — never silently changed. (A number for a numeric option — rotate-bytes,
 *   workers — is fine as it is; 1e400 there is refused already.)
 * Fix: src/cli/live-options.ts readConfig: accept a number only for the numeric options (and only
 *   when String(value) round-trips, Number.isSafeInteger), and refuse it elsewhere as a wrong type;
 *   or keep YAML scalars' source text (parseDocument … toJS with the scalar's `source`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UsageError } from '../../../src/cli/usage.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20fix-cfgnum-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** 'ok' when the value is refused as bad usage or kept as written; else what was made of it. */
async function outcome(file: string, text: string, written: string, pick: (o: Awaited<ReturnType<typeof liveOptionsFromArgs>>) => string | undefined): Promise<string> {
  const at = path.join(dir, file);
  await writeFile(at, text);
  try {
    const o = await liveOptionsFromArgs(['--config', at]);
    const got = pick(o);
    return got === written ? 'ok' : `accepted as ${JSON.stringify(got)}`;
  } catch (err) {
    return err instanceof UsageError ? 'ok' : String(err);
  }
}

it('YAML hep-auth-key: 0123 — refused or "0123"', async () => {
  expect(await outcome('a.yaml', 'hep: 127.0.0.1:9060\nhep-auth-key: 0123\n', '0123', (o) => o.hepAuthKey)).toBe('ok');
});

it('YAML token: 1e3 — refused or "1e3"', async () => {
  expect(await outcome('b.yaml', 'hep: 127.0.0.1:9060\nto: https://ai.example/in\nspool: /nonexistent/spool\ntoken: 1e3\n', '1e3', (o) => o.aiService?.token)).toBe('ok');
});

it('JSON "hep-auth-key": 12345678901234567890 — refused or kept whole', async () => {
  expect(await outcome('c.json', '{"hep": "127.0.0.1:9060", "hep-auth-key": 12345678901234567890}', '12345678901234567890', (o) => o.hepAuthKey)).toBe('ok');
});
