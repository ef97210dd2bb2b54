#!/usr/bin/env node
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { BATCH_V8_FLAGS } from '../dist/src/cli/v8-flags.js';

// V8 flags for the commands that read a file and end (src/cli/v8-flags.ts says why), set
// before any of the enforcer's code is loaded: that module holds a constant and nothing else.
if (process.argv[2] !== 'live') v8.setFlagsFromString(BATCH_V8_FLAGS);
else {
  // A SIGHUP (systemctl reload) while the bundle loads would end the process (its default
  // action): noted here, and applied by live once it has started (src/cli/live.ts runLive).
  const loading = { count: 0, listener: () => { loading.count++; } };
  process.on('SIGHUP', loading.listener);
  globalThis[Symbol.for('aipref-enforcer.sighup-while-loading')] = loading;
}

// AIPREF_DEBUG prints the stack of an error that stops a command: in the TypeScript sources'
// lines, through the bundle's source maps.
if (process.env.AIPREF_DEBUG) process.setSourceMapsEnabled(true);

// The bundle (npm run build): every command in one CommonJS file, loaded with V8's code cache
// that the build wrote beside it (src/cli/bundle-loader.ts), so that a command compiles only
// what the build's warm-up did not run. `live` starts without the batch flags, which V8's cache
// was made under: it compiles as it runs.
const { loadBundle } = await import('../dist/src/cli/bundle-loader.js');
const { main } = loadBundle(fileURLToPath(new URL('../dist/bundle/main.cjs', import.meta.url)), process.argv[2] !== 'live').exports;

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`aipref-enforcer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
