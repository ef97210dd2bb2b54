import { sayLine } from './stderr-line.js';
import { USAGE, UsageError } from './usage.js';
import { packageVersion } from './version.js';

type Command = (args: string[]) => Promise<number>;

/** Commands load their modules lazily so `inspect` never pays for the worker pool, and so on. */
const commands: Record<string, () => Promise<Command>> = {
  inspect: async () => (await import('./inspect.js')).runInspect,
  bindings: async () => (await import('./bindings.js')).runBindings,
  replay: async () => (await import('./replay.js')).runReplay,
  live: async () => (await import('./live.js')).runLive,
};

/**
 * Entry point of the `aipref-enforcer` command. Returns the exit code (SPEC §8): 0 done,
 * 1 bad input that stopped the run, 2 bad usage. Errors are one line on stderr, never a stack.
 */
export async function main(argv: string[]): Promise<number> {
  // A reader that goes away (`| head`) ends the output, not the process with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  // Progress and warnings are a side channel: a stderr reader that goes away (`2>&1 | head -1`, a
  // log collector restarting) stops them, never the run, whose outputs and exit code stay those
  // of a run whose stderr is read. (Node ignores SIGPIPE; without a listener the EPIPE is thrown.)
  process.stderr.on('error', () => {});
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(USAGE + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') return printVersion();
  const load = commands[name];
  if (!load) {
    process.stderr.write(`aipref-enforcer: unknown command '${name}'\n${USAGE}\n`);
    return 2;
  }
  // `<command> --help`: the usage, as for `--help` alone; `<command> --version` likewise
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (rest.includes('--version')) return printVersion();
  try {
    return await (await load())(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      sayLine(name, err.message);
      if (err.withUsage) process.stderr.write(USAGE + '\n');
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    sayLine(name, message);
    if (process.env.AIPREF_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return 1;
  }
}

/** `--version`: the package's version on stdout, exit 0. */
function printVersion(): number {
  process.stdout.write(`aipref-enforcer ${packageVersion()}\n`);
  return 0;
}
