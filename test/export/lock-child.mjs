// A process holding (or refused) the exports lock of a folder, for test/export/ndjson-lock.test.ts:
// node lock-child.mjs <dir> <holdMs|stdin> <startAtEpochMs>; prints "ok" or "refused <why>".
import { RotatingNdjsonExporter } from '../../dist/src/export/ndjson-rotating.js';
const [dir, holdMs, startAt] = process.argv.slice(2);
// started together: wait (busily, to the millisecond) for the agreed moment
const wait = Number(startAt) - Date.now();
if (wait > 0) { const end = Date.now() + wait; while (Date.now() < end) {} }
try {
  const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
  process.stdout.write('ok\n');
  // held for holdMs, or (holdMs "stdin") until standard input ends: a race's taker holds until every
  // other taker has tried, however late a loaded machine started it
  if (holdMs === 'stdin') await new Promise((r) => { process.stdin.on('end', r).on('error', r).resume(); });
  else await new Promise((r) => setTimeout(r, Number(holdMs)));
  await ex.close();
} catch (err) {
  process.stdout.write('refused ' + err.message + '\n');
}
