/**
 * What the policy stage noticed while building statements: the caller turns these into
 * reports (SPEC §6) with the frame and dialog it knows. Findings name APT identifiers, keys
 * and policy values only — never telemetry or SDES text.
 */

/**
 * Where a part of a statement came from (SPEC §3: header, SDP, body, policy file; plus a
 * verified JWS and, live, the statement fetched for a `uri=` handle — `uri-fetched`: the caller
 * chose the address, so it is no better than an unsigned part. Offline, a handle resolves only
 * through the policy file, and that part is `policy-file`).
 */
export type PartSource = 'ai-pref-header' | 'sdp-aipref' | 'body' | 'policy-file' | 'uri-fetched' | 'jws';

export type FindingType =
  /** two parts of one pref-id disagree on a key (the most restrictive value was kept) */
  | 'inconsistent-signaling'
  /** a known key carried a value outside the vocabulary (the key was read as most restrictive) */
  | 'unknown-value'
  /** a newer `version` of a pref-id replaced the older statement */
  | 'version-replaced'
  /** a part carried an older `version` than the one held, and was ignored */
  | 'stale-version'
  | 'unresolved-apt'
  | 'integrity-failure';

export interface FindingValue {
  value: unknown;
  source: PartSource;
  origin?: string;
}

export interface PolicyFinding {
  type: FindingType;
  apt: string;
  key?: string;
  values?: FindingValue[];
  detail: string;
}
