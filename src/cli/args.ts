import { parseArgs } from 'node:util';
import { terminalStdinRefusal } from '../../native-free/capture.js';
import { UsageError } from './usage.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface ParsedCommand<V> {
  capture: string;
  values: V;
}

/**
 * Parses `<capture> [options]` strictly: an unknown option, one given twice or a missing capture
 * is a usage error (exit 2), reported in one line.
 */
export function parseCommandArgs<S extends OptionSpec>(
  args: string[],
  options: S,
): ParsedCommand<{ [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string }> {
  const parsed = parseOptions(args, options, { positionals: true });
  const [capture, ...extra] = parsed.positionals;
  if (capture === undefined) throw new UsageError('a capture file is required');
  // (`replay "$CAPTURE"` with the variable unset: no file to name in an error line)
  if (capture === '') throw new UsageError('a capture file is required, not an empty name');
  if (extra.length > 0) {
    // (`--hep-auth-key my pass phrase`: the words after a secret's value are likely more of it)
    const secret = secretValueBefore(args, options, 1);
    throw new UsageError(secret !== undefined ? spilledSecretMessage(secret) : `unexpected argument '${extra[0]}'`);
  }
  refuseEmptyValues(parsed.values);
  return { capture, values: parsed.values as never };
}

export interface ParseOptionsRules {
  /** positional arguments allowed (the capture) */
  positionals?: boolean;
  /** options naming a list (a comma list): given more than once, their values are joined with commas */
  lists?: readonly string[];
  /** why an option may not be given twice, where more can be said than "give it once" */
  twice?: Readonly<Record<string, string>>;
}

/**
 * node:util parseArgs, strict, with every command's rule for an option given twice: a list option's
 * values accumulate (joined with commas, as one comma list); any other option given twice is bad
 * usage naming it (never its values: a --token), since parseArgs alone silently keeps the last.
 */
export function parseOptions(
  args: string[],
  options: OptionSpec,
  rules: ParseOptionsRules = {},
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: rules.positionals === true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError(usageMessage(err, args, options));
  }
  const values = { ...(parsed.values as Record<string, string | boolean | undefined>) };
  const given = new Map<string, string[]>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const seen = given.get(token.name);
    if (seen === undefined) {
      given.set(token.name, [token.value ?? '']);
      continue;
    }
    if (!rules.lists?.includes(token.name)) throw new UsageError(`--${token.name} given twice: ${rules.twice?.[token.name] ?? 'give it once'}`);
    seen.push(token.value ?? '');
  }
  for (const name of rules.lists ?? []) {
    const seen = given.get(name);
    // (an empty one among them is refused as an empty value, not joined into `a,`)
    if (seen !== undefined && seen.length > 1) values[name] = seen.includes('') ? '' : seen.join(',');
  }
  return { values, positionals: parsed.positionals };
}

/**
 * An empty option value (`--policy "$POLICY"` with the variable unset) is bad usage, never taken
 * for the option's absence — a replay with no policy, frames sent with an empty HEP auth key —
 * nor for a file named '' (every command, live's too).
 */
export function refuseEmptyValues(values: Readonly<Record<string, unknown>>): void {
  if (values['out'] === '') throw new UsageError("--out needs a folder, not an empty value (the current folder is '.')");
  for (const name of Object.keys(values)) {
    if (values[name] === '') throw new UsageError(`--${name} needs a value, not '' (an empty one)`);
  }
}

/** More shard threads than any machine here has cores for by far; a larger count is a typo, not a setting. */
export const MAX_WORKERS = 256;

/** `--workers n`: a whole number from 0 to MAX_WORKERS. */
export function parseWorkerCount(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > MAX_WORKERS) throw new UsageError(`--workers takes a whole number from 0 to ${MAX_WORKERS}, not '${value}'`);
  return Number(value);
}

/**
 * Options whose value is a credential, or may carry one (a URL's user:password@): a usage line
 * names them, never their value — stderr goes to collected logs (journald, a CI log).
 */
export const SECRET_OPTIONS: ReadonlySet<string> = new Set(['token', 'hep-auth-key', 'to', 'nats']);

/** A URL as a line may show it: without the `user:password@` (or `token@`) it may carry. */
export { urlForDisplay } from '../sources/url-for-display.js';

/**
 * parseArgs's complaint in one line. An option whose value starts with a dash (`--workers -1`)
 * is "ambiguous" to it, in three lines that do not say which value: say it plainly — the value
 * of the occurrence refused (`--x a --x -b`: '-b', found as parseArgs found it, in its tokens),
 * and none of a secret option's (`--token -Zq3…`: `write --token=<value>`), nor a secret option
 * written with its value as the refused value (`--policy --token=Zq3…`: `--token=<not shown>`).
 * An unexpected argument right after a secret option's value (`--hep-auth-key my pass phrase`,
 * the quotes forgotten) is likely more of that value: not shown either.
 */
export function usageMessage(err: unknown, args: readonly string[], options: OptionSpec = {}): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  const ambiguous = /^Option '(-[^']+)' argument is ambiguous/.exec(message);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && ambiguous) {
    const option = ambiguous[1]!;
    const value = SECRET_OPTIONS.has(option.replace(/^-+/, '')) ? undefined : refusedValue(args, options, option);
    const dashless = `write ${option}=<value> to give a value starting with '-'`;
    if (value === undefined) return `${option} needs a value: the next argument looks like an option (${dashless})`;
    const secret = /^--([^=]+)=/.exec(value);
    if (secret !== null && SECRET_OPTIONS.has(secret[1]!)) return `${option} needs a value: the next argument is another option, --${secret[1]}=<not shown> (${dashless})`;
    return `${option} needs a value: '${value}' looks like an option (write ${option}=${value} to give it)`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    // (parseArgs names the first positional argument)
    const secret = secretValueBefore(args, options, 0);
    if (secret !== undefined) return spilledSecretMessage(secret);
  }
  return message.split('\n')[0]!;
}

/**
 * The value strict parsing refused for `option`: it throws at the first option token whose
 * separate value is option-like — a '-' and one more character at least (a lone '-' is a value
 * to it: node:util parseArgs isOptionLikeValue); the same tokens, read without the checks, say
 * which one that was.
 */
function refusedValue(args: readonly string[], options: OptionSpec, option: string): string | undefined {
  try {
    const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
    for (const t of tokens) {
      if (t.kind === 'option' && t.rawName === option && t.inlineValue === false && t.value !== undefined && t.value.length > 1 && t.value.startsWith('-')) return t.value;
    }
  } catch {
    // (not expected of a non-strict parse: the line then shows no value)
  }
  return undefined;
}

/**
 * The secret option (as written: `--hep-auth-key`) whose separate value the positional argument
 * number `nth` (from 0) follows, directly or after other positional arguments only — the words of
 * an unquoted `--hep-auth-key my pass phrase` — or undefined.
 */
function secretValueBefore(args: readonly string[], options: OptionSpec, nth: number): string | undefined {
  try {
    const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
    let after: string | undefined;
    let seen = 0;
    for (const t of tokens) {
      if (t.kind === 'positional') {
        if (seen++ === nth) return after;
      } else after = t.kind === 'option' && t.inlineValue === false && SECRET_OPTIONS.has(t.name) ? t.rawName : undefined;
    }
  } catch {
    // (not expected of a non-strict parse: the line then names no secret option)
  }
  return undefined;
}

/** An unexpected argument after a secret option's value, not shown: it is likely more of that value. */
function spilledSecretMessage(option: string): string {
  return `an unexpected argument follows ${option}'s value, not shown (quote a value with spaces)`;
}

/** `-` typed at a terminal, the pipe forgotten: nothing to read — bad usage, in one line without the usage text (exit 2). */
export function refuseTerminalStdin(capture: string, command: string): void {
  const terminal = terminalStdinRefusal(capture, command);
  if (terminal !== undefined) throw new UsageError(terminal, false);
}
