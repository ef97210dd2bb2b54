/**
 * APT statements carried in SIP bodies (seed §5.2): `application/aipref+json` and
 * `application/aipref+cbor` parts, referenced by Content-ID — an AI-Pref value points at
 * its part with `uri=<cid:...>` (RFC 2392). JSON is parsed here; CBOR stays bytes for the
 * policy stage. What the statements mean is not this module's business.
 */
import type { AiPrefValue } from './ai-pref-header.js';
import { aiPrefBodyParts, type SipMessage } from './sip-message.js';

export interface AiPrefBody {
  contentType: 'application/aipref+json' | 'application/aipref+cbor';
  contentId: string | null;
  /** the parsed JSON document, for +json parts that parse */
  json?: unknown;
  /** the raw part, for +cbor parts */
  bytes?: Uint8Array;
  /** pref-ids of the message's AI-Pref values whose uri is cid:<this part's Content-ID> */
  referencedBy: string[];
}

export interface AiPrefBodyError {
  reason: 'bad-json';
  contentId: string | null;
  detail: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function readAiPrefBodies(m: SipMessage, values: readonly AiPrefValue[]): { bodies: AiPrefBody[]; errors: AiPrefBodyError[] } {
  const bodies: AiPrefBody[] = [];
  const errors: AiPrefBodyError[] = [];
  for (const part of aiPrefBodyParts(m)) {
    const referencedBy = part.contentId === null ? [] : values.filter((v) => cidOf(v.uri) === part.contentId).map((v) => v.id);
    if (part.contentType === 'application/aipref+cbor') {
      bodies.push({ contentType: 'application/aipref+cbor', contentId: part.contentId, bytes: part.bytes, referencedBy });
      continue;
    }
    try {
      const json: unknown = JSON.parse(utf8.decode(part.bytes));
      bodies.push({ contentType: 'application/aipref+json', contentId: part.contentId, json, referencedBy });
    } catch (err) {
      errors.push({ reason: 'bad-json', contentId: part.contentId, detail: (err as Error).message.slice(0, 80) });
    }
  }
  return { bodies, errors };
}

/** The Content-ID a `cid:` URL names (RFC 2392: percent-encoded addr-spec), or null. */
function cidOf(uri: string | null): string | null {
  if (uri === null || uri.slice(0, 4).toLowerCase() !== 'cid:') return null;
  try {
    return decodeURIComponent(uri.slice(4));
  } catch {
    return uri.slice(4);
  }
}
