/**
 * A --to whose scheme is written in capitals (WSS://, WS://) is a WebSocket service: URL schemes
 * are case-insensitive (RFC 3986 §3.1), and the exporter opens it as ws. The name live gives that
 * exporter — in its start line, its export-failure log lines and the metrics' exporter label — was
 * chosen by a case-sensitive startsWith('ws') and said "http" (src/cli/live.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LiveChild } from './live-helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'to-scheme-case-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const [to, name] of [
  ['WSS://127.0.0.1:1/x', 'ws'],
  ['Ws://127.0.0.1:1/x', 'ws'],
  ['HTTP://127.0.0.1:1/x', 'http'],
] as const) {
  it(`--to ${to} is the ${name} exporter in live's start line`, async () => {
    const spool = await mkdtemp(path.join(dir, 'spool-'));
    const { live } = await LiveChild.start(['--hep', '127.0.0.1:0', '--to', to, '--spool', spool]);
    try {
      const startLine = await live.waitFor((l) => l.event === 'start');
      expect(startLine.exporters).toEqual([name]);
    } finally {
      await live.terminate();
    }
  }, 180_000);
}
