#!/usr/bin/env node
import v8 from 'node:v8';

// V8 tiers a function up to optimised code after a budget of bytecode run in it. The default
// budget suits long-lived servers; for a replay, which is over in a second or two, it makes the
// optimising compiler rebuild the same hot functions several times on the one spare core
// (136 compilations, 1.1 s of compiler time for a 1-million-packet replay). A budget six times
// larger leaves about 60 compilations of 0.5 s and the replay faster (README, Performance).
// Set before any of the enforcer's code is loaded; worker threads share the setting.
v8.setFlagsFromString('--interrupt-budget=400000');

// The bundle (npm run build): one file per command instead of ninety modules to resolve and link.
const { main } = await import('../dist/bundle/main.js');

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`aipref-enforcer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
