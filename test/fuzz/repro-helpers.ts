/**
 * Fuzzing's reproducers: captures built from samples/call-small.pcap by rewriting one SIP
 * message's text (lengths fixed), written to a test's folder and replayed in-process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Capture, classify, locate, parsePcap, replacePayload, serializePcap } from './mutate.js';

export const SMALL = path.resolve(process.cwd(), 'samples/call-small.pcap');
export const SMALL_POLICY = path.resolve(process.cwd(), 'samples/policy.json');

const latin1 = new TextDecoder('latin1');
const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);

/** The SIP text of record `frame` (1-based). */
export function sipText(c: Capture, frame: number): string {
  const r = c.records[frame - 1]!;
  const l = locate(c.linkType, r.data)!;
  if (classify(r.data, l) !== 'sip') throw new Error(`frame ${frame} is not SIP`);
  return latin1.decode(r.data.subarray(l.payload, l.payloadEnd));
}

/** Replaces record `frame`'s SIP text (IP/UDP lengths fixed; the text's own Content-Length is the caller's). */
export function setSipText(c: Capture, frame: number, text: string): void {
  const r = c.records[frame - 1]!;
  replacePayload(r, locate(c.linkType, r.data)!, bytesOf(text));
}

/** `text` with its Content-Length set to the length of its body (after the blank line). */
export function fixContentLength(text: string): string {
  const at = text.indexOf('\r\n\r\n');
  const body = at < 0 ? 0 : text.length - at - 4;
  return text.replace(/^Content-Length: *\d+/im, `Content-Length: ${body}`);
}

/** call-small.pcap with frame 7's application/aipref+json part replaced by `json`. */
export function smallWithBodyJson(json: string): Capture {
  const c = parsePcap(readFileSync(SMALL));
  const text = sipText(c, 7);
  const start = text.indexOf('{', text.indexOf('Content-Type: application/aipref+json'));
  const end = text.lastIndexOf('}') + 1;
  setSipText(c, 7, fixContentLength(text.slice(0, start) + json + text.slice(end)));
  return c;
}

/** Writes the capture to `<dir>/<name>.pcap`; its path. */
export function saveRepro(dir: string, name: string, c: Capture): string {
  const file = path.join(dir, `${name}.pcap`);
  writeFileSync(file, serializePcap(c));
  return file;
}
