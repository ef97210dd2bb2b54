import { parseArgs } from 'node:util';
import { terminalStdinRefusal } from '../../native-free/capture.js';
import { UsageError } from './usage.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface ParsedCommand<V> {
  capture: string;
  values: V;
}

/**
 * Parses `<capture> [options]` strictly: an unknown option or a missing capture is a usage
 * error (exit 2), reported in one line.
 */
export function parseCommandArgs<S extends OptionSpec>(
  args: string[],
  options: S,
): ParsedCommand<{ [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string }> {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(usageMessage(err, args));
  }
  const [capture, ...extra] = parsed.positionals;
  if (capture === undefined) throw new UsageError('a capture file is required');
  // (`replay "$CAPTURE"` with the variable unset: no file to name in an error line)
  if (capture === '') throw new UsageError('a capture file is required, not an empty name');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  refuseEmptyValues(parsed.values);
  return { capture, values: parsed.values as never };
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
 * parseArgs's complaint in one line. An option whose value starts with a dash (`--workers -1`)
 * is "ambiguous" to it, in three lines that do not say which value: say it plainly.
 */
export function usageMessage(err: unknown, args: readonly string[]): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  const ambiguous = /^Option '(-[^']+)' argument is ambiguous/.exec(message);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && ambiguous) {
    const option = ambiguous[1]!;
    const value = args[args.indexOf(option) + 1];
    return `${option} needs a value: '${value ?? ''}' looks like an option (write ${option}=${value ?? ''} to give it)`;
  }
  return message.split('\n')[0]!;
}

/** `-` typed at a terminal, the pipe forgotten: nothing to read — bad usage, in one line without the usage text (exit 2). */
export function refuseTerminalStdin(capture: string, command: string): void {
  const terminal = terminalStdinRefusal(capture, command);
  if (terminal !== undefined) throw new UsageError(terminal, false);
}
