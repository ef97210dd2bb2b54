/**
 * APT statements carried in a SIP body part `application/aipref+json` or `+cbor` (seed §5.2;
 * both decoded into JSON's data model by the signaling stage). The draft does not fix the
 * document's shape, so the forms a preference attacher would plausibly write are read: one
 * statement with its identifier, a list of them (bare, or under `statements` beside
 * document-level keys such as a format `version`), or an object keyed by identifier
 * (optionally under `apts`, as in the policy file). A part an AI-Pref value references with
 * `uri=<cid:...>` may also be that value's statement without an identifier of its own. Anything
 * else is reported as a problem for the caller's malformed-input report; nothing here throws
 * on wire input.
 */
import type { PolicyFinding } from './findings.js';
import { setOwn } from './own-property.js';
import type { StatementPart } from './statement.js';

const ID_KEYS = ['id', 'pref-id', 'prefId'];

export interface BodyStatements {
  parts: StatementPart[];
  problems: string[];
  /** a referencing identifier the part carries no statement for (inconsistent-signaling) */
  findings: PolicyFinding[];
}

/** The AI-Pref values that name a part with `uri=<cid:...>`: their identifiers, and the part's Content-ID. */
export interface BodyReference {
  by: readonly string[];
  contentId: string;
}

export function statementPartsFromBody(body: unknown, origin?: string, reference?: BodyReference): BodyStatements {
  const parts: StatementPart[] = [];
  const problems: string[] = [];
  const findings: PolicyFinding[] = [];
  const referencing = reference?.by ?? [];
  const add = (prefId: string, params: Record<string, unknown>): void => {
    parts.push(origin === undefined ? { prefId, source: 'body', params } : { prefId, source: 'body', origin, params });
  };
  const addIdentified = (statement: unknown, where: string): void => {
    if (!isPlainObject(statement)) {
      problems.push(`${where}: not an object`);
      return;
    }
    const idKey = ID_KEYS.find((k) => typeof statement[k] === 'string' && statement[k] !== '');
    if (idKey === undefined) {
      problems.push(`${where}: no identifier (id)`);
      return;
    }
    const params: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(statement)) if (!ID_KEYS.includes(key)) setOwn(params, key, value);
    add(statement[idKey] as string, params);
  };

  if (Array.isArray(body)) body.forEach((statement, i) => addIdentified(statement, `[${i}]`));
  else if (isPlainObject(body) && Array.isArray(body.statements)) {
    // a document wrapping its statements, e.g. {"version": 1, "statements": [...]}
    body.statements.forEach((statement, i) => addIdentified(statement, `statements[${i}]`));
  }
  else if (isPlainObject(body) && ID_KEYS.some((k) => k in body)) addIdentified(body, '(body)');
  else if (isPlainObject(body) && referencing.length > 0 && !isPlainObject(body.apts) && !keyedByIdentifier(body, referencing)) {
    // {"type": "user", "export": "raw"} behind uri=<cid:...>: the statement of whoever references it
    for (const prefId of referencing) add(prefId, { ...body });
  }
  else if (isPlainObject(body)) {
    const keyed = isPlainObject(body.apts) ? body.apts : body;
    for (const [prefId, params] of Object.entries(keyed)) {
      if (isPlainObject(params)) add(prefId, params);
      else problems.push(`${prefId}: not an object`);
    }
  } else problems.push('(body): not a JSON object or array');

  // Seed §4: bindings reference the same canonical identifier across layers. A part that a
  // value points at but that speaks only of other identifiers gives that value nothing (it
  // keeps what its other parts say, or stays unresolved) and is reported: never read as its statement.
  if (reference) {
    const carried = [...new Set(parts.map((p) => p.prefId))];
    for (const prefId of referencing) {
      if (carried.includes(prefId)) continue;
      const says = carried.length === 0 ? 'no statement' : `statements for ${carried.join(', ')} only`;
      findings.push({ type: 'inconsistent-signaling', apt: prefId, detail: `the body part <${reference.contentId}> that ${prefId}'s uri=<cid:...> names carries ${says}: ${prefId} gets nothing from it` });
    }
  }
  return { parts, problems, findings };
}

/**
 * An object without an identifier, referenced by cid, is read keyed by identifier (as when it
 * is referenced by nothing) if it names a referencing identifier, or if every value is an
 * object, as no statement's values are.
 */
function keyedByIdentifier(body: Record<string, unknown>, referencing: readonly string[]): boolean {
  return referencing.some((id) => Object.hasOwn(body, id) && isPlainObject(body[id])) || Object.values(body).every(isPlainObject);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
