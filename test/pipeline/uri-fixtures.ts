/**
 * What the tests of live uri= handles share: a handle, a resolver that fails (an unreachable
 * repository, no network needed) until told `up`, and the last statement the shards were sent.
 */
import type { CoreEvent } from '../../src/pipeline/media-core.js';
import { UriResolver, type UriResolution } from '../../src/policy/uri-resolver.js';

export const HANDLE = 'apt-h;uri=<https://prefs.example/apt/h>';

/** Fetches fail while `up` is false; else they serve `params` (a user statement, aggregated-only unless given). */
export class FlakyResolver extends UriResolver {
  fetched: string[] = [];
  constructor(
    public up = false,
    private readonly params: Record<string, unknown> = { type: 'user', export: 'aggregated-only' },
  ) {
    super();
  }

  override resolve(uri: string, prefId: string): Promise<UriResolution> {
    this.fetched.push(uri);
    if (this.up) return Promise.resolve({ status: 'resolved', uri, from: 'network', part: { prefId, source: 'uri-fetched', origin: uri, params: this.params } });
    return Promise.resolve({ status: 'unresolved', uri, reason: 'connect ECONNREFUSED (test)' });
  }
}

/** The last statement of `id` among the events' statements, or undefined. */
export function lastStatement(events: CoreEvent[], id: string) {
  return events.flatMap((e) => (e.kind === 'statements' ? e.statements : [])).filter((s) => s.id === id).pop();
}
