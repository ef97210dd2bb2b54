/**
 * Input: `live --nats enf:2024,Summer@127.0.0.1:<closed port>` — one server written without a scheme
 *   (README: `user:pass@host:port` is taken), whose password `2024,Summer` holds a ',' written as is,
 *   its first piece digits only (a year, a PIN); likewise `en,f:2024@127.0.0.1:<p>` (a ',' in the user
 *   name). (The same written `nats://enf:2024,Summer@…` is refused since 412db87, exit 2, nothing shown.)
 * Was (observed): exit 1, `aipref-enforcer live: --nats enf:2024,127.0.0.1:<p>: cannot connect:
 *   getaddrinfo ENOTFOUND enf` — the user name and the first piece of the password on stderr (collected
 *   logs), and again inside the client's reason. natsServerList splits at ',' into `enf:2024` (a bare
 *   host:port: host `enf`, port 2024) and `Summer@127.0.0.1:<p>` (token `Summer`); 412db87's rule
 *   refuses an entry with userinfo and no scheme only after an entry WITH a scheme and no userinfo
 *   (`schemedBare`), so the scheme-less split escapes it, and the failure line shows `enf:2024` as a
 *   server. With a server that asks no credentials, live even starts, dialling host `enf` for ever.
 * Correct: nothing of the password shown, as for the same value written with nats://: exit 2, the
 *   entry said by its number (live-options' contract for --nats: "said by its number, never shown";
 *   the very case 412db87 meant to close — a scheme-less value is the README's own form). An operator
 *   writing a list without schemes and credentials on a later entry (`a:4222,u:p@b:4222`) is rarer than
 *   a split password, and can write the credentials on the first entry or with a scheme.
 * Fix: src/cli/live-options.ts natsServerList: apply the rule to scheme-less entries too — an entry
 *   with userinfo and no scheme right after an entry with no userinfo (schemed or not; digit-only
 *   entries between skipped) is refused by its number: e.g. `schemedBare = !userinfo || (schemedBare
 *   && /^\d+$/.test(server))`, the refusal text saying to write the credentials on the first entry
 *   (or with the entry's scheme) if it really is a server of its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../../live/live-helpers.js';
import { freeTcpPort } from '../nats-server-process.js';

const out = mkdtempSync(path.join(tmpdir(), 'r23-split-pw-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function live(nats: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin/aipref-enforcer.js'), 'live', '--udp', '127.0.0.1:0', '--out', out, '--nats', nats], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('a scheme-less --nats value whose password (or user) holds a raw comma', () => {
  it('enf:2024,Summer@127.0.0.1:<p>: refused by number (exit 2), no piece of the password shown', async () => {
    let port = await freeTcpPort();
    while (String(port).includes("2024")) port = await freeTcpPort();
    const { status, stderr } = live(`enf:2024,Summer@127.0.0.1:${port}`);
    const plain = stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{')).join('\n');
    // (the user as a word: every line starts with the program's name, aipref-enforcer)
    expect(plain, 'the password piece 2024 (and the user) shown').not.toMatch(/\benf\b|2024/);
    expect(plain).not.toContain('Summer');
    expect(status, plain).toBe(2);
  });

  it('en,f:2024@127.0.0.1:<p> (a comma in the user name): refused by number, no piece shown', async () => {
    let port = await freeTcpPort();
    while (String(port).includes("2024")) port = await freeTcpPort();
    const { status, stderr } = live(`en,f:2024@127.0.0.1:${port}`);
    const plain = stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{')).join('\n');
    expect(plain).not.toMatch(/--nats en\b|ENOTFOUND en\b|2024/);
    expect(status, plain).toBe(2);
  });
});
