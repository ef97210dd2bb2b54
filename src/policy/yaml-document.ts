/**
 * The operator's files — the policy file (SPEC §9: "JSON (YAML too)") and live's config file —
 * may be YAML when their name ends in `.yaml` or `.yml`. YAML is read by the `yaml` package
 * (YAML 1.2, core schema: no implicit dates, no yes/no booleans; duplicate keys refused), loaded
 * only when such a file is read, so the JSON path starts no faster or slower for it.
 */

import { createRequire } from 'node:module';

/** Whether a file is read as YAML: by its name. */
export function isYamlFile(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/** A YAML text's single document; throws an Error whose one-line message says where and what. */
export async function parseYamlDocument(text: string): Promise<unknown> {
  // required, not imported: the command's bundle holds no import() (src/cli/bundle-loader.ts)
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    // prettyErrors puts "at line L, column C:" and a snippet of the text into the message
    const at = error.linePos?.[0];
    const what = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new Error(at ? `line ${at.line}, column ${at.col}: ${what}` : what);
  }
  return doc.toJS({ maxAliasCount: 100 });
}
