/**
 * Found by a review of the URL display rewrite (round 21), fixed since: C1 controls (U+0080–U+009F)
 *   are replaced with C0's and DEL (src/export/http-transport.ts forLog).
 * Input: `live … --to http://<svc>/ingest`, the service (or a gateway before it) answering the POST
 *   `302` with a Location holding the bytes 0x85 (NEL) and 0x9B (CSI) — `https://h/x<85><9B>31m?sig=S3CRET`;
 *   here HttpTransport.deliver against a raw TCP server sending that answer.
 * Was (observed): reason `HTTP 302 redirect to https://h/x\u0085\u009b31m?sig=…: not followed,
 *   nothing delivered` — fetch hands header bytes over as latin1, so 0x80–0x9F become the C1
 *   controls U+0080–U+009F; forLog replaces C0 and DEL only, and JSON.stringify leaves C1 as is.
 *   In the NDJSON log line: U+0085 is a line break to Python's str.splitlines() and other
 *   Unicode-aware line readers (one record read as two broken halves), U+009B is CSI, the
 *   one-byte form of ESC [ (a terminal honouring C1 takes `\u009b31m` as a colour change).
 * Correct: forLog's promise, "a header's value on one line", with the control characters a peer
 *   sends made harmless as C0's are; no URL holds a raw C1 character (WHATWG percent-encodes
 *   them), so nothing the operator needs is lost.
 * Fix: src/export/http-transport.ts forLog: replace /[\x00-\x1f\x7f-\x9f]/ (C1 too) — the
 *   WWW-Authenticate challenge goes through it as well.
 */
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpTransport } from '../../../src/export/http-transport.js';

let srv: net.Server;
let port = 0;
beforeAll(async () => {
  const answer = Buffer.concat([
    Buffer.from('HTTP/1.1 302 Found\r\nLocation: https://h/x', 'latin1'),
    Buffer.from([0x85, 0x9b]),
    Buffer.from('31m?sig=S3CRET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1'),
  ]);
  srv = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.end(answer));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  port = (srv.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => srv.close(() => r()));
});

it('a redirect reason holds no C1 control character', async () => {
  const t = new HttpTransport({ url: `http://127.0.0.1:${port}/ingest`, timeoutMs: 5000 });
  const outcome = await t.deliver('{}', 'r1', new AbortController().signal);
  await t.close();
  const reason = outcome.kind === 'retry' ? outcome.reason : '';
  expect(reason).toMatch(/^HTTP 302 redirect to https:\/\/h\/x/);
  expect(reason).not.toContain('S3CRET');
  expect(reason).not.toMatch(/[\u0080-\u009f]/);
  // as a log reader splitting on Unicode line breaks sees it
  expect(JSON.stringify({ reason }).split(/\r\n|[\n\r\v\f\u001c-\u001e\u0085\u2028\u2029]/)).toHaveLength(1);
});
