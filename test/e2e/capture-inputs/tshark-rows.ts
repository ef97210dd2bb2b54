/** Capture-input test helpers. */
import { execFileSync } from 'node:child_process';

/** tshark's rows of `fields` for each frame of `file`, or null when tshark is not installed. */
export function tsharkRows(file: string, fields: string[]): string[] | null {
  try {
    return execFileSync('tshark', ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter((l) => l !== '');
  } catch {
    return null;
  }
}
