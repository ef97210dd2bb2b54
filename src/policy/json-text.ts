/**
 * What JSON.parse does not say about an operator's JSON file: where a syntax error is (its line
 * and column rather than V8's character position), and whether an object gives a key twice
 * (JSON.parse silently keeps the last, where the YAML reader refuses the file). A scan of the
 * text by RFC 8259's grammar, run once when a file is read, so it favours being plain over fast.
 * It uses no recursion (an explicit stack), so no nesting depth JSON.parse takes can overflow it.
 */

/** A place in the text: 1-based line, and 1-based column counted in characters (code points). */
export interface TextPosition {
  line: number;
  column: number;
}

export interface JsonSyntaxProblem extends TextPosition {
  message: string;
}

export interface JsonDuplicateKey extends TextPosition {
  /** where the key is, as the policy file's refusals write it: `apts.a`, `dialogs[2].toTag` */
  path: string;
  /** where the object gave the key first */
  first: TextPosition;
}

export interface JsonScan {
  /** the first syntax error; the scan stops there */
  syntaxError: JsonSyntaxProblem | null;
  /** the first key given twice in one object, before any syntax error */
  duplicate: JsonDuplicateKey | null;
}

/** The line and column of a UTF-16 offset into `text`. */
export function positionAt(text: string, offset: number): TextPosition {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  let column = 1;
  for (let i = lineStart; i < end; i++) {
    const c = text.charCodeAt(i);
    // the second half of a surrogate pair is the same character as the first
    if (c >= 0xdc00 && c <= 0xdfff && i > lineStart && isHighSurrogate(text.charCodeAt(i - 1))) continue;
    column++;
  }
  return { line, column };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** A path step appended to a parent path: `.key` for an object member, `[i]` for an array element. */
function joinPath(parent: string, step: string | number): string {
  if (typeof step === 'number') return `${parent}[${step}]`;
  return parent === '' ? keyName(step) : `${parent}.${keyName(step)}`;
}

/** A key as a step of a path: itself, quoted only where it is empty or would break the line. */
export function keyName(key: string): string {
  return key === '' || /[\u0000-\u001f]/.test(key) ? JSON.stringify(key) : key;
}

interface ObjectFrame {
  kind: 'object';
  path: string;
  /** keys given so far, with where each was first given */
  keys: Map<string, number>;
}

interface ArrayFrame {
  kind: 'array';
  path: string;
  index: number;
}

type Frame = ObjectFrame | ArrayFrame;

class SyntaxStop extends Error {
  constructor(
    readonly offset: number,
    readonly why: string,
  ) {
    super(why);
  }
}

/** The two-character escapes of a JSON string (RFC 8259 §7) and what each stands for; `\u` aside. */
const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);

/** Scans a JSON text; see JsonScan. */
export function scanJson(text: string): JsonScan {
  let duplicate: JsonDuplicateKey | null = null;
  let at = 0;
  const stack: Frame[] = [];

  const stop = (why: string, offset = at): never => {
    throw new SyntaxStop(offset, why);
  };
  /** The character at `offset`, as a message names it. */
  const describe = (offset: number): string => {
    const cp = text.codePointAt(offset)!;
    if (cp === 0xfeff) return 'unexpected byte-order mark (U+FEFF)';
    if (cp < 0x20 || cp === 0x7f) return `unexpected character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    return cp === 0x27 ? `unexpected character "'"` : `unexpected character '${String.fromCodePoint(cp)}'`;
  };
  /** Stops at `at`: the file's end, or the character there, what was expected, and a hint. */
  const unexpected = (expected: string, where = ''): never => {
    if (at >= text.length) return stop(`unexpected end of the file (${expected})`);
    const c = text[at];
    const hint =
      c === "'" ? "JSON's strings and keys take double quotes" : c === '/' ? 'JSON has no comments' : c === '\ufeff' ? 'save the file without one' : null;
    const why = [where === '' ? expected : '', hint].filter((w) => w !== '' && w !== null).join('; ');
    return stop(`${describe(at)}${where}${why === '' ? '' : ` (${why})`}`);
  };
  const skipSpace = (): void => {
    while (at < text.length) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) at++;
      else break;
    }
  };
  /** A string starting at `at` (on its opening quote); returns its value, leaves `at` after it. */
  const readString = (): string => {
    const open = at;
    at++;
    let value = '';
    let runStart = at;
    for (;;) {
      if (at >= text.length) stop('unterminated string', open);
      const c = text.charCodeAt(at);
      if (c === 0x22) {
        value += text.slice(runStart, at);
        at++;
        return value;
      }
      if (c < 0x20) stop(`${describe(at)} in a string (a control character must be escaped)`);
      if (c !== 0x5c) {
        at++;
        continue;
      }
      value += text.slice(runStart, at);
      const escape = text[at + 1];
      const simple = SIMPLE_ESCAPES.get(escape ?? '');
      if (simple !== undefined) {
        value += simple;
        at += 2;
      } else if (escape === 'u') {
        const hex = text.slice(at + 2, at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) stop('bad \\u escape in a string (expected 4 hex digits)');
        value += String.fromCharCode(parseInt(hex, 16));
        at += 6;
      } else if (escape === undefined) stop('unterminated string', open);
      else stop(`bad escape '\\${String.fromCodePoint(text.codePointAt(at + 1)!)}' in a string`);
      runStart = at;
    }
  };
  const readNumber = (): void => {
    const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    match.lastIndex = at;
    const found = match.exec(text);
    if (found === null) stop('bad number (expected a digit after -)'); // a digit always matches
    const end = at + found![0].length;
    // what the pattern stopped short of: a digit after a leading 0, a '.' or exponent without digits
    const next = text[end];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) stop(`bad number '${text.slice(at, end + 1)}'`);
    at = end;
  };
  /** A bare word: one of JSON's three, else refused whole (`True`, `NaN`, `undefined`, `nul`). */
  const readWord = (): void => {
    const match = /[A-Za-z_$][A-Za-z0-9_$]*/y;
    match.lastIndex = at;
    const word = match.exec(text)![0];
    if (word !== 'true' && word !== 'false' && word !== 'null') stop(`unexpected word '${word}' (expected a value: a string, number, object, array, true, false or null)`);
    at += word.length;
  };

  /** Reads a value; a container pushes its frame and returns true (its contents follow). */
  const readValue = (path: string): boolean => {
    skipSpace();
    const c = text[at];
    if (c === '{') {
      at++;
      stack.push({ kind: 'object', path, keys: new Map() });
      return true;
    }
    if (c === '[') {
      at++;
      stack.push({ kind: 'array', path, index: 0 });
      return true;
    }
    if (c === '"') readString();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) readNumber();
    else if (c !== undefined && /[A-Za-z_$]/.test(c)) readWord();
    else unexpected('expected a value');
    return false;
  };
  /** Reads an object member's key and colon; returns the member's path. */
  const readKey = (frame: ObjectFrame, first: boolean): string => {
    skipSpace();
    if (text[at] !== '"') unexpected(first ? "expected a key in double quotes, or '}'" : 'expected a key in double quotes');
    const keyAt = at;
    const key = readString();
    const path = joinPath(frame.path, key);
    const firstAt = frame.keys.get(key);
    if (firstAt === undefined) frame.keys.set(key, keyAt);
    else if (duplicate === null) duplicate = { path, ...positionAt(text, keyAt), first: positionAt(text, firstAt) };
    skipSpace();
    if (text[at] !== ':') unexpected("expected ':' after the key");
    at++;
    return path;
  };
  /** The next element's or member's path inside `frame`, or null when the container closes. */
  const nextIn = (frame: Frame, first: boolean): string | null => {
    skipSpace();
    const close = frame.kind === 'object' ? '}' : ']';
    if (text[at] === close) {
      at++;
      return null;
    }
    if (!first) {
      if (text[at] !== ',') unexpected(`expected ',' or '${close}'`);
      at++;
    }
    if (frame.kind === 'object') return readKey(frame, first);
    return joinPath(frame.path, frame.index++);
  };

  try {
    let open = readValue('');
    // `open` says whether the value just read opened a container (whose first member comes next)
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const path = nextIn(frame, open);
      if (path === null) {
        stack.pop();
        open = false;
        continue;
      }
      open = readValue(path);
    }
    skipSpace();
    if (at < text.length) unexpected('', ' after the end of the document');
    return { syntaxError: null, duplicate };
  } catch (error) {
    if (!(error instanceof SyntaxStop)) throw error;
    return { syntaxError: { ...positionAt(text, error.offset), message: error.why }, duplicate };
  }
}

/** JSON an operator wrote that cannot be taken: what is wrong and where (no file name: the caller adds it). */
export class JsonTextError extends Error {}

/**
 * JSON.parse, stricter and plainer: a key given twice in one object is refused (JSON.parse keeps
 * the last, silently), and a syntax error says its line and column, as the YAML reader does.
 */
export function parseJsonDocument(text: string): unknown {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new JsonTextError(`not valid JSON: ${whereJsonFails(text, error)}`);
  }
  const { duplicate } = scanJson(text);
  if (duplicate !== null) {
    const { path, line, column, first } = duplicate;
    throw new JsonTextError(`${path}: duplicate key at line ${line}, column ${column} (first at line ${first.line}, column ${first.column})`);
  }
  return root;
}

/** Why JSON.parse refused `text`, with the line and column as the YAML reader gives them. */
function whereJsonFails(text: string, error: unknown): string {
  if (text === '') return 'the file is empty';
  if (/^[ \t\r\n]*$/.test(text)) return 'the file is empty (white space only)';
  const { syntaxError } = scanJson(text);
  if (syntaxError !== null) return `line ${syntaxError.line}, column ${syntaxError.column}: ${syntaxError.message}`;
  // The scan found nothing JSON.parse did: V8's message, its character position made a line and column.
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  const position = /\bat position (\d+)/.exec(message);
  if (position === null) return message;
  const { line, column } = positionAt(text, Number(position[1]));
  return `line ${line}, column ${column}: ${message}`;
}

/**
 * The text with each lone surrogate (half a character: a JSON escape `"\ud800"`, a string cut
 * between the halves of a pair) replaced by U+FFFD, as an undecodable byte is: UTF-8, and so
 * every JSON line the enforcer writes, cannot carry it (RFC 8259 §8.2, I-JSON). String.prototype.toWellFormed,
 * Node 20's, typed here as ES2022 lacks it.
 */
export function wellFormedText(text: string): string {
  return (text as string & { toWellFormed(): string }).toWellFormed();
}
