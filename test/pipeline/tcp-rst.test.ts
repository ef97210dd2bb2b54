/**
 * TCP boundaries: RST validity (RFC 5961 §3.2 / RFC 9293 §3.10.7.4),
 * stale RST duplicates, FIN after RST, simultaneous open, mid-capture start then a reused four-tuple.
 */
import { describe, expect, it } from 'vitest';
import { buildIpv4Tcp, TcpFlag } from '../../native-free/frame-builder.js';
import { LinkType } from '../../native-free/types.js';
import { text, type TestRecord } from '../native-free/packet-helpers.js';
import { A, B, sipMessage, sipOf } from './tcp-sip.js';

/** ack undefined: no ACK flag (a bare SYN); otherwise the ACK flag with that number. */
function seg(dir: typeof A, seq: number, flags: number, payload = '', ack: number | undefined = 1): TestRecord {
  return { data: buildIpv4Tcp({ ...dir, seq, ...(ack !== undefined ? { ack } : {}), flags, payload: text(payload), link: 'raw' }), linkType: LinkType.RAW };
}

describe('RST validity (RFC 5961 §3.2: an RST whose sequence number is outside the window is discarded)', () => {
  it('an RST from the peer far outside its window (blind/spoofed) does not cut the message in flight', async () => {
    const invite = sipMessage('INVITE', 'rst-oow');
    const records = [
      seg(A, 1000, TcpFlag.SYN, '', undefined),
      seg(B, 5000, TcpFlag.SYN, '', 1001),
      seg(A, 1001, TcpFlag.PSH, invite.slice(0, 80), 5001),
      seg(B, 0x7000_0000, TcpFlag.RST, '', undefined), // B's next sequence number is 5001
      seg(A, 1081, TcpFlag.PSH, invite.slice(80), 5001),
    ];
    expect(await sipOf(records)).toEqual([[5, 'tcp', ['INVITE rst-oow']]]);
  });

  it("a late duplicate of the old connection's RST does not reset the new connection on the same four-tuple", async () => {
    const invite = sipMessage('INVITE', 'rst-dup');
    const records = [
      seg(A, 1000, TcpFlag.SYN, '', undefined),
      seg(B, 5000, TcpFlag.SYN, '', 1001),
      seg(B, 5001, TcpFlag.RST, '', undefined), // valid: ends connection 1
      seg(A, 900_000, TcpFlag.SYN, '', undefined), // connection 2, new ISNs
      seg(B, 3_000_000, TcpFlag.SYN, '', 900_001),
      seg(A, 900_001, TcpFlag.PSH, invite.slice(0, 80), 3_000_001),
      seg(B, 5001, TcpFlag.RST, '', undefined), // the same RST again (duplicated / reordered in the capture)
      seg(A, 900_081, TcpFlag.PSH, invite.slice(80), 3_000_001),
    ];
    expect(await sipOf(records)).toEqual([[8, 'tcp', ['INVITE rst-dup']]]);
  });

  it('the RST sent twice (valid, same number): the half message is reported cut once', async () => {
    const invite = sipMessage('INVITE', 'rst-twice');
    const records = [
      seg(A, 1000, TcpFlag.SYN, '', undefined),
      seg(B, 5000, TcpFlag.SYN, '', 1001),
      seg(A, 1001, TcpFlag.PSH, invite.slice(0, 80), 5001),
      seg(B, 5001, TcpFlag.RST, '', undefined),
      seg(B, 5001, TcpFlag.RST, '', undefined),
    ];
    expect(await sipOf(records)).toEqual([[4, 'tcp', ['no-header-end: 80 bytes of a message cut by RST, dropped']]]);
  });

  it("FIN after RST (the peer's FIN was in flight): nothing more reported", async () => {
    const invite = sipMessage('INVITE', 'fin-after-rst');
    const records = [
      seg(A, 1000, TcpFlag.SYN, '', undefined),
      seg(B, 5000, TcpFlag.SYN, '', 1001),
      seg(A, 1001, TcpFlag.PSH, invite.slice(0, 80), 5001),
      seg(B, 5001, TcpFlag.RST, '', undefined),
      seg(A, 1081, TcpFlag.FIN, invite.slice(80), 5001),
    ];
    expect(await sipOf(records)).toEqual([[4, 'tcp', ['no-header-end: 80 bytes of a message cut by RST, dropped']]]);
  });
});

describe('opening', () => {
  it('simultaneous open (SYN, SYN, SYN-ACK, SYN-ACK; RFC 9293 §3.5 figure 7): both messages whole', async () => {
    const inv = sipMessage('INVITE', 'simul-a');
    const opt = sipMessage('OPTIONS', 'simul-b');
    const records = [
      seg(A, 1000, TcpFlag.SYN, '', undefined),
      seg(B, 5000, TcpFlag.SYN, '', undefined),
      seg(A, 1000, TcpFlag.SYN, '', 5001),
      seg(B, 5000, TcpFlag.SYN, '', 1001),
      seg(A, 1001, TcpFlag.PSH, inv.slice(0, 50), 5001),
      seg(B, 5001, TcpFlag.PSH, opt.slice(0, 50), 1051),
      seg(A, 1051, TcpFlag.PSH, inv.slice(50), 5051),
      seg(B, 5051, TcpFlag.PSH, opt.slice(50), 1001 + inv.length),
    ];
    expect(await sipOf(records)).toEqual([
      [7, 'tcp', ['INVITE simul-a']],
      [8, 'tcp', ['OPTIONS simul-b']],
    ]);
  });

  it('capture starts mid-connection, then a new connection reuses the four-tuple with a random ISN', async () => {
    const first = sipMessage('INVITE', 'mid-1');
    const second = sipMessage('INVITE', 'mid-2');
    const records = [
      seg(A, 70_000, TcpFlag.PSH, first.slice(0, 30), 9000), // first bytes seen: mid-stream
      seg(A, 70_030, TcpFlag.PSH, first.slice(30), 9000),
      seg(A, 70_000 + first.length, TcpFlag.FIN, '', 9000),
      seg(B, 9000, TcpFlag.FIN, '', 70_001 + first.length),
      seg(A, 12_345, TcpFlag.SYN, '', undefined),
      seg(B, 44_444, TcpFlag.SYN, '', 12_346),
      seg(A, 12_346, TcpFlag.PSH, second.slice(0, 40), 44_445),
      seg(A, 12_386, TcpFlag.PSH, second.slice(40), 44_445),
    ];
    expect(await sipOf(records)).toEqual([
      [2, 'tcp', ['INVITE mid-1']],
      [8, 'tcp', ['INVITE mid-2']],
    ]);
  });
});
