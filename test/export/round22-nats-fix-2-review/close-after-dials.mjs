// node close-after-dials.mjs <exporter module> <nats port> <connection timeout ms>: opens an exporter on the nats-server at
// 127.0.0.1:<port> with the given connection timeout (reconnectTimeWait 50), prints 'opened'; counts the plain sockets made
// (net.client.socket) and prints 'dials <n>' on each; on SIGUSR2 closes it (grace 100 ms), prints 'closed <ms>', then
// 'holding: …' a second later. Nothing else of its own holds the process.
import { subscribe } from 'node:diagnostics_channel';
const [mod, port, timeout] = process.argv.slice(2);
const { NatsJetStreamExporter } = await import(mod);
const exporter = await NatsJetStreamExporter.open({ servers: `nats://127.0.0.1:${port}`, maxRetentionSec: 60, connection: { reconnectTimeWait: 50, timeout: Number(timeout) } });
let dials = 0;
let closedAt;
subscribe('net.client.socket', () => {
  dials++;
  console.log(`dials ${dials}${closedAt === undefined ? '' : ' after close'}`);
});
console.log('opened');
process.once('SIGUSR2', async () => {
  const t = Date.now();
  await exporter.close(100);
  closedAt = Date.now();
  console.log(`closed ${closedAt - t}`);
  setTimeout(() => console.log(`holding: ${process.getActiveResourcesInfo().join(',')}`), 1000).unref();
});
