// Runs the compiled CLI in this process, sampling its resident memory as it goes, and prints
// the samples (MiB, one per 50 ms) and the peak (KiB) as its last two lines.
import { main } from '../../dist/src/cli/main.js';

const samples = [];
const timer = setInterval(() => samples.push(Math.round(process.memoryUsage.rss() / 2 ** 20)), 50);
const code = await main(process.argv.slice(2));
clearInterval(timer);
process.stdout.write(`\nrss ${samples.join(' ')}\nmaxRSS ${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
