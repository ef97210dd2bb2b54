/**
 * Where replay's time goes: the CLI run with `node --cpu-prof` (one thread, --workers 0) on a
 * capture, and the profile summarised by self time per function and per source file.
 *
 *   node dist/bench/profile.js <capture>     prints the summary (the profile is kept in os.tmpdir()/aipref-bench/profile/)
 */
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CACHE_DIR } from './capture-cache.js';
import { REPO_ROOT, runReplayChild } from './replay-child.js';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  profileFile: string;
  totalMs: number;
  packets: number;
  functions: SelfTime[];
  files: SelfTime[];
  /** time with the function anywhere on the stack (counted once per sample) */
  inclusive: SelfTime[];
}

function shortUrl(url: string): string {
  if (!url) return '';
  const p = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const rel = p.startsWith(REPO_ROOT) ? p.slice(REPO_ROOT.length + 1) : p;
  return rel.replace(/^dist\//, '').replace(/^node_modules\//, 'nm/');
}

/** Where a profiled function's code came from: its source file (relative to the repository) and 1-based line; null to name it by the profile's own url and line. */
export type SourceOf = (url: string, line: number, column: number) => { file: string; line: number } | null;

/**
 * Positions in the command's bundles (dist/bundle/*.cjs, whitespace-minified: a few long lines)
 * read through their source maps, each read once: the TypeScript file and line of the function.
 */
export function bundleSources(): SourceOf {
  const maps = new Map<string, { map: SourceMap; dir: string } | null>();
  return (url, line, column) => {
    if (!url.endsWith('.cjs')) return null;
    let known = maps.get(url);
    if (known === undefined) {
      const file = url.startsWith('file://') ? fileURLToPath(url) : url;
      try {
        known = { map: new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]), dir: path.dirname(file) };
      } catch {
        known = null;
      }
      maps.set(url, known);
    }
    if (known === null) return null;
    const entry = known.map.findEntry(line, column);
    if (!('originalSource' in entry)) return null;
    return { file: path.relative(REPO_ROOT, path.resolve(known.dir, entry.originalSource)), line: entry.originalLine + 1 };
  };
}

/** Self time per function (name, file, line) and per file, largest first; `sourceOf` names bundled code by its sources. */
export function summariseProfile(profile: CpuProfile, top = 25, sourceOf: SourceOf = () => null): { totalMs: number; functions: SelfTime[]; files: SelfTime[]; inclusive: SelfTime[] } {
  const byId = new Map<number, CpuProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  let totalUs = 0;
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  const inclusive = new Map<string, number>();
  /** each profile node's file (in its sources where `sourceOf` knows them) and name with its line, worked out once */
  const placed = new Map<number, { where: string; name: string }>();
  const placeOf = (id: number): { where: string; name: string } => {
    let place = placed.get(id);
    if (place === undefined) {
      const f = byId.get(id)!.callFrame;
      const source = f.url ? sourceOf(f.url, f.lineNumber, f.columnNumber) : null;
      const where = source !== null ? source.file : shortUrl(f.url);
      const line = source !== null ? source.line : f.lineNumber + 1;
      place = { where, name: `${f.functionName || '(anonymous)'}${where ? ` ${where}:${line}` : ''}` };
      placed.set(id, place);
    }
    return place;
  };
  const nameOf = (id: number): string => placeOf(id).name;
  for (const [id, us] of selfUs) {
    totalUs += us;
    const f = byId.get(id)!.callFrame;
    const { where, name } = placeOf(id);
    fn.set(name, (fn.get(name) ?? 0) + us);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = nameOf(at);
      if (n !== '(root)') onStack.add(n);
    }
    for (const n of onStack) inclusive.set(n, (inclusive.get(n) ?? 0) + us);
    const fileName = where ? (where.startsWith('node:') ? 'node: internals' : where) : f.functionName || '(anonymous)';
    file.set(fileName, (file.get(fileName) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / totalUs }));
  return { totalMs: totalUs / 1000, functions: rank(fn), files: rank(file), inclusive: rank(inclusive) };
}

/** Replays `capture` once with --workers 0 under --cpu-prof and summarises the profile. */
export async function profileReplay(capture: string, top = 25): Promise<ProfileSummary> {
  // one profile kept at a time, next to the cached captures
  const dir = path.join(CACHE_DIR, 'profile');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const run = await runReplayChild({ capture, workers: 0, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile written in ${dir}`);
  const profileFile = path.join(dir, files[0]!);
  const profile = JSON.parse(await readFile(profileFile, 'utf8')) as CpuProfile;
  return { profileFile, packets: run.summary.packets, ...summariseProfile(profile, top, bundleSources()) };
}

export function printProfile(p: ProfileSummary, top = 20): void {
  const row = (s: SelfTime) => `  ${(s.share * 100).toFixed(1).padStart(5)}%  ${s.ms.toFixed(0).padStart(6)} ms  ${s.name}`;
  console.log(`\nreplay --workers 0 CPU profile: ${p.packets} packets, ${p.totalMs.toFixed(0)} ms sampled (${p.profileFile})`);
  console.log('self time by file:');
  for (const s of p.files.slice(0, 12)) console.log(row(s));
  console.log('self time by function:');
  for (const s of p.functions.slice(0, top)) console.log(row(s));
  console.log('total time (function on the stack):');
  for (const s of p.inclusive.slice(0, top)) console.log(row(s));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const capture = process.argv[2];
  if (!capture) {
    process.stderr.write('usage: node dist/bench/profile.js <capture>\n');
    process.exitCode = 2;
  } else {
    printProfile(await profileReplay(capture), 30);
  }
}
