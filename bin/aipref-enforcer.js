#!/usr/bin/env node
import v8 from 'node:v8';

// V8 tiers a function up to optimised code after a budget of bytecode run in it. The default
// budget suits long-lived servers; for a replay, which is over in a second or two, it has the
// optimising compiler build code for over a hundred functions, some several times, on the
// cores the replay itself needs: a 1-million-packet replay made 126 compilations (1.1 s of
// compiler time) with --workers 0 and 214 (2.2 s) with --workers 2, where every worker compiles
// its own code. With the budget 18 times larger: 30 (0.18 s) and 42 (0.41 s), and the replay
// is faster (README, Performance); larger budgets (3 M, 8 M) were slower again, the hot paths
// then running unoptimised for too long. Set before any of the enforcer's code is loaded; worker
// threads share it. Only for the commands that read a file and end: `live` runs for days,
// and its first packets are better served by code optimised as soon as it is hot.
if (process.argv[2] !== 'live') v8.setFlagsFromString('--interrupt-budget=1200000');

// AIPREF_DEBUG prints the stack of an error that stops a command: in the TypeScript sources'
// lines, through the bundle's source maps.
if (process.env.AIPREF_DEBUG) process.setSourceMapsEnabled(true);

// The bundle (npm run build): one file per command instead of ninety modules to resolve and link.
const { main } = await import('../dist/bundle/main.js');

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`aipref-enforcer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
