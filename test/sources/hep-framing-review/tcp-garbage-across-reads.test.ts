/**
 * Found by a review of HEP framing, fixed since: one loss of sync on a HEP TCP stream is one error, however many reads it spans (src/sources/hep-stream.ts push).
 */
// Input: HEPv3 over TCP to `live --hep`: one good frame, then 30 bytes of garbage written in three
//   10-byte TCP segments (100 ms apart, Nagle off), then a good frame.
// Was: three malformed-datagram log lines / malformed-input reports / kind="malformed" 3 for the one
//   run of garbage ("stream byte 251", "stream byte 261", "stream byte 271"): HepStreamFramer.push
//   forgets between reads that it is already skipping garbage and reports a new loss of sync per read
//   (a peer streaming junk gets one warn line and one report per read).
// Correct: one loss of sync → one malformed-input (SPEC §6 malformed-input "with where"; the framer's own
//   contract in hep-stream.ts: "says where it lost sync"), and the stop summary's malformed is 1.
// Fix: src/sources/hep-stream.ts HepStreamFramer.push (keep an "out of sync" flag until the next frame).
import { afterAll, expect, it } from 'vitest';
import { HepLive, sipFrame, sleep } from './framing-helpers.js';

let h: HepLive | undefined;
afterAll(async () => {
  await h?.live.terminate();
});

it('garbage arriving in three TCP reads between two frames is one malformed input, not three', async () => {
  h = await HepLive.start();
  const s = await h.tcp();
  const f = sipFrame();
  s.write(f);
  await sleep(100);
  for (let i = 0; i < 3; i++) {
    s.write(Buffer.from('xxxxxxxxxx'));
    await sleep(100);
  }
  s.write(f);
  await h.until('hep:sip', 2);
  await new Promise<void>((r) => s.end(r));
  await sleep(100);
  const summary = await h.stop();
  h = undefined;
  expect(summary).toMatchObject({ sip: 2, malformed: 1 });
}, 30_000);
