/**
 * What the policy stage noticed while building statements: the caller turns these into
 * reports (SPEC §6) with the frame and dialog it knows. Findings name APT identifiers, keys
 * and policy values only — never telemetry or SDES text.
 */

/** Where a part of a statement came from (SPEC §3: header, SDP, body, policy file; plus uri/jws). */
export type PartSource = 'ai-pref-header' | 'sdp-aipref' | 'body' | 'policy-file' | 'uri' | 'jws';

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
