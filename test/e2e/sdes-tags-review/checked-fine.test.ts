/**
 * SDES PRIV aipref / MID / RID checks found fine (SPEC §2 item 4, §4; RFC 3550 §6.5, RFC 8843).
 * Every replay runs with --workers 0 and 2 (replayCall compares decisions and reports).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, parseLines, type DecisionLine, type ReportLine, Workspace } from '../e2e-helpers.js';
import { replayCall, request, response, sdpOf, writeCall } from '../hand-built-calls.js';
import { bundleSdp, cname, compound, item, mid, POLICY, priv, rid, rrOf, run, srOf } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const RAW = { offerLines: ['a=aipref:mid apt-raw'] };
const d = (x: { decisions: DecisionLine[] }) => x.decisions.map((l) => `${l.frame} ${l.ssrc} ${l.pt} ${l.decision} ${l.reason} ${l.apt.join(',')}`);

describe('PRIV aipref binding', () => {
  it('a tag equal to the signaled identifier: no conflict, raw export of the CNAME only', async () => {
    const x = await run(ws, 'same', RAW, [compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', 'apt-raw')] }])]);
    expect(d(x)).toEqual(['4 1111 200 export raw-allowed apt-raw', '4 1111 202 export raw-allowed apt-raw']);
    expect(x.reports).toEqual([]);
    expect(x.exports.find((e) => e.item?.pt === 202)!.item!.chunks).toEqual([{ ssrc: 1111, items: [{ type: 1, text: 'a@10.0.0.1' }] }]);
  });

  it('a tag the signaling does not name: binding-conflict once, both apply, most restrictive wins', async () => {
    const x = await run(ws, 'conflict', RAW, [
      compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', 'apt-agg')] }]),
      compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', 'apt-agg')] }]),
    ]);
    expect(x.reports.map((r) => `${r.type} ${r.frame} ${r.ssrc} ${r.mid} ${r.apt}`)).toEqual(['binding-conflict 4 1111 a apt-raw,apt-agg']);
    expect(d(x).map((l) => l.split(' ').slice(3, 5).join(' '))).toEqual(Array(4).fill('aggregate aggregated-only'));
  });

  it('two aipref items in one chunk both apply', async () => {
    const x = await run(ws, 'two', RAW, [compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', 'apt-raw'), priv('aipref', 'apt-none')] }])]);
    // decisions name the identifier that decided (apt-none); the binding table holds both
    expect(d(x)).toEqual(['4 1111 200 drop export-none apt-none', '4 1111 202 drop export-none apt-none']);
    expect(x.bindings.find((b) => b.ssrc === 1111)!.apt).toEqual(['apt-raw', 'apt-none']);
  });

  it('a later, different tag adds a restriction from its packet on, and it stays', async () => {
    const x = await run(ws, 'later', RAW, [
      compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', 'apt-raw')] }]),
      compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', 'apt-none')] }]),
      compound(1111, [{ ssrc: 1111, items: [cname()] }]),
    ]);
    expect(d(x).filter((l) => l.includes(' 200 '))).toEqual(['4 1111 200 export raw-allowed apt-raw', '5 1111 200 drop export-none apt-none', '6 1111 200 drop export-none apt-none']);
    expect(x.reports.map((r) => `${r.type} ${r.frame}`)).toEqual(['binding-conflict 5']);
  });

  it('a chunk of another SSRC binds that SSRC, not the sender', async () => {
    const x = await run(ws, 'other', {}, [compound(1111, [{ ssrc: 1111, items: [cname()] }, { ssrc: 7777, items: [cname('x'), priv('aipref', 'apt-raw')] }]), srOf(7777)]);
    expect(x.bindings.map((b) => `${b.ssrc} ${b.apt.join(',')}`)).toEqual(['1111 ', '7777 apt-raw']);
    expect(d(x)).toContain('5 7777 200 export raw-allowed apt-raw');
  });

  it('prefix: "aiprefx" and "x-other" do not bind; "AIPREF" and "aipref" + NUL (tshark shows "aipref") do', async () => {
    const none = await run(ws, 'px', {}, [compound(1111, [{ ssrc: 1111, items: [cname(), priv('aiprefx', 'apt-raw'), priv('x-other', 'apt-raw')] }])]);
    expect(none.bindings.find((b) => b.ssrc === 1111)!.apt).toEqual([]);
    const upper = await run(ws, 'pu', {}, [compound(1111, [{ ssrc: 1111, items: [cname(), priv('AIPREF', 'apt-none'), priv('aipref\0', 'apt-agg\0')] }])]);
    expect(upper.bindings.find((b) => b.ssrc === 1111)!.apt).toEqual(['apt-none', 'apt-agg']);
  });

  it('binding metadata (MID, RID, RRID, PRIV aipref any case) never exported; other items, other PRIV included, are', async () => {
    const x = await run(ws, 'strip', RAW, [compound(1111, [{ ssrc: 1111, items: [cname(), mid('a'), rid('r0'), item(14, 'r1'), priv('aipref', 'apt-raw'), priv('AiPref', 'apt-raw'), priv('x-other', 'hello'), item(2, 'Alice')] }])]);
    expect(x.exports.find((e) => e.item?.pt === 202)!.item!.chunks).toEqual([
      { ssrc: 1111, items: [{ type: 1, text: 'a@10.0.0.1' }, { type: 8, prefix: 'x-other', value: 'hello' }, { type: 2, text: 'Alice' }] },
    ]);
  });

  it('a chunk holding only binding metadata yields no sdes item', async () => {
    const x = await run(ws, 'onlymeta', RAW, [compound(1111, [{ ssrc: 1111, items: [mid('a'), priv('aipref', 'apt-raw')] }])]);
    expect(d(x)).toEqual(['4 1111 200 export raw-allowed apt-raw']);
  });

  it('a PRIV prefix length past its item: malformed-input, the run goes on, the next packet of the compound is read', async () => {
    const bad = Uint8Array.from([...compound(1111, [{ ssrc: 1111, items: [cname(), item(8, Uint8Array.from([9, 0x61, 0x69, 0x70]))] }]), ...rrOf(1111, 2222)]);
    const x = await run(ws, 'over', RAW, [bad, compound(1111, [{ ssrc: 1111, items: [cname()] }])]);
    expect(x.reports.map((r) => `${r.type} ${r.frame}`)).toEqual(['malformed-input 4']);
    expect(d(x)).toEqual(['4 1111 200 export raw-allowed apt-raw', '4 1111 201 export raw-allowed apt-raw', '5 1111 200 export raw-allowed apt-raw', '5 1111 202 export raw-allowed apt-raw']);
  });
});

describe('SDES MID', () => {
  const bundleCall = (ssrc: number[], mids: string[]) => (at: Parameters<Parameters<typeof writeCall>[1]>[0]) => {
    at(0, request('INVITE', 1, bundleSdp('a'), [], ''), true);
    at(0.1, response('200 OK', 1, bundleSdp('b')), false);
    at(0.2, request('ACK', 1, null), true);
    mids.forEach((m, i) => at(1 + i, compound(ssrc[i]!, [{ ssrc: ssrc[i]!, items: m === '' ? [cname()] : [cname(), mid(m)] }]), true, 4000, 5000));
  };
  it('binds on BUNDLE, moves with a changed mid at its packet, keeps the last known mid for an unknown one', async () => {
    const r = await replayCall(ws, 'bundle', bundleCall([9999, 9999, 9999, 9999, 8888], ['a', '', 'v', 'zzz', 'zzz']), POLICY);
    expect(parseLines<DecisionLine>(r.decisions).filter((l) => l.pt === 200).map((l) => `${l.frame} ${l.ssrc} ${l.decision} ${l.apt.join(',')}`)).toEqual([
      '4 9999 export apt-raw', '5 9999 export apt-raw', '6 9999 drop apt-none', '7 9999 drop apt-none', '8 8888 drop ',
    ]);
    expect(r.result.bindings.map((b) => `${b.ssrc} ${b.mid} ${b.via}`)).toEqual(['8888 null dialog', '9999 v sdes-mid']);
    expect(parseLines<ReportLine>(r.reports)).toEqual([]);
  });

  it('does not override an a=ssrc binding', async () => {
    const x = await run(ws, 'midssrc', { video: true, offerLines: ['a=aipref:mid apt-raw'] }, [compound(1111, [{ ssrc: 1111, items: [cname(), mid('v')] }])]);
    expect(x.bindings.find((b) => b.ssrc === 1111)).toMatchObject({ mid: 'a', via: 'a=ssrc', apt: ['apt-raw'] });
  });
});

describe('oracle: inspect --json against tshark', () => {
  it('PRIV prefix and value, empty value, trailing NULs, MID and RID as tshark decodes them', async () => {
    const file = await ws.file('oracle.pcap');
    await writeCall(file, (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [], ''), true);
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
      at(1, compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', 'apt-raw'), priv('AIPREF', 'x y'), mid('a'), rid('r0')] }, { ssrc: 7777, items: [priv('aipref', ''), priv('aipref\0', 'v\0')] }]), true, 4001, 5001);
    });
    const t = await promisify(execFile)('tshark', ['-r', file, '-d', 'udp.port==4001,rtcp', '-Y', 'rtcp', '-T', 'fields', '-E', 'separator=|', '-e', 'rtcp.sdes.type', '-e', 'rtcp.sdes.prefix.string', '-e', 'rtcp.sdes.text']);
    expect(t.stdout.trim()).toBe('1,8,8,12,13,0,8,8,0|aipref,AIPREF,aipref,aipref|a@10.0.0.1,apt-raw,x y,a,r0,v');
    const ours = await cli('inspect', file, '--json');
    const line = JSON.parse(ours.stdout.trim().split('\n').find((l) => l.includes('"rtcp"'))!);
    expect(line.packets[1].chunks).toEqual([
      { ssrc: 1111, items: [{ type: 1, text: 'a@10.0.0.1' }, { type: 8, prefix: 'aipref', value: 'apt-raw' }, { type: 8, prefix: 'AIPREF', value: 'x y' }, { type: 12, text: 'a' }, { type: 13, text: 'r0' }] },
      { ssrc: 7777, items: [{ type: 8, prefix: 'aipref', value: '' }, { type: 8, prefix: 'aipref', value: 'v' }] },
    ]);
  });
});
