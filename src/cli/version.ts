import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let known: string | undefined;

/**
 * The version of the package this code came with (`--version`, live's `start` line): its
 * package.json's, found up from this module wherever it runs — the bundle (dist/bundle/), the
 * compiled modules (dist/src/cli/), the sources (src/cli/, the tests), an installed package.
 */
export function packageVersion(): string {
  if (known !== undefined) return known;
  for (let dir = dirname(fileURLToPath(import.meta.url)), up = ''; dir !== up; up = dir, dir = dirname(dir)) {
    let text: string;
    try {
      text = readFileSync(join(dir, 'package.json'), 'utf8');
    } catch {
      continue;
    }
    const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
    if (pkg.name === 'aipref-enforcer' && typeof pkg.version === 'string') return (known = pkg.version);
  }
  return (known = 'unknown');
}
