import { parseArgs } from 'node:util';
import { terminalStdinRefusal } from '../../native-free/capture.js';
import { UsageError } from './usage.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface ParsedCommand<V> {
  capture: string;
  values: V;
  /**
   * The secret option (as written: `--hep-auth-key`) whose value the capture directly follows,
   * if it does: the capture may be more of that value (`--hep-auth-key my pass`, the quotes
   * forgotten), so a failure to open it does not name it.
   */
  captureAfter?: string;
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
    const spilled = secret !== undefined && mayBeMoreOfValue(secret, parsed.positionals.slice(secret.positionalsBefore));
    throw new UsageError(spilled ? spilledSecretMessage(secret, true) : `unexpected argument '${extra[0]}'`);
  }
  const before = secretValueBefore(args, options, 0);
  // (`--hep-auth-key= my-key`: the capture is the key, a space typed after the '=')
  if (before?.spaced === true) throw new UsageError(spilledSecretMessage(before, true));
  refuseEmptyValues(parsed.values);
  return { capture, values: parsed.values as never, ...(before !== undefined && { captureAfter: before.option }) };
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
 * `--token=ab cd`, the quotes forgotten) is likely more of that value: not shown either; nor an
 * unknown option that is a secret option with its value glued on (`--hep-auth-key:K`, `--tokenZq3`).
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
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const glued = gluedSecret(unknownOption(args, options), options);
    if (glued !== undefined) return `Unknown option '${glued}…' (not shown whole${options[glued.slice(2)] !== undefined ? `: write ${glued}=<value>` : ''})`;
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

/** The word of the first unknown option (`rawName`: all before any '='), as strict parsing found it. */
function unknownOption(args: readonly string[], options: OptionSpec): string | undefined {
  try {
    const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
    for (const t of tokens) {
      if (t.kind === 'option' && !Object.hasOwn(options, t.name)) return t.rawName;
    }
  } catch {
    // (not expected of a non-strict parse: the line is then parseArgs's own)
  }
  return undefined;
}

/** Secret option names, the longest first (`--token` before `--to`). */
const SECRET_NAMES_LONGEST_FIRST = [...SECRET_OPTIONS].sort((a, b) => b.length - a.length);

/**
 * An unknown option's word (`rawName`, all before any '=') that is a secret option's name with
 * more glued on — `--hep-auth-key:K`, `--tokenZq3…`, `--to:https://u:p@h/` — as the part that may
 * be shown: `--hep-auth-key`. A word that reads as an option name (lower-case words joined by
 * '-': `--topic`, `--tokens`, `--nats-max-agee`) is an unknown option, shown whole: undefined; so
 * is one that starts with a longer, non-secret option's name (`--nats-max-age7d`, the space
 * forgotten: that option's typo, with nothing secret in it).
 */
function gluedSecret(word: string | undefined, options: OptionSpec): string | undefined {
  if (word === undefined || /^--[a-z]+(?:-[a-z]+)*$/.test(word)) return undefined;
  const name = SECRET_NAMES_LONGEST_FIRST.find((n) => word.startsWith(`--${n}`) && word.length > n.length + 2);
  if (name === undefined) return undefined;
  const longer = Object.keys(options).some((o) => o.length > name.length && !SECRET_OPTIONS.has(o) && word.startsWith(`--${o}`));
  return longer ? undefined : `--${name}`;
}

/** A secret option (as written: `--hep-auth-key`) with a value; `spaced`: written `--x=` with the value empty. */
interface SecretValue {
  option: string;
  spaced: boolean;
  /** its value */
  value: string;
  /** how many positional arguments came before it (those from there on follow its value) */
  positionalsBefore: number;
}

/** Secret options whose value is a URL: it carries a secret only in a `user:password@` (or a query). */
const URL_OPTIONS: ReadonlySet<string> = new Set(['--to', '--nats']);

/**
 * Whether the positional `words` after a secret option's value may be more of it (the quotes
 * forgotten). A credential's, always; a URL's (`--to`), only when it or one of them holds an '@' —
 * the rest of a `u:my pass phrase@h` ('pass' is hidden because 'phrase@h' follows) — or the value
 * has a query: a target with no '@' followed by words with none (a glob of captures after
 * `--to=udp://h:9`) holds no password, and the stray word is quoted.
 */
function mayBeMoreOfValue(secret: SecretValue, words: readonly string[]): boolean {
  if (!URL_OPTIONS.has(secret.option)) return true;
  return /[@?#]/.test(secret.value) || words.some((w) => w.includes('@'));
}

/**
 * The secret option whose value (separate or after '=') the positional argument number `nth`
 * (from 0) follows, directly or after other positional arguments only — the words of an unquoted
 * `--hep-auth-key my pass phrase` or `--hep-auth-key=my pass phrase`, or of `--token= Zq3` — or
 * undefined.
 */
function secretValueBefore(args: readonly string[], options: OptionSpec, nth: number): SecretValue | undefined {
  try {
    const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
    let after: SecretValue | undefined;
    let seen = 0;
    for (const t of tokens) {
      if (t.kind === 'positional') {
        if (seen++ === nth) return after;
      } else after = t.kind === 'option' && t.value !== undefined && SECRET_OPTIONS.has(t.name) ? { option: t.rawName, spaced: t.inlineValue === true && t.value === '', value: t.value, positionalsBefore: seen } : undefined;
    }
  } catch {
    // (not expected of a non-strict parse: the line then names no secret option)
  }
  return undefined;
}

/**
 * An unexpected argument after a secret option's value, not shown: it is likely more of that value.
 * `capture`: the command takes a capture, so after an empty `--x=` it may be the one intended —
 * argv cannot tell `--x="$KEY"` (the variable unset) then the capture from `--x= value`: say both.
 * (A command with no capture, live, is given no word there but by a space typed after the '='.)
 */
function spilledSecretMessage(secret: SecretValue, capture = false): string {
  const { option } = secret;
  if (secret.spaced) return `${option}= is followed by a separate argument, not shown (write ${option}=<value> with no space)${capture ? ', or has an empty value (an unset variable?)' : ''}`;
  return `an unexpected argument follows ${option}'s value, not shown (quote a value with spaces)`;
}

/** `-` typed at a terminal, the pipe forgotten: nothing to read — bad usage, in one line without the usage text (exit 2). */
export function refuseTerminalStdin(capture: string, command: string): void {
  const terminal = terminalStdinRefusal(capture, command);
  if (terminal !== undefined) throw new UsageError(terminal, false);
}
