/**
 * How a peer says no to AI preferences (seed §5.1.3): a failure response (the seed's 488)
 * with `Warning: 399 aipref "…"`, or a 403 whose Reason names AI-Integrity-Failure when an
 * APT's integrity could not be verified.
 */
import { splitHeaderList, unquote } from './sip-header-values.js';
import type { SipMessage } from './sip-message.js';

/** One warning-value of a Warning header (RFC 3261 §20.43): `warn-code SP warn-agent SP warn-text`. */
export interface SipWarning {
  code: number;
  agent: string;
  text: string;
}

const WARNING_VALUE = /^(\d{3})\s+(\S+)\s+("(?:[^"\\]|\\.)*")$/;

export function parseWarningHeader(text: string): { warnings: SipWarning[]; errors: string[] } {
  const warnings: SipWarning[] = [];
  const errors: string[] = [];
  for (const item of splitHeaderList(text)) {
    const m = WARNING_VALUE.exec(item);
    if (m) warnings.push({ code: Number(m[1]), agent: m[2]!, text: unquote(m[3]!) });
    else errors.push(item.slice(0, 80));
  }
  return { warnings, errors };
}

/**
 * The `Warning: 399 aipref "…"` of a refusal (seed §5.1.3), or null. The agent may be the
 * pseudonym `aipref` or a host with the text naming aipref.
 */
export function aiPrefRefusalWarning(m: SipMessage): SipWarning | null {
  for (const h of m.headers) {
    if (h.name !== 'warning') continue;
    for (const w of parseWarningHeader(h.value).warnings) {
      if (w.code === 399 && (w.agent.toLowerCase() === 'aipref' || /ai-?pref/i.test(w.text))) return w;
    }
  }
  return null;
}

/**
 * A 403 whose Reason header names AI-Integrity-Failure (seed §5.1.3): the peer could not
 * verify an APT's integrity. Returns the Reason value, or null.
 */
export function aiIntegrityFailureReason(m: SipMessage): string | null {
  if (m.status !== 403) return null;
  for (const h of m.headers) {
    if (h.name !== 'reason') continue;
    for (const v of h.values) if (/ai-integrity-failure/i.test(v)) return v;
  }
  return null;
}
