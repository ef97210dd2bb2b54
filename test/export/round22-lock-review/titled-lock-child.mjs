// node titled-lock-child.mjs <title|-> <dir> <holdMs|stdin> <kind: ndjson|spool>: sets process.title
// (unless "-"), takes the folder's lock (NDJSON exports or spool), prints "ok" or "refused <why>".
import { RotatingNdjsonExporter } from '../../../dist/src/export/ndjson-rotating.js';
import { DiskSpool } from '../../../dist/src/export/spool.js';
const [title, dir, holdMs, kind] = process.argv.slice(2);
if (title !== '-') process.title = title;
try {
  const held = kind === 'spool' ? await DiskSpool.open(dir, { lock: true }) : await RotatingNdjsonExporter.open({ dir, base: 'exports' });
  process.stdout.write('ok\n');
  // held for holdMs, or (holdMs "stdin") until standard input ends: a race's taker holds until every
  // other taker has tried, however late a loaded machine started it
  if (holdMs === 'stdin') await new Promise((r) => { process.stdin.on('end', r).on('error', r).resume(); });
  else await new Promise((r) => setTimeout(r, Number(holdMs)));
  await held.close();
} catch (err) {
  process.stdout.write('refused ' + err.message + '\n');
}
