/**
 * Every APT identifier the generator may put in a capture, with the statement it stands for.
 * One table feeds both the inline `a=aipref` parameters and `samples/policy.json`, so the two
 * never disagree (a disagreement would be `inconsistent-signaling`, which the generator does
 * not mean to produce).
 */

export type AptType = 'user' | 'domain' | 'regulatory';
export type AptExport = 'none' | 'aggregated-only' | 'raw';
export type AptFeature = 'media-metrics' | 'rtcp-xr' | 'feedback' | 'sdes' | 'app';

export interface AptStatement {
  type: AptType;
  export: AptExport;
  retention: string;
  features?: AptFeature[];
}

/** Where the generator uses an identifier: which signaling slot it is drawn for. */
export type AptRole = 'session' | 'group' | 'audio' | 'video' | 'dialog' | 'sdes-priv' | 'repository';

export interface CatalogEntry {
  id: string;
  role: AptRole;
  statement: AptStatement;
}

export const APT_CATALOG: readonly CatalogEntry[] = [
  { id: 'apt-dom-1', role: 'session', statement: { type: 'domain', export: 'aggregated-only', retention: '24h', features: ['media-metrics', 'rtcp-xr'] } },
  { id: 'apt-dom-2', role: 'session', statement: { type: 'domain', export: 'raw', retention: '7d' } },
  { id: 'apt-dom-3', role: 'session', statement: { type: 'domain', export: 'aggregated-only', retention: '15m', features: ['media-metrics', 'feedback'] } },
  { id: 'apt-reg-eu', role: 'session', statement: { type: 'regulatory', export: 'aggregated-only', retention: '24h' } },
  { id: 'apt-grp-1', role: 'group', statement: { type: 'domain', export: 'aggregated-only', retention: '24h', features: ['media-metrics', 'rtcp-xr', 'feedback'] } },
  { id: 'apt-grp-2', role: 'group', statement: { type: 'domain', export: 'raw', retention: '90s', features: ['media-metrics'] } },
  { id: 'apt-user-1', role: 'audio', statement: { type: 'user', export: 'raw', retention: '90s', features: ['media-metrics', 'rtcp-xr'] } },
  { id: 'apt-user-2', role: 'audio', statement: { type: 'user', export: 'aggregated-only', retention: '15m', features: ['media-metrics', 'rtcp-xr'] } },
  { id: 'apt-user-3', role: 'audio', statement: { type: 'user', export: 'none', retention: '0' } },
  { id: 'apt-video-1', role: 'video', statement: { type: 'user', export: 'none', retention: '0' } },
  { id: 'apt-video-2', role: 'video', statement: { type: 'user', export: 'aggregated-only', retention: '24h', features: ['media-metrics', 'feedback'] } },
  { id: 'apt-video-3', role: 'video', statement: { type: 'domain', export: 'raw', retention: '15m', features: ['media-metrics', 'feedback', 'rtcp-xr'] } },
  { id: 'urn:example:apt:call-1', role: 'dialog', statement: { type: 'user', export: 'aggregated-only', retention: '24h' } },
  { id: 'urn:example:apt:call-2', role: 'dialog', statement: { type: 'user', export: 'raw', retention: '15m', features: ['media-metrics'] } },
  { id: 'urn:example:apt:call-3', role: 'dialog', statement: { type: 'user', export: 'none', retention: '0' } },
  { id: 'urn:example:apt:call-4', role: 'dialog', statement: { type: 'domain', export: 'aggregated-only', retention: '7d', features: ['media-metrics', 'rtcp-xr'] } },
  { id: 'urn:example:apt:call-5', role: 'dialog', statement: { type: 'user', export: 'raw', retention: '90s' } },
  { id: 'urn:example:apt:call-6', role: 'dialog', statement: { type: 'regulatory', export: 'aggregated-only', retention: '24h' } },
  { id: 'apt-priv-1', role: 'sdes-priv', statement: { type: 'user', export: 'aggregated-only', retention: '15m', features: ['media-metrics'] } },
  { id: 'apt-priv-2', role: 'sdes-priv', statement: { type: 'domain', export: 'raw', retention: '24h', features: ['media-metrics', 'rtcp-xr', 'feedback'] } },
  { id: 'apt-repo-1', role: 'repository', statement: { type: 'regulatory', export: 'aggregated-only', retention: '24h', features: ['media-metrics'] } },
];

export function catalogIds(role: AptRole): string[] {
  return APT_CATALOG.filter((e) => e.role === role).map((e) => e.id);
}

export function catalogStatement(id: string): AptStatement {
  const entry = APT_CATALOG.find((e) => e.id === id);
  if (!entry) throw new RangeError(`APT identifier not in the catalog: ${id}`);
  return entry.statement;
}
