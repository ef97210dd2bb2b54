/**
 * Checks of `inspect` and `bindings` (run as the built CLI) that turned out fine, kept as
 * regression tests:
 * - inspect --json against tshark 4.0 (`-o rtp.heuristic_rtp:TRUE`) on samples/call-small.pcap:
 *   every RTP frame's ssrc/pt/seq/timestamp/marker, and per RTCP frame the packet types, sender
 *   SSRCs, every SSRC tshark lists (report blocks, SDES chunks, BYE, XR DLRR/VoIP blocks),
 *   the SDES item types and texts and the XR block types; frame times to the microsecond.
 * - inspect --json gives the same bytes for the sample as pcapng, nanosecond pcap, gzip and a
 *   pipe; `--filter udp` keeps frame numbers and lines unchanged.
 * - bindings --json is the same for those forms, byte-identical between runs, and lists as
 *   many rows as replay counts `streams` (workers 0 and 2).
 * - consistency bindings ↔ replay on generated captures (seeds 3, 21, 58): every SDES item
 *   decided between a call's last offer/answer and its BYE is decided under identifiers the
 *   stream's bindings row names (workers 0 and 2).
 * - exit codes and one-line errors: empty file, directory, text, a short file header → exit 1
 *   naming the file and byte 0; a header-only capture → exit 0 (`[]` / no lines).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, catalogApts, cli, parseLines, policyOf, replayLines, SMALL_PCAP, SMALL_POLICY, smallCapture, Workspace } from '../../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

let haveTshark = true;
try {
  execFileSync('tshark', ['-v'], { stdio: 'ignore' });
} catch {
  haveTshark = false;
}

type Json = Record<string, any>;
const lines = (s: string): Json[] => s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);

function tshark(file: string, filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', file, '-o', 'rtp.heuristic_rtp:TRUE', '-Y', filter, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  return out.split('\n').filter(Boolean).map((l) => l.split('\t'));
}
const hex = (s: string) => (s === '' ? [] : s.split(',').map((x) => Number.parseInt(x, 16)));
const ints = (s: string) => (s === '' ? [] : s.split(',').map(Number));

describe.skipIf(!haveTshark)('inspect --json against tshark (samples/call-small.pcap)', () => {
  it('RTP headers of every RTP frame', async () => {
    const mine = new Map(lines((await cli('inspect', SMALL_PCAP, '--json')).stdout).map((l) => [l.frame as number, l]));
    const rows = tshark(SMALL_PCAP, 'rtp', ['frame.number', 'rtp.ssrc', 'rtp.p_type', 'rtp.seq', 'rtp.timestamp', 'rtp.marker', 'frame.time_epoch']);
    expect(rows.length).toBe(354);
    const wrong = rows.filter(([f, ssrc, pt, seq, ts, m, t]) => {
      const l = mine.get(Number(f))!;
      return !(l.proto === 'rtp' && l.ssrc === Number.parseInt(ssrc!, 16) && l.pt === Number(pt) && l.seq === Number(seq) && l.timestamp === Number(ts) && l.marker === (m === '1' || m === 'True') && Math.abs(l.ts - Number(t)) < 1e-6);
    });
    expect(wrong).toEqual([]);
  });

  it('RTCP packet types, SSRCs, SDES items and XR blocks of every RTCP frame', async () => {
    const mine = new Map(lines((await cli('inspect', SMALL_PCAP, '--json')).stdout).map((l) => [l.frame as number, l]));
    const rows = tshark(SMALL_PCAP, 'rtcp', ['frame.number', 'rtcp.pt', 'rtcp.senderssrc', 'rtcp.ssrc.identifier', 'rtcp.sdes.type', 'rtcp.sdes.text', 'rtcp.xr.bt', 'rtcp.mediassrc']);
    expect(rows.length).toBe(54);
    for (const [f, pts, senders, ids, types, texts, bts, media] of rows) {
      const packets = mine.get(Number(f))!.packets as Json[];
      const sdes = packets.filter((p) => p.pt === 202).flatMap((p) => p.chunks.flatMap((c: Json) => c.items));
      const got = {
        pts: packets.map((p) => p.pt),
        senders: packets.filter((p) => [200, 201, 205, 206, 207].includes(p.pt)).map((p) => p.ssrc),
        ids: packets.flatMap((p): number[] => {
          if (p.pt === 200 || p.pt === 201) return p.reports.map((r: Json) => r.ssrc);
          if (p.pt === 202) return p.chunks.map((c: Json) => c.ssrc);
          if (p.pt === 203) return p.ssrcs;
          if (p.pt === 207) return p.blocks.flatMap((b: Json) => (b.bt === 5 ? b.subBlocks.map((s: Json) => s.ssrc) : b.bt === 7 ? [b.ssrc] : []));
          return [];
        }),
        types: sdes.map((i: Json) => i.type),
        texts: sdes.map((i: Json) => i.text ?? i.value),
        bts: packets.filter((p) => p.pt === 207).flatMap((p) => p.blocks.map((b: Json) => b.bt)),
        media: packets.filter((p) => p.pt === 205 || p.pt === 206).map((p) => p.mediaSsrc),
      };
      const want = {
        pts: ints(pts!), senders: hex(senders!), ids: hex(ids!),
        types: ints(types!).filter((t) => t !== 0), texts: texts === '' ? [] : texts!.split(','), bts: ints(bts!), media: hex(media!),
      };
      expect(got, `frame ${f}`).toEqual(want);
    }
  });
});

describe('the same output for every form of the capture', () => {
  it('pcapng, nanosecond pcap, gzip and a pipe give inspect and bindings the plain pcap\'s bytes; --filter udp keeps every line', async () => {
    const plainInspect = (await cli('inspect', SMALL_PCAP, '--json')).stdout;
    const plainBindings = (await cli('bindings', SMALL_PCAP, '--policy', SMALL_POLICY, '--json')).stdout;
    expect((await cli('bindings', SMALL_PCAP, '--policy', SMALL_POLICY, '--json')).stdout).toBe(plainBindings);
    const gz = await ws.file('s.pcap.gz');
    await writeFile(gz, gzipSync(await readFile(SMALL_PCAP)));
    const forms = [gz];
    if (haveTshark) {
      for (const [name, format] of [['s.pcapng', 'pcapng'], ['s-ns.pcap', 'nsecpcap']] as const) {
        const f = await ws.file(name);
        execFileSync('editcap', ['-F', format, SMALL_PCAP, f], { stdio: 'ignore' });
        forms.push(f);
      }
    }
    for (const f of forms) {
      expect((await cli('inspect', f, '--json')).stdout, f).toBe(plainInspect);
      expect((await cli('bindings', f, '--policy', SMALL_POLICY, '--json')).stdout, f).toBe(plainBindings);
    }
    const piped = execFileSync('sh', ['-c', `cat "${SMALL_PCAP}" | "${process.execPath}" "${BIN}" inspect /dev/stdin --json`], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(piped).toBe(plainInspect);
    const filtered = await cli('inspect', SMALL_PCAP, '--json', '--filter', 'udp');
    if (filtered.code === 0) expect(filtered.stdout).toBe(plainInspect);
  });

  it('bindings lists as many rows as replay counts streams, whatever the worker count', async () => {
    const rows = JSON.parse((await cli('bindings', SMALL_PCAP, '--policy', SMALL_POLICY, '--json')).stdout) as Json[];
    for (const workers of ['0', '2']) {
      const r = await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', await ws.file(`o${workers}`), '--workers', workers, '--json', '--quiet');
      expect(JSON.parse(r.stdout).streams).toBe(rows.length);
    }
    expect(rows.length).toBe(12);
  });
});

describe('bindings and replay agree', () => {
  for (const seed of [3, 21, 58]) {
    it(`seed ${seed}: SDES items after the last offer/answer are decided under the identifiers bindings names`, async () => {
      const g = await ws.generate(smallCapture(seed, 8));
      const policy = policyOf({ apts: catalogApts(), dialogs: [{ callId: g.truth.calls[2]!.callId, apt: ['apt-repo-1'] }] });
      for (const workers of [0, 2]) {
        const run = await replayLines({ capture: g.path, policy, workers, explain: true });
        const callOf = new Map<number, (typeof g.truth.calls)[number]>();
        for (const c of g.truth.calls) for (const s of c.streams) callOf.set(s.ssrc, c);
        const wrong: string[] = [];
        let n = 0;
        for (const d of parseLines<Json>(run.decisions)) {
          const c = callOf.get(d.ssrc);
          if (d.pt !== 202 || !c) continue;
          const settled = Math.max(...c.sip.filter((m) => m.message !== 'BYE' && !(m.message === '200' && c.sip.some((x) => x.message === 'BYE' && x.cseq === m.cseq))).map((m) => m.ts));
          if (!(d.ts > settled && d.ts < c.byeTs)) continue;
          n++;
          const row = run.result.bindings.filter((b) => b.ssrc === d.ssrc && b.dialog?.callId === c.callId);
          if (row.length !== 1 || (d.apt as string[]).some((a) => !row[0]!.apt.includes(a))) wrong.push(`${d.frame} ${d.ssrc} [${d.apt}] vs [${row.map((r) => r.apt)}]`);
        }
        expect(wrong).toEqual([]);
        expect(n).toBeGreaterThan(100);
      }
    });
  }
});

describe('bad input', () => {
  it('exit 1 with one line naming the file and byte 0; a header-only capture is an empty one', async () => {
    const dir = await ws.file('a-directory');
    await mkdir(dir, { recursive: true });
    const empty = await ws.file('empty.pcap');
    await writeFile(empty, '');
    const text = await ws.file('text.pcap');
    await writeFile(text, 'hello world this is text\n');
    const short = await ws.file('short.pcap');
    await writeFile(short, (await readFile(SMALL_PCAP)).subarray(0, 10));
    const headerOnly = await ws.file('header-only.pcap');
    await writeFile(headerOnly, (await readFile(SMALL_PCAP)).subarray(0, 24));
    for (const command of ['inspect', 'bindings']) {
      for (const [file, says] of [
        [empty, 'empty file: not a capture'],
        [dir, 'cannot read: EISDIR: illegal operation on a directory, read'],
        [text, 'not a pcap or pcapng capture (starts with 0x68656c6c)'],
        [short, 'truncated file header: 10 of 24 bytes'],
      ] as const) {
        const r = await cli(command, file, '--json');
        expect([r.code, r.stdout, r.stderr]).toEqual([1, '', `aipref-enforcer ${command}: ${file}: at byte 0: ${says}\n`]);
      }
      const r = await cli(command, headerOnly, '--json');
      expect([r.code, r.stdout, r.stderr]).toEqual([0, command === 'bindings' ? '[]\n' : '', '']);
    }
  });

  it('exit 2 for options a command does not take', async () => {
    for (const args of [['bindings', SMALL_PCAP, '--workers', '2'], ['bindings', SMALL_PCAP, '--filter', 'udp'], ['inspect', SMALL_PCAP, '--policy', SMALL_POLICY], ['inspect', SMALL_PCAP, SMALL_PCAP]]) {
      const r = await cli(...args);
      expect([r.code, r.stdout], args.join(' ')).toEqual([2, '']);
      expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^aipref-enforcer ${args[0]}: `));
    }
  });
});
