// Preloaded (--import) into a command: records, per vm.Script compiled with cachedData, whether V8 took it.
import vm from 'node:vm';
import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
const Orig = vm.Script;
const out = process.env.RV_PROBE_FILE;
vm.Script = class extends Orig {
  constructor(code, options) {
    super(code, options);
    if (out && options && typeof options.filename === 'string' && options.filename.endsWith('.cjs'))
      appendFileSync(out, JSON.stringify({ file: options.filename.split('/').pop(), main: isMainThread, given: options.cachedData !== undefined, rejected: this.cachedDataRejected ?? null }) + '\n');
  }
};
