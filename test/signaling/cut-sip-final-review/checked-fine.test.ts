/** Checks of the snap-length-cut SIP rule that came out fine (the call of ./sweep-lib.ts). */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { CALL, msgs, RANK, run } from './sweep-lib.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const headerEnd = (b: Uint8Array): number => Buffer.from(b).indexOf('\r\n\r\n') + 4;
const rank = (d: string): [string, number] => [d.split(' ')[0]!, RANK[d.split(' ')[1]!]!];
const SDP_MSGS = CALL.map((c, i) => [c, i] as const).filter(([c]) => Buffer.from(c.msg.payload).includes('m=audio'));

describe('snap-length-cut SIP, checked fine', () => {
  // Every byte offset inside the body of every SDP-carrying message (INVITE, reliable 183, PRACK
  // offer and its 200, re-INVITE and 200, UPDATE and 200, 2nd re-INVITE and 200): no crash, one
  // snaplen-cut report at the cut frame, and no SR is exported or aggregated where the uncut
  // capture aggregates or drops (body cuts are never more permissive).
  it('body cut at every offset: never more permissive than uncut', async () => {
    const whole = await run(ws, 'whole.pcap', msgs());
    const uncut = new Map(whole.decisions.map(rank));
    const looser: string[] = [];
    for (const [c, i] of SDP_MSGS) {
      for (let keep = headerEnd(c.msg.payload); keep < c.msg.payload.length; keep++) {
        const o = await run(ws, 'cut.pcap', msgs(i, keep));
        expect(o.reports.filter((r) => r.type === 'malformed-input' && r.frame === i + 1 && /snaplen-cut/.test(r.detail ?? '')).length, `${c.name} ${keep}`).toBe(1);
        for (const [f, r] of o.decisions.map(rank)) if (r < uncut.get(f)!) looser.push(`${c.name} keep ${keep}: frame ${f}`);
      }
    }
    expect(looser).toEqual([]);
  }, 120_000);

  // A cut copy right after each message seen whole (every 7th offset, header and body cuts):
  // decisions equal the uncut capture's (a retransmission by its headers' digest).
  it('cut copy of a message seen whole changes no decision', async () => {
    const whole = await run(ws, 'whole.pcap', msgs());
    for (const [c, i] of CALL.map((x, j) => [x, j] as const).filter(([x]) => x.msg.payload.length > 100)) {
      for (let keep = i % 7; keep < c.msg.payload.length; keep += 7) {
        const m = msgs();
        m.splice(i + 1, 0, { ...c.msg, keep });
        const o = await run(ws, 'copy.pcap', m);
        const dec = o.decisions.map((d) => { const [f, ...r] = d.split(' '); return `${Number(f) > i + 1 ? Number(f) - 1 : f} ${r.join(' ')}`; });
        expect(dec, `${c.name} ${keep}`).toEqual(whole.decisions);
      }
    }
  }, 120_000);

  // --workers 0 and 2 give the same decisions, reports and export count for a header cut, a
  // cut before m= and a cut after m= of each SDP-carrying message.
  it('workers 0 and 2 agree', async () => {
    for (const [c, i] of SDP_MSGS) {
      const p = Buffer.from(c.msg.payload);
      for (const keep of [headerEnd(p) - 5, p.indexOf('m=audio') - 3, p.length - 4]) {
        const a = await run(ws, 'w0.pcap', msgs(i, keep), 0);
        const b = await run(ws, 'w2.pcap', msgs(i, keep), 2);
        expect(b, `${c.name} ${keep}`).toEqual(a);
      }
    }
  }, 120_000);
});
