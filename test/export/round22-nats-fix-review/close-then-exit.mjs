// node close-then-exit.mjs <exporter module> <nats port>: opens an exporter on the nats-server at 127.0.0.1:<port>,
// prints 'opened'; on SIGUSR2 closes it (grace 100 ms) and prints 'closed <ms>'. Nothing else of its own holds
// the process: it ends once the exporter lets go of the event loop.
const [mod, port] = process.argv.slice(2);
const { NatsJetStreamExporter } = await import(mod);
const exporter = await NatsJetStreamExporter.open({ servers: `nats://127.0.0.1:${port}`, maxRetentionSec: 60, connection: { reconnectTimeWait: 50 } });
console.log('opened');
process.once('SIGUSR2', async () => {
  const t = Date.now();
  await exporter.close(100);
  console.log(`closed ${Date.now() - t}`);
  setTimeout(() => console.log(`holding: ${process.getActiveResourcesInfo().join(',')}`), 1000).unref();
});
