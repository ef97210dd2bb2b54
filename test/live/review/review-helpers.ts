/** Shared by the review-live tests: a temp folder, a raw-export default policy, /metrics scraping. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function tempWithRawPolicy(prefix: string): Promise<{ dir: string; policy: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const policy = path.join(dir, 'policy.json');
  await writeFile(policy, JSON.stringify({ apts: { d: { type: 'domain', export: 'raw', retention: '1h' } }, default: 'd' }));
  return { dir, policy };
}

export async function scrape(port: number, what: '/metrics' | '/healthz' = '/metrics'): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${what}`);
  return { status: res.status, text: await res.text() };
}

/** A series' value in Prometheus text; 0 when absent. */
export function metric(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Every sample line (no comments) of one metric family. */
export function samples(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' '));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls /metrics until `series` stops changing (or reaches `target`); returns the last text. */
export async function untilSettled(port: number, series: string, target?: number, maxMs = 10_000): Promise<string> {
  let last = -1;
  let text = '';
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    text = (await scrape(port)).text;
    const n = metric(text, series);
    if (target !== undefined ? n >= target : n === last) return text;
    last = n;
    await sleep(250);
  }
  return text;
}
