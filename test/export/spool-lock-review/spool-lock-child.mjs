// A process holding the spool of a folder, for test/export/spool-lock-review/two-services-one-spool.test.ts:
// node spool-lock-child.mjs <spoolDir>; prints "ok" once the spool is open (or "refused <why>"),
// then holds it until killed.
import { AiServiceExporter } from '../../../dist/src/export/http-exporter.js';
const [spoolDir] = process.argv.slice(2);
try {
  await AiServiceExporter.open({ url: 'http://127.0.0.1:9/ingest', spoolDir, backoff: { baseMs: 60_000, maxMs: 60_000 } });
  process.stdout.write('ok\n');
  setInterval(() => {}, 60_000);
} catch (err) {
  process.stdout.write('refused ' + err.message + '\n');
}
