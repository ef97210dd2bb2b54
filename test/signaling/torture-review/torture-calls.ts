/** Torture-shaped calls between A (10.0.0.1, audio 4000, SSRC 1111) and B (10.0.0.2), on the hand-built e2e helpers. */
import { execFileSync } from 'node:child_process';
import { CALL, type At, decided, replayCall, sdpOf, srOfA, THREE, writeCall } from '../../e2e/hand-built-calls.js';
import { parseLines, type ReplayLines, type ReportLine, type Workspace } from '../../e2e/e2e-helpers.js';
import { crlf, latin1 } from './torture-messages.js';

export { CALL, decided, sdpOf, srOfA, THREE };

/** A message from lines (byte strings) and a body: `Content-Length` is appended as `lengthName: n` unless null. */
export function msg(lines: string[], body = '', lengthName: string | null = 'l'): Uint8Array {
  return latin1(crlf([...lines, ...(lengthName === null ? [] : [`${lengthName}: ${body.length}`]), '', body]));
}

export const ok200 = (sdp: string, extra: string[] = []): Uint8Array =>
  msg(['SIP/2.0 200 OK', 'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtort1', 'F: <sip:a@10.0.0.1>;tag=aaa', 'T: <sip:b@10.0.0.2>;tag=bbb', `I: ${CALL}`, 'CSeq: 1 INVITE', 'M: <sip:b@10.0.0.2:5060>', 'C: application/sdp', ...extra], sdp);
export const ack = (): Uint8Array =>
  msg(['ACK sip:b@10.0.0.2 SIP/2.0', 'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtortack', 'f: <sip:a@10.0.0.1>;tag=aaa', 't: <sip:b@10.0.0.2>;tag=bbb', `i: ${CALL}`, 'CSeq: 1 ACK']);

/** INVITE (frame 1), 200 (2), ACK (3), then an SR of A's SSRC (4). */
export async function torturedCall(ws: Workspace, name: string, invite: Uint8Array, answer = ok200(sdpOf('b', [])), more?: (at: At) => void): Promise<ReplayLines> {
  return replayCall(
    ws,
    name,
    (at) => {
      at(0, invite, true);
      at(0.1, answer, false);
      at(0.2, ack(), true);
      at(1, srOfA(), true, 4001, 5001);
      more?.(at);
    },
    THREE,
  );
}

export const reportsOf = (run: ReplayLines): ReportLine[] => parseLines<ReportLine>(run.reports);
export const malformed = (run: ReplayLines): ReportLine[] => reportsOf(run).filter((r) => r.type === 'malformed-input');

/** tshark's reading of one pcap: per SIP frame, the fields asked for (tab-separated). */
export async function tsharkFields(ws: Workspace, name: string, write: (at: At) => void, fields: string[]): Promise<string[]> {
  const file = await ws.file(`${name}.pcap`);
  await writeCall(file, write);
  const out = execFileSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.length > 0);
}
