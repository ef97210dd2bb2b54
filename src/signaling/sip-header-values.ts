/**
 * Reading SIP header values: splitting comma lists and picking header parameters (tag,
 * branch, boundary). Commas and semicolons inside quoted strings and <...> URIs are not
 * separators (RFC 3261 §7.3.1, §25.1).
 */

/** Splits a header value at top-level commas; empty items (",,") are dropped. */
export function splitHeaderList(value: string): string[] {
  const out: string[] = [];
  if (value.indexOf('"') < 0 && value.indexOf('<') < 0) {
    // no quoted string and no URI: every comma separates
    for (const item of value.split(',')) pushTrimmed(out, item);
    return out;
  }
  let start = 0;
  let inQuotes = false;
  let angle = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuotes) {
      if (c === 0x5c) i++; // quoted-pair: the next character is literal
      else if (c === 0x22) inQuotes = false;
    } else if (c === 0x22) inQuotes = true;
    else if (c === 0x3c) angle++;
    else if (c === 0x3e && angle > 0) angle--;
    else if (c === 0x2c && angle === 0) {
      pushTrimmed(out, value.slice(start, i));
      start = i + 1;
    }
  }
  pushTrimmed(out, value.slice(start));
  return out;
}

function pushTrimmed(out: string[], item: string): void {
  const t = item.trim();
  if (t.length > 0) out.push(t);
}

/** Removes the quotes and quoted-pair escapes of a quoted-string; other text is returned trimmed. */
export function unquote(text: string): string {
  const t = text.trim();
  if (t.length < 2 || t.charCodeAt(0) !== 0x22 || t.charCodeAt(t.length - 1) !== 0x22) return t;
  return t.slice(1, -1).replace(/\\(.)/g, '$1');
}

/**
 * The header parameters of one header value (`;name=value` after the URI or the Via
 * sent-by), names lowercased. A parameter without `=` maps to the empty string.
 */
export function headerParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  let i = paramsStart(value);
  while (i < value.length) {
    const j = paramEnd(value, i);
    const item = value.slice(i + 1, j);
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    if (name.length > 0 && !params.has(name)) params.set(name, eq < 0 ? '' : unquote(item.slice(eq + 1)));
    i = j;
  }
  return params;
}

/** `headerParams(value).get(name)` without building the map: the first parameter called `name` (lowercase). */
export function headerParam(value: string, name: string): string | undefined {
  let i = paramsStart(value);
  while (i < value.length) {
    const j = paramEnd(value, i);
    const item = value.slice(i + 1, j);
    const eq = item.indexOf('=');
    if ((eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase() === name) return eq < 0 ? '' : unquote(item.slice(eq + 1));
    i = j;
  }
  return undefined;
}

/**
 * Whether a header list item is empty or has a parameter with nothing in it (`;;`, a `;` at its
 * end or start), quoted-strings aside: RFC 3261 §25.1 has no empty generic-param.
 */
export function hasEmptyParam(item: string): boolean {
  const start = paramsStart(item);
  if (item.slice(0, start).trim() === '') return true;
  for (let i = start; i < item.length; ) {
    const end = paramEnd(item, i);
    if (item.slice(i + 1, end).trim() === '') return true;
    i = end;
  }
  return false;
}

/** Whether every quoted-string of a header value closes (a backslash escapes the next character inside one). */
export function quotesClose(value: string): boolean {
  for (let open = value.indexOf('"'); open >= 0; ) {
    const close = closingQuote(value, open);
    if (close < 0) return false;
    open = value.indexOf('"', close + 1);
  }
  return true;
}

/** End of the parameter that starts at value[i] (a ';'): the next ';' outside a quoted string, or value.length. */
function paramEnd(value: string, i: number): number {
  const semi = value.indexOf(';', i + 1);
  const quote = value.indexOf('"', i + 1);
  if (quote < 0 || (semi >= 0 && semi < quote)) return semi < 0 ? value.length : semi;
  let j = i + 1;
  let inQuotes = false;
  for (; j < value.length; j++) {
    const c = value.charCodeAt(j);
    if (inQuotes) {
      if (c === 0x5c) j++;
      else if (c === 0x22) inQuotes = false;
    } else if (c === 0x22) inQuotes = true;
    else if (c === 0x3b) break;
  }
  return j;
}

/** Index of the ';' that starts the header parameters, or value.length when there are none. */
function paramsStart(value: string): number {
  if (value.indexOf('"') < 0) {
    // no quoted string: jump from one '<', '>' or ';' to the next
    const semi = value.indexOf(';');
    let open = value.indexOf('<');
    if (open < 0 || (semi >= 0 && semi < open)) return semi < 0 ? value.length : semi;
    for (;;) {
      // name-addr: parameters inside <...> belong to the URI, header params follow '>'
      const close = value.indexOf('>', open);
      if (close < 0) return value.length;
      let i = close + 1;
      while (i < value.length && (value.charCodeAt(i) === 0x20 || value.charCodeAt(i) === 0x09)) i++;
      const c = value.charCodeAt(i);
      if (c === 0x3b) return i;
      if (c !== 0x3c) return value.length;
      open = i;
    }
  }
  // with quoted strings (a display name): jump from one '"', '<' or ';' to the next
  let sawAngle = false;
  let i = 0;
  while (i < value.length) {
    const c = value.charCodeAt(i);
    if (c === 0x22) {
      const close = closingQuote(value, i);
      if (close < 0) return value.length;
      i = close + 1;
    } else if (c === 0x3c) {
      // name-addr: parameters inside <...> belong to the URI, header params follow '>'
      const close = value.indexOf('>', i);
      if (close < 0) return value.length;
      i = close + 1;
      sawAngle = true;
    } else if (c === 0x3b) return i;
    else if (sawAngle) {
      if (c !== 0x20 && c !== 0x09) return value.length;
      i++;
    } else {
      SPECIAL.lastIndex = i + 1;
      if (!SPECIAL.test(value)) return value.length;
      i = SPECIAL.lastIndex - 1;
    }
  }
  return value.length;
}

const SPECIAL = /["<;]/g;

/** Index of the '"' closing the quoted string that opens at value[open], or -1 (quoted-pairs skipped). */
function closingQuote(value: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = value.indexOf('"', from);
    if (quote < 0) return -1;
    const escape = value.indexOf('\\', from);
    if (escape < 0 || escape > quote) return quote;
    from = escape + 2;
  }
}

/** The URI of a name-addr or addr-spec (`"Bob" <sip:bob@x>;tag=1` → `sip:bob@x`). */
export function headerUri(value: string): string {
  const open = value.indexOf('<');
  if (open >= 0) {
    const close = value.indexOf('>', open);
    return value.slice(open + 1, close < 0 ? value.length : close).trim();
  }
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim();
}

/** Media type (lowercased `type/subtype`) and parameters of a Content-Type value. */
export function parseMediaType(value: string): { type: string; params: Map<string, string> } {
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  return { type, params: headerParams(semi < 0 ? '' : value.slice(semi)) };
}
