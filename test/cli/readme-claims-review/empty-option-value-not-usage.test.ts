/**
 * Found by a review of the README's claims, fixed since: an empty value of any option of replay, inspect and bindings is bad usage, exit 2 naming the option, as live's already was (src/cli/args.ts refuseEmptyValues, shared with live-options.ts).
 */
/**
 * Input: an empty option value, what `--policy "$POLICY"` gives when the variable is unset:
 *   `aipref-enforcer replay samples/call-small.pcap --policy '' --out <tmp>`
 *   `aipref-enforcer bindings samples/call-small.pcap --policy=`
 *   `aipref-enforcer replay samples/call-small.pcap --to hep://127.0.0.1:9 --hep-auth-key=`
 *
 * Was (observed): replay and bindings `--policy ''`: exit 1, stderr
 *   "aipref-enforcer replay: : cannot read policy file: ENOENT: no such file or directory, open ''"
 * (the file named as the empty string, blamed as bad input). `replay --to hep://… --hep-auth-key=`:
 * exit 0, `{"sent":440,"skipped":0}` — every frame sent with an empty auth-key chunk, which a
 * listener with a key refuses, nothing said.
 *
 * Correct: README "Exit codes" (line 172-173): "2 bad usage (an empty capture name or option value
 * among them: `--policy "$UNSET"`; …)" — exit 2, one line naming the option. `live` already does
 * exactly this for every option (src/cli/live-options.ts: "--policy needs a value, not an empty
 * one"), and replay does it for `--out ''`, `--window ''`, `--workers ''`; the README's own
 * example, `--policy "$UNSET"`, is the one replay and bindings get wrong.
 *
 * Fix: code, not the README: src/cli/args.ts parseCommandArgs — after parseArgs, refuse any string
 * option whose value is '' (`throw new UsageError(`--${name} needs a value, not an empty one`)`),
 * as live-options.ts optionsFrom does; that covers replay (incl. --to/--speed/--udp-mode/
 * --hep-auth-key), bindings and inspect at once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli, SMALL_PCAP, Workspace } from '../../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('README "Exit codes": an empty option value is bad usage (exit 2)', () => {
  it("replay --policy '' (the README's own example, --policy \"$UNSET\")", async () => {
    const r = await cli('replay', SMALL_PCAP, '--policy', '', '--out', await ws.file('out-policy'));
    expect(r.stderr).toContain('--policy');
    expect(r.code).toBe(2);
  });

  it('bindings --policy=', async () => {
    const r = await cli('bindings', SMALL_PCAP, '--policy=');
    expect(r.stderr).toContain('--policy');
    expect(r.code).toBe(2);
  });

  it('replay --to hep://… --hep-auth-key= (nothing is sent with an empty key)', async () => {
    const r = await cli('replay', SMALL_PCAP, '--to', 'hep://127.0.0.1:9', '--speed', '0', '--hep-auth-key=');
    expect(r.stdout).not.toContain('"sent"');
    expect(r.stderr).toContain('--hep-auth-key');
    expect(r.code).toBe(2);
  });
});
