import { microseconds } from '../enforce/records.js';
import { wellFormedText } from '../policy/json-text.js';

/**
 * Reports (SPEC §6): what the enforcer tells the operator besides exports. A report names APT
 * identifiers and Call-IDs, never SDES text or telemetry values (§8 Logging).
 */

export type ReportType =
  | 'scope-removed'
  | 'scope-transitioned'
  | 'binding-conflict'
  | 'integrity-failure'
  | 'unresolved-apt'
  | 'inconsistent-signaling'
  | 'implicit-binding'
  | 'unbound-stream'
  | 'malformed-input'
  | 'state-limit'
  /** SRTCP on a secure RTP profile (or SDES keys the answer accepted) that no key decrypts: its telemetry cannot be read (once per stream) */
  | 'encrypted-rtcp';

export interface DialogRef {
  callId: string;
  fromTag: string;
  toTag: string;
}

/** One line of reports.ndjson (SPEC §8): `{type, ts, frame, dialog, mid?, ssrc?, apt?, fallback?, detail?}`. */
export interface Report {
  type: ReportType;
  ts: number;
  frame: number;
  dialog: DialogRef | null;
  mid?: string;
  ssrc?: number;
  apt?: string[];
  fallback?: string[];
  detail?: string;
}

/**
 * One line of reports.ndjson: the report with its time kept to the microsecond (SPEC §8), every
 * string in it well formed (RFC 8259 §8.2, I-JSON): wire text cut to a length for a detail may end
 * between the two halves of a character, and an escaped JSON body can name a lone surrogate; the
 * half left is U+FFFD, as an undecodable byte is.
 */
export function reportJson(r: Report): string {
  return JSON.stringify({ ...r, ts: microseconds(r.ts) }, wellFormed);
}

/** JSON.stringify's replacer: strings with lone surrogates replaced. */
function wellFormed(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? wellFormedText(value) : value;
}

/** Collects reports in the order they were made and counts them by type for the summary. */
export class ReportLog {
  readonly reports: Report[] = [];
  readonly counts: Partial<Record<ReportType, number>> = {};

  add(report: Report): void {
    this.reports.push(report);
    this.counts[report.type] = (this.counts[report.type] ?? 0) + 1;
  }

  /** Hands over what was collected since the last call (for streaming writers). */
  drain(): Report[] {
    return this.reports.splice(0, this.reports.length);
  }
}
