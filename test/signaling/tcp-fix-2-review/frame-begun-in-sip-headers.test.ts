/**
 * Found by a review of SIP over TCP framing (4c9813e), fixed since: a frame begun is carried only from a first byte no text has (FIN set: 0x81, 0x82, 0xc1, 0xc2, or a Close, Ping, Pong; not a line of text) and taken once it ends where the bytes end or where a frame starts whose first byte is no text either; 'A'/'B' opening a line of text is no frame (src/signaling/sip-flows.ts frameBegun, opensWithFrames, textLine, SipFlowDemux.classify).
 * Input: plain SIP over TCP, the capture joined mid-message (no SYN): the direction's first
 *   captured segment is the tail of a header section starting "\r\nAllow: INVITE, ACK, BYE,
 *   CANCEL, OPTIONS\r\n" (45 bytes, a sender writing its header lines apart), the next segment the
 *   rest of that header section ("Supported: …", "Content-Length: 0", empty line) and a
 *   MESSAGE, the third an OPTIONS. The Supported line's LF falls 110 bytes after the 'A'.
 * Correct: SPEC §7 SIP over TCP; README "A direction picked up mid-message is searched for the
 *   next SIP start line": a SIP direction picked up mid-message is read from its next start
 *   line — MESSAGE at frame 2, OPTIONS at frame 3.
 */
import { expect, it } from 'vitest';
import { A, seg, sipMsg, TcpFlag } from '../tcp-reassembly-review/lab.js';
import { startLines } from '../tcp-suspicions-review/feed.js';

const P = TcpFlag.PSH | TcpFlag.ACK;

it('SIP picked up inside a header section whose first segment opens with an Allow line: the messages after it are read', async () => {
  const m2 = sipMsg('MESSAGE', 'two', 'hello', 'Content-Type: text/plain\r\n');
  const m3 = sipMsg('OPTIONS', 'three');
  const first = '\r\nAllow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n';
  const supported = 'Supported: timer,path,gruu,outbound,replaces,100rel,norefersub,tdialog,from-change,histinfo'.slice(0, 112 - first.length - 1);
  const rest = `${supported}\r\nContent-Length: 0\r\n\r\n`;
  // the guard of the case: 'l' (108) after 'A' at offset 2 puts the end of a "frame" at 112, an LF
  expect(Buffer.from(first + rest, 'latin1')[112]).toBe(0x0a);
  const recs = [seg(A, 1000, P, first, 0, 9000), seg(A, 1000 + first.length, P, rest + m2, 0, 9000), seg(A, 1000 + first.length + rest.length + m2.length, P, m3, 0, 9000)];
  expect(await startLines(recs)).toEqual([[2, ['MESSAGE two']], [3, ['OPTIONS three']]]);
});
