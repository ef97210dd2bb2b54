/**
 * Runs the aipref-enforcer CLI in this process and, at exit, writes the process's peak resident
 * set size (process.resourceUsage().maxRSS, kilobytes, worker threads included) to the file
 * named by AIPREF_BENCH_RSS_FILE. Used by the end-to-end benchmark when /usr/bin/time is absent.
 *
 *   AIPREF_BENCH_RSS_FILE=f node dist/bench/peak-rss-child.js replay <capture> ...
 */
import { writeFileSync } from 'node:fs';
import { main } from '../src/cli/main.js';

const rssFile = process.env.AIPREF_BENCH_RSS_FILE;
process.on('exit', () => {
  if (rssFile) writeFileSync(rssFile, `${process.resourceUsage().maxRSS}\n`);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`aipref-enforcer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
