// node open-with-dns.mjs <exporter module> <servers> <resolve4 json> <resolve6 json>: opens a NatsJetStreamExporter with dns.resolve4/6 answering as given; prints 'opened' or 'refused: …'
import dns from 'node:dns';
const [mod, servers, a, aaaa] = process.argv.slice(2);
const answer = (list) => (host, cb) => (JSON.parse(list).length ? cb(null, JSON.parse(list)) : cb(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' })));
dns.resolve4 = answer(a);
dns.resolve6 = answer(aaaa);
const { NatsJetStreamExporter } = await import(mod);
try {
  const e = await NatsJetStreamExporter.open({ servers, maxRetentionSec: 60, connection: { timeout: 3000, maxReconnectAttempts: 0 } });
  await e.close(100);
  console.log('opened');
} catch (err) {
  console.log(`refused: ${err.message}`);
}
process.exit(0);
