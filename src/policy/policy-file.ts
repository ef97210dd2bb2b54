/**
 * The operator's policy file (SPEC §9). It is read once at start and refused outright when it
 * says something the enforcer cannot honour exactly — a lenient reading of an operator's
 * privacy policy would silently enforce something else — so is a key it does not know (a
 * misspelt `default` would otherwise leave the operator's default silently missing; a
 * statement's own keys excepted, SPEC §3), and a JSON object giving a key twice (JSON.parse
 * keeps the last without a word; YAML's reader refuses it). Every refusal is one line naming
 * the file, the key path and the value, or for bad JSON the line and column.
 */
import { readFile } from 'node:fs/promises';
import { JsonTextError, keyName, parseJsonDocument } from './json-text.js';
import { isYamlFile, parseYamlDocument } from './yaml-document.js';
import type { StatementPart } from './statement.js';
import { setOwn } from './own-property.js';
import {
  APT_TYPES,
  CONFLICT_POLICIES,
  EXPORT_LEVELS,
  FEATURE_CLASSES,
  isAptType,
  isConflictPolicy,
  isExportLevel,
  isFeatureClass,
  parseDuration,
  durationOfNumber,
  vocabularyWord,
} from './vocabulary.js';

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

/** A dialog → APT mapping of the repository (seed §7.2); an omitted tag matches any. */
export interface DialogEntry {
  callId: string;
  fromTag?: string;
  toTag?: string;
  apt: string[];
}

/** A verification key: a public JWK, or a PEM (SPKI public key or X.509 certificate). */
export type TrustedKey = Readonly<Record<string, unknown>> | string;

export interface PolicyFileData {
  fileName: string;
  /** statement parameters by pref-id, validated, unknown keys kept */
  apts: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  dialogs: readonly DialogEntry[];
  defaultApt: string | null;
  /** aggregation window in seconds, when the file sets one */
  windowSec: number | null;
  keys: ReadonlyMap<string, TrustedKey>;
  /** `null`: any issuer whose key is trusted */
  issuers: readonly string[] | null;
  /** revoked pref-ids and JWT ids */
  revoked: ReadonlySet<string>;
}

export class PolicyFile implements PolicyFileData {
  readonly fileName: string;
  readonly apts: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  readonly dialogs: readonly DialogEntry[];
  readonly defaultApt: string | null;
  readonly windowSec: number | null;
  readonly keys: ReadonlyMap<string, TrustedKey>;
  readonly issuers: readonly string[] | null;
  readonly revoked: ReadonlySet<string>;

  constructor(data: PolicyFileData) {
    this.fileName = data.fileName;
    this.apts = data.apts;
    this.dialogs = data.dialogs;
    this.defaultApt = data.defaultApt;
    this.windowSec = data.windowSec;
    this.keys = data.keys;
    this.issuers = data.issuers;
    this.revoked = data.revoked;
  }

  /**
   * The repository lookup: every entry whose given fields match the dialog's (an entry that omits
   * a tag matches any, SPEC §9). A tag the entry gives must be the dialog's: a dialog with no
   * to-tag yet (an INVITE not answered) is not the dialog an entry naming one means — it may turn
   * out another fork — and absence is not consent (SPEC §3). `eitherWay`: which tag is the
   * caller's is not known (a dialog first seen mid-call, through a request the callee sent):
   * entries match with the tags in either order.
   */
  findDialogApts(callId: string, fromTag: string, toTag: string, eitherWay = false): string[] {
    const found: string[] = [];
    // tags are tokens: compared without regard to case (RFC 3261 §7.3.1); the Call-ID byte by byte
    const same = (wanted: string | undefined, tag: string) => wanted === undefined || wanted.toLowerCase() === tag.toLowerCase();
    for (const entry of this.dialogs) {
      if (entry.callId !== callId) continue;
      const matches = (same(entry.fromTag, fromTag) && same(entry.toTag, toTag)) || (eitherWay && same(entry.fromTag, toTag) && same(entry.toTag, fromTag));
      if (!matches) continue;
      for (const id of entry.apt) if (!found.includes(id)) found.push(id);
    }
    return found;
  }

  /** The file's entry for a pref-id as a statement part, or null when the file does not know it. */
  statementPart(prefId: string): StatementPart | null {
    const params = this.apts.get(prefId);
    return params === undefined ? null : { prefId, source: 'policy-file', origin: this.fileName, params };
  }

  /** All entries as statement parts, to preload a registry. */
  statementParts(): StatementPart[] {
    return [...this.apts.keys()].map((id) => this.statementPart(id)!);
  }

  /**
   * What the file says that is allowed but likely not meant, one line each: a `default` with no
   * `apts` entry counts as the most restrictive statement (SPEC §3) until signaling states it.
   */
  warnings(): string[] {
    const id = this.defaultApt;
    if (id === null || this.apts.has(id)) return [];
    return [`${this.fileName}: default '${id}' has no entry in apts: it counts as the most restrictive statement (everything it governs is dropped) unless signaling states it`];
  }
}

export async function loadPolicyFile(path: string): Promise<PolicyFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new PolicyError(`${path}: cannot read policy file: ${oneLine(error)}`);
  }
  // JSON and YAML are UTF-8 here (RFC 8259 §8.1): a byte that is not was read as U+FFFD, an
  // identifier no signaling can state
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) throw new PolicyError(`${path}: not valid UTF-8 at byte ${bad}`);
  const text = bytes.toString('utf8');
  if (!isYamlFile(path)) return parsePolicy(text, path);
  let root: unknown;
  try {
    root = await parseYamlDocument(text);
  } catch (error) {
    throw new PolicyError(`${path}: not valid YAML: ${oneLine(error)}`);
  }
  return policyFromDocument(root, path);
}

/** The offset of the first byte that breaks UTF-8 (RFC 3629 §4), or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    const second = b[i + 1];
    if (second === undefined) return i;
    // the second byte's range excludes overlong forms, surrogates and code points past U+10FFFF
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= n; k++) {
      const next = b[i + k];
      if (next === undefined || next < 0x80 || next > 0xbf) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** A policy file with nothing in it: no APTs, no repository, no default (absence means drop). */
export function emptyPolicy(fileName = '(none)'): PolicyFile {
  return new PolicyFile({
    fileName,
    apts: new Map(),
    dialogs: [],
    defaultApt: null,
    windowSec: null,
    keys: new Map(),
    issuers: null,
    revoked: new Set(),
  });
}

/** A policy file's JSON text. (A YAML file is read by loadPolicyFile.) */
export function parsePolicy(text: string, fileName: string): PolicyFile {
  let root: unknown;
  try {
    root = parseJsonDocument(text);
  } catch (error) {
    if (error instanceof JsonTextError) throw new PolicyError(`${fileName}: ${error.message}`);
    throw error;
  }
  return policyFromDocument(root, fileName);
}

/** The keys of a policy file's top level, and of a `dialogs` entry. (A statement's are open.) */
const TOP_LEVEL_KEYS = ['apts', 'dialogs', 'default', 'window', 'keys', 'issuers', 'revoked'] as const;
const DIALOG_KEYS = ['callId', 'fromTag', 'toTag', 'apt'] as const;

/** The checks of SPEC §9 on a parsed policy document, JSON's or YAML's. */
function policyFromDocument(root: unknown, fileName: string): PolicyFile {
  const refuse = (path: string, value: unknown, why: string): never => {
    throw new PolicyError(`${fileName}: ${path}: ${why}: ${show(value)}`);
  };
  const refuseUnknownKeys: RefuseUnknownKeys = (path, entry, known) => {
    for (const key of Object.keys(entry)) {
      if ((known as readonly string[]).includes(key)) continue;
      const near = nearestKey(key, known);
      const at = path === '' ? keyName(key) : `${path}.${keyName(key)}`;
      throw new PolicyError(`${fileName}: ${at}: unknown key (expected one of ${known.join(', ')})${near === null ? '' : `; did you mean '${near}'?`}`);
    }
  };
  if (!isObject(root)) refuse('(top level)', root, 'expected an object');
  const top = root as Record<string, unknown>;
  refuseUnknownKeys('', top, TOP_LEVEL_KEYS);

  const apts = new Map<string, Record<string, unknown>>();
  if (top.apts !== undefined) {
    if (!isObject(top.apts)) refuse('apts', top.apts, 'expected an object');
    for (const [id, entry] of Object.entries(top.apts as Record<string, unknown>)) {
      apts.set(id, validateApt(`apts.${keyName(id)}`, entry, refuse));
    }
  }

  const dialogs: DialogEntry[] = [];
  if (top.dialogs !== undefined) {
    if (!Array.isArray(top.dialogs)) refuse('dialogs', top.dialogs, 'expected an array');
    (top.dialogs as unknown[]).forEach((entry, i) => dialogs.push(validateDialog(`dialogs[${i}]`, entry, refuse, refuseUnknownKeys)));
  }

  let defaultApt: string | null = null;
  if (top.default !== undefined && top.default !== null) {
    if (typeof top.default !== 'string' || top.default === '') refuse('default', top.default, 'expected an APT identifier or null');
    defaultApt = top.default as string;
  }

  let windowSec: number | null = null;
  // null, as for `default`: the file states none (the command line's, or the built-in 10 s)
  if (top.window !== undefined && top.window !== null) {
    const seconds = readDuration(top.window);
    if (seconds === null || seconds === 0) refuse('window', top.window, 'unparsable or zero duration');
    windowSec = seconds;
  }

  const keys = new Map<string, TrustedKey>();
  if (top.keys !== undefined) {
    if (!isObject(top.keys)) refuse('keys', top.keys, 'expected an object of key id to JWK or PEM');
    for (const [kid, key] of Object.entries(top.keys as Record<string, unknown>)) {
      if (typeof key === 'string' && key.includes('-----BEGIN ')) keys.set(kid, key);
      else if (isObject(key) && typeof (key as Record<string, unknown>).kty === 'string') keys.set(kid, key as Record<string, unknown>);
      else refuse(`keys.${keyName(kid)}`, key, 'expected a public JWK or a PEM string');
    }
  }

  const issuers = top.issuers === undefined ? null : readStringList('issuers', top.issuers, refuse);
  const revoked = new Set(top.revoked === undefined ? [] : readStringList('revoked', top.revoked, refuse));

  return new PolicyFile({ fileName, apts, dialogs, defaultApt, windowSec, keys, issuers, revoked });
}

type Refuse = (path: string, value: unknown, why: string) => never;
/** Refuses the first key of `entry` (at `path`) not among `known`. */
type RefuseUnknownKeys = (path: string, entry: Record<string, unknown>, known: readonly string[]) => void;

/** The keys validateApt reads (without regard to case). */
const VOCABULARY_KEYS: ReadonlySet<string> = new Set(['export', 'features', 'retention', 'type', 'version', 'policy']);

function validateApt(path: string, entry: unknown, refuse: Refuse): Record<string, unknown> {
  if (!isObject(entry)) return refuse(path, entry, 'expected an object');
  const params: Record<string, unknown> = {};
  /** the vocabulary's keys met, lower-cased (they are read without regard to case): one written twice is a duplicate */
  const met = new Map<string, string>();
  for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
    const at = `${path}.${keyName(key)}`;
    const lower = key.toLowerCase();
    if (VOCABULARY_KEYS.has(lower)) {
      const before = met.get(lower);
      if (before !== undefined) refuse(at, value, `duplicate key (${keyName(before)} given too, read as the same key)`);
      met.set(lower, key);
    }
    switch (lower) {
      case 'export':
        if (!isExportLevel(vocabularyWord(value))) refuse(at, value, `unknown value (expected ${EXPORT_LEVELS.join(', ')})`);
        break;
      case 'features': {
        if (!Array.isArray(value)) refuse(at, value, `expected a list of ${FEATURE_CLASSES.join(', ')}`);
        (value as unknown[]).forEach((feature, i) => {
          if (!isFeatureClass(vocabularyWord(feature))) refuse(`${at}[${i}]`, feature, `unknown feature (expected ${FEATURE_CLASSES.join(', ')})`);
        });
        break;
      }
      case 'retention':
        if (readDuration(value) === null) refuse(at, value, 'unparsable duration (expected e.g. 0, 90s, 15m, 24h, 7d)');
        break;
      case 'type':
        if (!isAptType(vocabularyWord(value))) refuse(at, value, `unknown value (expected ${APT_TYPES.join(', ')})`);
        break;
      case 'version':
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) refuse(at, value, 'expected a non-negative integer');
        break;
      case 'policy':
        if (!isConflictPolicy(vocabularyWord(value))) refuse(at, value, `unknown value (expected ${CONFLICT_POLICIES.join(', ')})`);
        break;
      default:
      // Unknown keys are the vocabulary's future: kept and passed through (SPEC §3).
    }
    // `__proto__` too, as an own key (plain assignment would make it the prototype)
    setOwn(params, key, value);
  }
  return params;
}

function validateDialog(path: string, entry: unknown, refuse: Refuse, refuseUnknownKeys: RefuseUnknownKeys): DialogEntry {
  if (!isObject(entry)) return refuse(path, entry, 'expected an object');
  const e = entry as Record<string, unknown>;
  refuseUnknownKeys(path, e, DIALOG_KEYS);
  if (typeof e.callId !== 'string' || e.callId === '') refuse(`${path}.callId`, e.callId, 'expected a Call-ID');
  const dialog: DialogEntry = { callId: e.callId as string, apt: [] };
  for (const tag of ['fromTag', 'toTag'] as const) {
    const value = e[tag];
    if (value === undefined || value === null) continue;
    // a tag is a token (RFC 3261 §25.1): an empty one matched nothing, the entry silently dead
    if (typeof value !== 'string') refuse(`${path}.${tag}`, value, 'expected a tag string');
    if (value === '') refuse(`${path}.${tag}`, value, 'expected a tag (omit the key to match any tag)');
    dialog[tag] = value as string;
  }
  const apt = e.apt;
  if (typeof apt === 'string' && apt !== '') dialog.apt = [apt];
  else if (Array.isArray(apt) && apt.length > 0 && apt.every((id) => typeof id === 'string' && id !== '')) dialog.apt = apt as string[];
  else refuse(`${path}.apt`, apt, 'expected a list of APT identifiers');
  return dialog;
}

function readStringList(path: string, value: unknown, refuse: Refuse): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return refuse(path, value, 'expected a list of strings');
  return value as string[];
}

function readDuration(value: unknown): number | null {
  if (typeof value === 'number') return durationOfNumber(value);
  if (typeof value === 'string') return parseDuration(value);
  return null;
}

/**
 * The known key `key` most likely misspells: the same but for letter case, else the one at the
 * fewest edits (a transposed pair counting as one), at most 2 and under half its length.
 */
function nearestKey(key: string, known: readonly string[]): string | null {
  const lower = key.toLowerCase();
  const sameButCase = known.find((k) => k.toLowerCase() === lower);
  if (sameButCase !== undefined) return sameButCase;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d <= 2 && d * 2 < candidate.length && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  // JSON would write Infinity and NaN (1e400, YAML .inf) as null, a value the file never gave
  const text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim();
}
