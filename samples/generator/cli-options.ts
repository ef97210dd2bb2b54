/**
 * Command-line options of `node dist/samples/generate.js`. Strict: an unknown flag or a value
 * that is not a positive number is a usage error, never silently ignored.
 */
import { GENERATE_DEFAULTS } from './generate-capture.js';

export const GENERATE_USAGE =
  'usage: generate.js [--calls N] [--duration S] [--seed N] [--out file.pcap] [--truth file.json] ' +
  '[--video-bytes N] [--snaplen N] [--small]';

export interface GenerateCliOptions {
  calls: number;
  durationSec: number;
  seed: number;
  out: string;
  truth: string | null;
  videoBytes: number;
  snapLen: number;
  /** regenerate the small committed samples under samples/ instead */
  small: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const NUMERIC_FLAGS = {
  '--calls': 'calls',
  '--duration': 'durationSec',
  '--seed': 'seed',
  '--video-bytes': 'videoBytes',
  '--snaplen': 'snapLen',
} as const;

export function parseGenerateArgs(argv: readonly string[]): GenerateCliOptions {
  const o: GenerateCliOptions = {
    calls: GENERATE_DEFAULTS.calls,
    durationSec: GENERATE_DEFAULTS.durationSec,
    seed: GENERATE_DEFAULTS.seed,
    out: 'samples/generated/capture.pcap',
    truth: null,
    videoBytes: GENERATE_DEFAULTS.videoBytes,
    snapLen: GENERATE_DEFAULTS.snapLen,
    small: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--small') {
      o.small = true;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    i++;
    if (flag === '--out') o.out = value;
    else if (flag === '--truth') o.truth = value;
    else if (flag in NUMERIC_FLAGS) {
      const n = Number(value);
      const integer = flag !== '--duration';
      if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)) || (flag !== '--seed' && n <= 0)) {
        throw new UsageError(`${flag} ${value}: expected a ${integer ? 'non-negative integer' : 'positive number'}`);
      }
      o[NUMERIC_FLAGS[flag as keyof typeof NUMERIC_FLAGS]] = n;
    } else throw new UsageError(`unknown option ${flag}`);
  }
  if (o.snapLen < 64) throw new UsageError(`--snaplen ${o.snapLen}: at least 64 bytes are needed for the headers`);
  return o;
}
