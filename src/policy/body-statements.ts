/**
 * APT statements carried in a SIP body part `application/aipref+json` (seed §5.2). The draft
 * does not fix the document's shape, so the forms a preference attacher would plausibly write
 * are read: one statement with its identifier, a list of them (bare, or under `statements`
 * beside document-level keys such as a format `version`), or an object keyed by identifier
 * (optionally under `apts`, as in the policy file). Anything else is reported as a
 * problem for the caller's malformed-input report; nothing here throws on wire input.
 */
import type { StatementPart } from './statement.js';

const ID_KEYS = ['id', 'pref-id', 'prefId'];

export interface BodyStatements {
  parts: StatementPart[];
  problems: string[];
}

export function statementPartsFromBody(body: unknown, origin?: string): BodyStatements {
  const parts: StatementPart[] = [];
  const problems: string[] = [];
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
    for (const [key, value] of Object.entries(statement)) if (!ID_KEYS.includes(key)) params[key] = value;
    add(statement[idKey] as string, params);
  };

  if (Array.isArray(body)) body.forEach((statement, i) => addIdentified(statement, `[${i}]`));
  else if (isPlainObject(body) && Array.isArray(body.statements)) {
    // a document wrapping its statements, e.g. {"version": 1, "statements": [...]}
    body.statements.forEach((statement, i) => addIdentified(statement, `statements[${i}]`));
  }
  else if (isPlainObject(body) && ID_KEYS.some((k) => k in body)) addIdentified(body, '(body)');
  else if (isPlainObject(body)) {
    const keyed = isPlainObject(body.apts) ? body.apts : body;
    for (const [prefId, params] of Object.entries(keyed)) {
      if (isPlainObject(params)) add(prefId, params);
      else problems.push(`${prefId}: not an object`);
    }
  } else problems.push('(body): not a JSON object or array');
  return { parts, problems };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
