/**
 * The SDP attribute `a=aipref:<scope> <identifier> [<parameter>=<value> ...]` (seed §6.1).
 *
 * Parsed leniently, as written in the wild: a comma-separated list value may have spaces
 * after (or before) its commas — `features=media-metrics, rtcp-xr` is ONE parameter whose
 * value is the list `media-metrics,rtcp-xr` — and values may be quoted-strings. Parameter
 * names are lowercased (RFC 4485 §4.4); values are kept as written, lists re-joined with ','.
 */

import { VERSION_PATTERN } from './ai-pref-header.js';

export type AiPrefScopeKind = 'session' | 'group' | 'mid';

export interface SdpAiPref {
  scope: AiPrefScopeKind;
  id: string;
  params: Record<string, string>;
  /** 1-based line number in the SDP text */
  line: number;
  /** index of the m-section the attribute sits in, or null at session level */
  mediaIndex: number | null;
  /** the line broke its grammar after the identifier: what it said cannot be read (the identifier counts as unresolved) */
  garbled?: true;
  /** (garbled too) not a line: what the lines the capture's snap length cut off said (CUT_SDP_ID) */
  cut?: true;
}

/**
 * The identifier standing, at session level, for what the lines of an SDP the capture's snap
 * length cut off said: unresolved, the most restrictive statement (SPEC §3). Not a token, so no
 * identifier signaling or a policy file names can be it.
 */
export const CUT_SDP_ID = "(lines cut by the capture's snap length)";

export type SdpAiPrefErrorReason = 'missing-scope' | 'unknown-scope' | 'missing-identifier' | 'unterminated-quoted-string' | 'bad-param';

export type AiPrefAttributeResult =
  | { ok: true; scope: AiPrefScopeKind; id: string; params: Record<string, string> }
  | {
      ok: false;
      reason: SdpAiPrefErrorReason;
      detail: string;
      /**
       * Scope and identifier, where both were read before the break: the identifier is kept for
       * its scope, marked garbled (SPEC §3: what cannot be resolved is the most restrictive
       * statement), so a garbled line is not taken for no preference, nor for a removal.
       */
      kept?: { scope: AiPrefScopeKind; id: string };
      /**
       * unknown-scope: the identifier after the unknown scope, where one was read — placed by the
       * SDP reader at the level the line stands (SPEC §3: the most restrictive there), not dropped
       */
      unplacedId?: string;
    };

const SCOPES: ReadonlySet<string> = new Set(['session', 'group', 'mid']);
/**
 * Parameters the enforcer reads (the statement keys of SPEC §3, the binding ones, a signed
 * value's token). One given twice breaks the line, as in the AI-Pref header: keeping either copy
 * of `export=none export=raw` could relax the other, so the identifier counts as unresolved.
 */
const READ_PARAMS: ReadonlySet<string> = new Set(['export', 'features', 'retention', 'type', 'version', 'policy', 'uri', 'integrity', 'token', 'mid']);

/** Parses the attribute value (the text after `a=aipref:`). */
export function parseAiPrefAttribute(value: string): AiPrefAttributeResult {
  const words = new WordReader(value);
  const scope = words.next();
  if (scope === null) return { ok: false, reason: 'missing-scope', detail: '' };
  if (scope instanceof Unterminated) return { ok: false, reason: 'unterminated-quoted-string', detail: value.slice(0, 60) };
  const scopeLower = scope.text.toLowerCase();
  if (!SCOPES.has(scopeLower)) {
    const unplaced = words.next();
    const readable = unplaced !== null && !(unplaced instanceof Unterminated);
    return { ok: false, reason: 'unknown-scope', detail: scope.text.slice(0, 40), ...(readable ? { unplacedId: unplaced.text } : {}) };
  }
  const id = words.next();
  if (id === null) return { ok: false, reason: 'missing-identifier', detail: '' };
  if (id instanceof Unterminated) return { ok: false, reason: 'unterminated-quoted-string', detail: value.slice(0, 60) };

  const kept = { scope: scopeLower as AiPrefScopeKind, id: id.text };
  const params: Record<string, string> = {};
  for (;;) {
    const word = words.next();
    if (word === null) break;
    if (word instanceof Unterminated) return { ok: false, reason: 'unterminated-quoted-string', detail: value.slice(0, 60), kept };
    const eq = word.quoted ? -1 : word.text.indexOf('=');
    if (eq === 0) return { ok: false, reason: 'bad-param', detail: word.text.slice(0, 40), kept };
    if (eq < 0) {
      // a bare word is a flag; unknown flags are kept like unknown parameters
      const flag = word.text.toLowerCase();
      if (READ_PARAMS.has(flag) && flag in params) return { ok: false, reason: 'bad-param', detail: `${flag} given twice`, kept };
      // an unknown parameter given twice keeps its first value, as the AI-Pref header does
      if (!Object.hasOwn(params, flag)) params[flag] = '';
      continue;
    }
    const name = word.text.slice(0, eq).toLowerCase();
    if (READ_PARAMS.has(name) && name in params) return { ok: false, reason: 'bad-param', detail: `${name} given twice`, kept };
    const items: string[] = [];
    let rest = word.text.slice(eq + 1);
    if (rest === '' && words.peekQuoted()) {
      const quoted = words.next();
      if (quoted === null || quoted instanceof Unterminated) return { ok: false, reason: 'unterminated-quoted-string', detail: value.slice(0, 60), kept };
      rest = quoted.text;
      items.push(rest);
    } else {
      items.push(...(word.quotedTail ? [rest] : splitList(rest)));
    }
    // the list goes on while an item ends with ',' or the next word starts with one
    while (rest.endsWith(',') || words.peekComma()) {
      const mark = words.position;
      const more = words.next();
      if (more === null || more instanceof Unterminated) break;
      const afterCommas = more.quoted ? '' : more.text.replace(/^,+/, '');
      if (afterCommas.includes('=') && !afterCommas.startsWith('=')) {
        // "a, retention=24h" or "a ,retention=24h": a dangling comma, and the next word is a
        // parameter of its own (read from after its commas)
        words.position = mark;
        words.skipCommas();
        break;
      }
      rest = more.text;
      items.push(...(more.quoted || more.quotedTail ? [more.text] : splitList(more.text)));
    }
    const joined = items.join(',');
    // a version is 1*DIGIT (seed 000 §5.1) on every carrier: anything else breaks the line, as
    // it breaks an AI-Pref value (read as absent, the rest of the line relaxed what the header refuses)
    if (name === 'version' && !VERSION_PATTERN.test(joined)) return { ok: false, reason: 'bad-param', detail: 'bad version', kept };
    // an unknown parameter given twice keeps its first value, as the AI-Pref header does
    if (!Object.hasOwn(params, name)) params[name] = joined;
  }
  return { ok: true, scope: scopeLower as AiPrefScopeKind, id: id.text, params };
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

class Unterminated {}

const PLAIN_RUN = /[^ \t"]+/y;

interface Word {
  text: string;
  /** the whole word was a quoted-string */
  quoted: boolean;
  /** a quoted-string was glued to the word (`name="a b"`): its commas are not list separators */
  quotedTail: boolean;
}

/** Whitespace-separated words; a word may be (or end in) a quoted-string with spaces inside. */
class WordReader {
  position = 0;
  constructor(private readonly text: string) {}

  private skipSpace(): void {
    while (this.position < this.text.length && (this.text[this.position] === ' ' || this.text[this.position] === '\t')) this.position++;
  }

  /** Past the spaces and commas where the reader stands. */
  skipCommas(): void {
    while (this.position < this.text.length && (this.text[this.position] === ' ' || this.text[this.position] === '\t' || this.text[this.position] === ',')) this.position++;
  }

  peekComma(): boolean {
    this.skipSpace();
    return this.text[this.position] === ',';
  }

  peekQuoted(): boolean {
    this.skipSpace();
    return this.text[this.position] === '"';
  }

  next(): Word | Unterminated | null {
    this.skipSpace();
    if (this.position >= this.text.length) return null;
    if (this.text[this.position] === '"') {
      const close = this.closingQuote(this.position);
      if (close < 0) return new Unterminated();
      const text = this.text.slice(this.position + 1, close).replace(/\\(.)/g, '$1');
      this.position = close + 1;
      return { text, quoted: true, quotedTail: false };
    }
    let out = '';
    let quotedTail = false;
    while (this.position < this.text.length && this.text[this.position] !== ' ' && this.text[this.position] !== '\t') {
      const plain = this.plainRunEnd(this.position);
      if (plain > this.position) {
        out += this.text.slice(this.position, plain);
        this.position = plain;
        continue;
      }
      if (this.text[this.position] === '"') {
        // name="quoted value with spaces"
        const close = this.closingQuote(this.position);
        if (close < 0) return new Unterminated();
        out += this.text.slice(this.position + 1, close).replace(/\\(.)/g, '$1');
        this.position = close + 1;
        quotedTail = true;
        continue;
      }
      out += this.text[this.position];
      this.position++;
    }
    return { text: out, quoted: false, quotedTail };
  }

  /** End of the run of characters from `from` that are neither space, tab nor '"'. */
  private plainRunEnd(from: number): number {
    PLAIN_RUN.lastIndex = from;
    return PLAIN_RUN.test(this.text) ? PLAIN_RUN.lastIndex : from;
  }

  private closingQuote(open: number): number {
    for (let i = open + 1; i < this.text.length; i++) {
      if (this.text[i] === '\\') i++;
      else if (this.text[i] === '"') return i;
    }
    return -1;
  }
}
