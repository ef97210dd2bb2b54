/**
 * APT statements carried in SIP bodies (seed §5.2): `application/aipref+json` and
 * `application/aipref+cbor` parts, referenced by Content-ID — an AI-Pref value points at
 * its part with `uri=<cid:...>` (RFC 2392). Both forms are decoded here, once, into the same
 * data model (JSON's); a part that does not decode is an error for the tracker to report.
 * What the statements mean is not this module's business.
 */
import { decodeAiPrefCbor, MAX_CBOR_DEPTH } from './aipref-cbor.js';
import type { AiPrefValue } from './ai-pref-header.js';
import { aiPrefBodyParts, type SipMessage } from './sip-message.js';
import { scanJson, wellFormedText } from '../policy/json-text.js';
import { setOwn } from '../policy/own-property.js';

export type AiPrefMediaType = 'application/aipref+json' | 'application/aipref+cbor';

export interface AiPrefBody {
  contentType: AiPrefMediaType;
  contentId: string | null;
  /** the decoded document: what JSON.parse makes of a +json part, the same data model for +cbor */
  document: unknown;
  /** pref-ids of the message's AI-Pref values whose uri is cid:<this part's Content-ID> */
  referencedBy: string[];
}

export interface AiPrefBodyError {
  reason: 'bad-json' | 'bad-cbor';
  contentId: string | null;
  /** byte offset in the part where CBOR decoding failed; 0 for JSON, whose parser says where in its own words, if at all */
  offset: number;
  /** the report's text: media type, part, what was wrong */
  detail: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function readAiPrefBodies(m: SipMessage, values: readonly AiPrefValue[]): { bodies: AiPrefBody[]; errors: AiPrefBodyError[] } {
  const bodies: AiPrefBody[] = [];
  const errors: AiPrefBodyError[] = [];
  for (const part of aiPrefBodyParts(m)) {
    const contentType = part.contentType as AiPrefMediaType;
    const { contentId } = part;
    const referencedBy = contentId === null ? [] : [...new Set(values.filter((v) => cidOf(v.uri) === contentId).map((v) => v.id))];
    const name = `${contentType} part ${contentId === null ? '(no Content-ID)' : `<${contentId}>`}`;
    if (contentType === 'application/aipref+cbor') {
      const r = decodeAiPrefCbor(part.bytes);
      if (r.ok) bodies.push({ contentType, contentId, document: r.value, referencedBy });
      else errors.push({ reason: 'bad-cbor', contentId, offset: r.offset, detail: `${name} is not CBOR that JSON could express: at byte ${r.offset}: ${r.reason}` });
      continue;
    }
    let document: unknown;
    const text = utf8.decode(part.bytes);
    try {
      document = JSON.parse(text);
    } catch {
      // where, not V8's message: it quotes the text around the fault (a statement's own words)
      const where = scanJson(text).syntaxError;
      errors.push({ reason: 'bad-json', contentId, offset: 0, detail: `${name} is not JSON${where === null ? '' : ` (at line ${where.line}, column ${where.column})`}` });
      continue;
    }
    // a key given twice is refused, as a CBOR part's is (JSON.parse keeps the last, silently:
    // `"export":"none","export":"raw"` was read as raw)
    const { duplicate } = scanJson(text);
    if (duplicate !== null) {
      errors.push({ reason: 'bad-json', contentId, offset: 0, detail: `${name} gives a key twice: ${duplicate.path.slice(0, 80)} at line ${duplicate.line}, column ${duplicate.column}` });
      continue;
    }
    // as deep as a CBOR body may be: thousands of levels (16 kB of brackets) overflowed the
    // stack of whatever walked the document next (its statements' keys, their JSON text)
    if (deeperThan(document, MAX_CBOR_DEPTH)) {
      errors.push({ reason: 'bad-json', contentId, offset: 0, detail: `${name} is nested deeper than ${MAX_CBOR_DEPTH} levels` });
      continue;
    }
    bodies.push({ contentType, contentId, document: wellFormed(document), referencedBy });
  }
  // A Content-ID one of whose parts could not be read names no statement that can be known: its
  // readable siblings are not taken either (a value naming it is unresolved, SPEC §3 — the cut
  // part might have said export=none)
  const unreadable = new Set<string>();
  for (const e of errors) if (e.contentId !== null) unreadable.add(e.contentId);
  if (unreadable.size === 0) return { bodies, errors };
  const taken: AiPrefBody[] = [];
  for (const body of bodies) {
    if (body.contentId === null || !unreadable.has(body.contentId)) taken.push(body);
    else errors.push({ reason: body.contentType === 'application/aipref+cbor' ? 'bad-cbor' : 'bad-json', contentId: body.contentId, offset: 0, detail: `${body.contentType} part <${body.contentId}> is not taken: another part with its Content-ID could not be read` });
  }
  return { bodies: taken, errors };
}

/**
 * The document with every string, keys too, well formed: a JSON escape can name half a
 * character (`"\ud800"`), which UTF-8 cannot carry, and a statement's unknown keys are passed
 * through to every output (its extensions). The half is U+FFFD, as an undecodable byte is. Called
 * on a document no deeper than MAX_CBOR_DEPTH.
 */
function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return wellFormedText(value);
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  // (a `__proto__` key stays an own property, as JSON.parse made it)
  for (const [k, v] of Object.entries(value)) setOwn(out, wellFormedText(k), wellFormed(v));
  return out;
}

/** Whether a parsed JSON value nests arrays or objects more than `limit` levels deep (walked without recursion). */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The Content-ID a `cid:` URL names (RFC 2392: percent-encoded addr-spec), or null. */
export function cidOf(uri: string | null): string | null {
  if (uri === null || uri.slice(0, 4).toLowerCase() !== 'cid:') return null;
  try {
    return decodeURIComponent(uri.slice(4));
  } catch {
    return uri.slice(4);
  }
}
