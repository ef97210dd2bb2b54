/**
 * What the CLI says on stderr: one line per error or warning (SPEC §8), `aipref-enforcer
 * <command>: <message>`, whatever the message quotes — a file name or an argument holding a
 * newline, a policy value — so a reader of lines (`2>&1 | head -1`, a log scraper) gets it whole.
 */

/**
 * A message as one line: control characters (a newline in a file name, a multi-line message)
 * escaped as in JSON, so the line keeps the reason and the offset after them rather than being
 * cut there.
 */
export function oneLine(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Writes `aipref-enforcer <command>: <message>` to stderr as one line. */
export function sayLine(command: string, message: string): void {
  process.stderr.write(`aipref-enforcer ${command}: ${oneLine(message)}\n`);
}
