/**
 * Found by a review of the README's claims, fixed since: replay --to does not send a datagram the snap length cut — counted in skipped, the first said on stderr with its frame and offset, their count at the end (src/sources/replay-sender.ts replayCapture); README says so.
 */
/**
 * Input: a capture taken with a short snap length (the project's generator, snapLen 96, as
 * `tcpdump -s 96` writes: every record keeps its first 96 bytes), sent to a listener with
 * `aipref-enforcer replay cut.pcap --to udp://127.0.0.1:<port> --speed 0` (and `--to hep://…`).
 *
 * Was (observed): exit 0, stdout `{"sent":N,"skipped":0}` with N = every record, stderr empty.
 * Each cut record goes out as a whole datagram (or HEP frame) holding only the bytes captured:
 * a 1415-byte INVITE arrives as a 54-byte SIP message, an RTCP compound loses its tail. A live
 * enforcer fed so cannot tell: over HEP the same capture gives 96 report lines live (`sip
 * no-header-end`, `missing-call-id`, `missing-from-tag` per cut SIP message) against 52 from an
 * offline `replay` (one `sip snaplen-cut … cut by the capture's snap length` each), and the
 * live summary counts 0 RTCP where the replay counts 22.
 *
 * Correct: README line 1286: `replay --to` "prints `{sent, skipped}` (a record the capture cut
 * short is said on stderr and counted in `skipped`)"; and line 1293: "Over HEP the live exports
 * and reports equal an offline `replay` of the same capture line for line". A record the snap
 * length cut is a record the capture cut short: sending its first bytes as if they were the
 * datagram misleads the receiver (an operator replaying a `tcpdump -s` capture into `live` gets
 * reports of broken SIP that was never broken).
 *
 * Fix: src/sources/replay-sender.ts replayCapture: after `decoder.decode(...)`, when
 * `view.payloadCut > 0`, `result.skipped++` and `opts.onWarning?.(`${path}: frame ${frame}:
 * ${view.payloadLength} of ${view.payloadLength + view.payloadCut} bytes captured (snap length):
 * not sent`)` (once per file, with a count, would do too), then continue. (Or, if forwarding cut
 * records is intended, the README sentence at line 1286 must say they are sent as captured and
 * line 1293 must except snap-length-cut captures.)
 */
import { createSocket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, smallCapture, Workspace } from '../../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('README: replay --to says and skips a record the capture cut short', () => {
  it('a snap-length-cut capture: the cut records are counted in skipped and said on stderr', async () => {
    const cap = await ws.generate({ ...smallCapture(7, 2), snapLen: 96 });
    const records = (await cli('inspect', cap.path, '--json', '--quiet')).stdout.trim().split('\n');
    const cutRecords = records.filter((l) => l.includes('"cut":') || l.includes('snaplen-cut')).length;
    expect(cutRecords).toBeGreaterThan(0);

    const sock = createSocket('udp4');
    let received = 0;
    sock.on('message', () => received++);
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
    const port = sock.address().port;
    try {
      const r = await cli('replay', cap.path, '--to', `udp://127.0.0.1:${port}`, '--speed', '0');
      expect(r.code).toBe(0);
      const { sent, skipped } = JSON.parse(r.stdout) as { sent: number; skipped: number };
      expect(sent + skipped).toBe(records.length);
      // what the README promises: each cut record counted in `skipped`, and said on stderr
      expect(skipped).toBe(cutRecords);
      expect(r.stderr).not.toBe('');
    } finally {
      sock.close();
    }
  });
});
