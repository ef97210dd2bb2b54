/**
 * Found by a review of the uri= address check, fixed since: --uri-allow takes host names label by label: no wildcard, leading dot or empty label (src/policy/uri-resolver.ts uriAllowHost).
 */
/**
 * Input: `live --udp 127.0.0.1:0 --uri-allow '*.corp.example'` (or `.corp.example`, the NO_PROXY spelling of "every
 *   name under corp.example"), meaning the private repositories under corp.example.
 * Was: accepted (uriAllowHost gives '*.corp.example' / '.corp.example': the URL parser takes '*' and a leading dot as
 *   host characters), so the service starts and every handle on repo.corp.example is refused as internal — the
 *   operator learns only from unresolved-apt reports that the entry matches nothing but a host literally named
 *   '*.corp.example'.
 * Correct: bad usage at start, in one line naming the flag ("takes host names or IP addresses … no wildcards: name
 *   each host"), like a port, a scheme or a CIDR range (10.0.0.0/8) already are: the entry can never be what the
 *   operator meant, and the flag's contract is exact hosts.
 * Fix: src/policy/uri-resolver.ts uriAllowHost (or src/cli/live-options.ts hostList): return null for a host with
 *   '*', a leading dot or an empty label ('repo..internal'); the usage text may say that there are no wildcards.
 */
import { describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { uriAllowHost } from '../../../src/policy/uri-resolver.js';

describe('--uri-allow entries that can only be meant as patterns', () => {
  it.each(['*.corp.example', '.corp.example', '*', 'repo..corp.example'])('uriAllowHost(%j) is null', (text) => {
    expect(uriAllowHost(text)).toBeNull();
  });

  it.each(['*.corp.example', '.corp.example', 'repo.example,*.corp.example'])('--uri-allow %j is bad usage naming the flag', async (value) => {
    const err = await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--uri-allow', value]).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.name).toBe('UsageError');
    expect(err?.message).toMatch(/^--uri-allow takes host names or IP addresses/);
  });
});
