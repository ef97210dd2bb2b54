/**
 * SPEC §8, the command line and record contract, through the real binary (bin/ runs dist/:
 * `npx tsc -p tsconfig.build.json` first — npm test does).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePcapFileHeader, encodePcapngEnhancedPacket, encodePcapngInterface, encodePcapngSectionHeader, encodePcapRecord } from '../../native-free/write.js';
import { BIN, cli, sharedCapture, SMALL_PCAP, SMALL_POLICY, SMALL_TRUTH, Workspace, writePolicy } from './e2e-helpers.js';

const run = promisify(execFile);
const ws = new Workspace();
afterAll(() => ws.cleanup());

const ndjson = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
const keys = (o: object) => Object.keys(o).sort();
const isDialog = (d: unknown) => d === null || (typeof d === 'object' && keys(d as object).join() === 'callId,fromTag,toTag');
const VIAS = ['a=ssrc', 'sdes-mid', 'rtp-mid', 'transport', 'sdes-priv', 'dialog', 'repository'];

/** The fields SPEC §8 names for a line must all be there (more may be added, none renamed). */
function expectFields(line: Record<string, unknown>, required: string[], optional: string[], what: string): void {
  for (const k of required) expect(k in line, `${what} lacks ${k}: ${JSON.stringify(line).slice(0, 200)}`).toBe(true);
  void optional;
}

describe('replay', () => {
  it('--json prints one summary object with exactly the §8 keys; the numbers are the capture’s', async () => {
    const out = await ws.file('json-out');
    const r = await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--workers', '0', '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(lines.length).toBe(1);
    const s = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(keys(s)).toEqual(['dialogs', 'malformed', 'packets', 'reports', 'rtcp', 'rtp', 'sip', 'streams', 'telemetry']);
    expect(keys(s.telemetry as object)).toEqual(['aggregate', 'drop', 'export']);
    const truth = JSON.parse(await readFile(SMALL_TRUTH, 'utf8')) as { packets: Record<string, number> };
    expect(s).toMatchObject({ packets: truth.packets.total, rtp: truth.packets.rtp, rtcp: truth.packets.rtcp, sip: truth.packets.sip, dialogs: 3, streams: 12 });
    for (const v of Object.values(s.reports as object)) expect(Number.isInteger(v)).toBe(true);
  });

  it('reads a capture through a pipe (/dev/stdin) as from its file: the same lines, byte for byte, whatever the workers', async () => {
    const fromFile = await ws.file('pipe-from-file');
    const a = await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', fromFile, '--explain', '--json', '--workers', '0');
    expect(a.code).toBe(0);
    for (const workers of ['0', '2']) {
      const fromPipe = await ws.file(`pipe-from-stdin-${workers}`);
      // the pipe hands the 148 kB over in pieces (64 kB at most): the replay reads on until its chunk is full
      const b = await run('sh', ['-c', 'cat "$1" | "$2" "$3" replay /dev/stdin --policy "$4" --out "$5" --explain --json --workers "$6"', 'sh', SMALL_PCAP, process.execPath, BIN, SMALL_POLICY, fromPipe, workers]);
      expect(b.stdout).toBe(a.stdout);
      for (const f of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) {
        expect(await readFile(path.join(fromPipe, f), 'utf8'), `${f}, --workers ${workers}`).toBe(await readFile(path.join(fromFile, f), 'utf8'));
      }
    }
  });

  it('a pipe that does not carry a capture is refused with one line and leaves nothing behind, as a file is', async () => {
    const out = await ws.file('pipe-bad');
    const r = await run('sh', ['-c', 'echo "not a capture at all" | "$1" "$2" replay /dev/stdin --out "$3"; echo "exit $?"', 'sh', process.execPath, BIN, out]);
    expect(r.stdout.trim()).toBe('exit 1');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/\/dev\/stdin: at byte 0: not a pcap or pcapng capture/);
    expect(existsSync(out)).toBe(false);
    // a folder that was there already stays, with what it held; only the files made for the run go
    const kept = await ws.file('pipe-bad-kept');
    await mkdir(kept);
    await writeFile(path.join(kept, 'notes.txt'), 'mine');
    const again = await run('sh', ['-c', 'echo "not a capture" | "$1" "$2" replay /dev/stdin --out "$3" --explain; echo "exit $?"', 'sh', process.execPath, BIN, kept]);
    expect(again.stdout.trim()).toBe('exit 1');
    expect(await readdir(kept)).toEqual(['notes.txt']);
  });

  it('--explain writes exports, reports and decisions whose lines carry the §8 fields', async () => {
    const out = await ws.file('explain-out');
    const r = await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--workers', '0', '--explain', '--window', '1s');
    expect(r.code).toBe(0);
    const decisions = await ndjson(path.join(out, 'decisions.ndjson'));
    const exports = await ndjson(path.join(out, 'exports.ndjson'));
    const reports = await ndjson(path.join(out, 'reports.ndjson'));
    expect(decisions.length).toBeGreaterThan(0);
    expect(exports.length).toBeGreaterThan(0);
    expect(reports.length).toBeGreaterThan(0);
    for (const d of decisions) {
      expectFields(d, ['frame', 'ts', 'ssrc', 'pt', 'feature', 'decision', 'reason', 'apt'], ['fmt', 'block'], 'decision');
      expect(['export', 'aggregate', 'drop']).toContain(d.decision);
      expect(Number.isInteger(d.frame) && (d.frame as number) >= 1).toBe(true);
      expect(Number.isInteger(d.ssrc) && (d.ssrc as number) >= 0).toBe(true);
      expect(Array.isArray(d.apt)).toBe(true);
      if (d.pt === 205 || d.pt === 206) expect(typeof d.fmt).toBe('number');
      if (d.pt === 207) expect(typeof d.block).toBe('number');
    }
    for (const x of exports) {
      expectFields(x, ['type', 'requestId', 'ts', 'expiresAt', 'dialog', 'stream', 'apt', 'decision'], [], 'export');
      expect(isDialog(x.dialog)).toBe(true);
      expect(keys(x.stream as object)).toEqual(['kind', 'mid', 'ssrc']);
      if (x.type === 'aggregate') {
        expect(keys(x.window as object)).toEqual(['end', 'start']);
        expect(typeof x.stats).toBe('object');
        expect('item' in x).toBe(false);
      } else {
        expect(x.type).toBe('telemetry');
        expect(typeof x.item).toBe('object');
      }
    }
    expect(new Set(exports.map((x) => x.requestId)).size).toBe(exports.length);
    for (const rep of reports) {
      expectFields(rep, ['type', 'ts', 'frame', 'dialog'], ['mid', 'ssrc', 'apt', 'fallback', 'detail'], 'report');
      expect(isDialog(rep.dialog)).toBe(true);
    }
  });

  it('without --explain there is no decisions.ndjson', async () => {
    const out = await ws.file('plain-out');
    const r = await cli('replay', SMALL_PCAP, '--out', out, '--workers', '0');
    expect(r.code).toBe(0);
    expect(existsSync(path.join(out, 'exports.ndjson'))).toBe(true);
    expect(existsSync(path.join(out, 'reports.ndjson'))).toBe(true);
    expect(existsSync(path.join(out, 'decisions.ndjson'))).toBe(false);
  });

  it('the default worker count gives the same files as --workers 0', async () => {
    const a = await ws.file('w0');
    const b = await ws.file('wdefault');
    expect((await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', a, '--workers', '0', '--explain')).code).toBe(0);
    expect((await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', b, '--explain')).code).toBe(0);
    for (const f of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) {
      expect(await readFile(path.join(b, f), 'utf8'), f).toBe(await readFile(path.join(a, f), 'utf8'));
    }
  });
});

/** The offset of record `n` (0-based) of a pcap file: the file header, then each record's header and bytes. */
function pcapRecordOffset(bytes: Buffer, n: number): number {
  let at = 24;
  for (let i = 0; i < n; i++) at += 16 + bytes.readUInt32LE(at + 8);
  return at;
}

describe('replay output files', () => {
  const OUTPUTS = ['decisions.ndjson', 'exports.ndjson', 'reports.ndjson'];

  it('a capture refused before its first record leaves no folder and no files; a folder that was there keeps what it held', async () => {
    // a pcap whose version is 3: refused at byte 4, after the magic a file is first probed for
    const v3 = Buffer.from(await readFile(SMALL_PCAP));
    v3.writeUInt16LE(3, 4);
    const badVersion = await ws.file('version-3.pcap');
    await writeFile(badVersion, v3);
    const refused: [string, RegExp][] = [
      [await ws.file('refused-missing.pcap'), /at byte 0: cannot open/],
      [sharedCapture('rtpproxy_rtcp1.raw'), /at byte 0: not a pcap or pcapng capture/],
      [badVersion, /at byte 4: unsupported pcap version 3/],
    ];
    for (const [i, [file, why]] of refused.entries()) {
      const out = await ws.file(`refused-out-${i}`);
      const r = await cli('replay', file, '--out', out, '--workers', '0', '--explain');
      expect(r.code, file).toBe(1);
      expect(r.stderr.trim().split('\n'), file).toEqual([expect.stringMatching(why)]);
      expect(r.stderr).toContain(file);
      expect(existsSync(out), `${file}: ${out}`).toBe(false);
      // an earlier run's files stay as they were, decisions.ndjson too (the refused run is no run)
      const kept = await ws.file(`refused-kept-${i}`);
      await mkdir(kept);
      for (const f of OUTPUTS) await writeFile(path.join(kept, f), `{"earlier":"${f}"}\n`);
      const again = await cli('replay', file, '--out', kept, '--workers', '2');
      expect(again.code, file).toBe(1);
      expect((await readdir(kept)).sort()).toEqual(OUTPUTS);
      for (const f of OUTPUTS) expect(await readFile(path.join(kept, f), 'utf8')).toBe(`{"earlier":"${f}"}\n`);
    }
  });

  it('a capture that fails after some records keeps what was accepted: the same files as those records alone give, and a report of where it stopped, exit 1', async () => {
    const bytes = await readFile(SMALL_PCAP);
    const at = pcapRecordOffset(bytes, 300);
    // record 301's length word says 2 GB: the read stops there
    const broken = Buffer.from(bytes);
    broken.writeUInt32LE(0x7fffffff, at + 8);
    const brokenFile = await ws.file('broken-at-301.pcap');
    await writeFile(brokenFile, broken);
    const firstFile = await ws.file('first-300.pcap');
    await writeFile(firstFile, bytes.subarray(0, at));
    for (const workers of ['0', '2']) {
      const want = await ws.file(`first-300-out-${workers}`);
      const got = await ws.file(`broken-out-${workers}`);
      expect((await cli('replay', firstFile, '--policy', SMALL_POLICY, '--out', want, '--workers', workers, '--explain', '--window', '1s')).code).toBe(0);
      const r = await cli('replay', brokenFile, '--policy', SMALL_POLICY, '--out', got, '--workers', workers, '--explain', '--window', '1s');
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([`aipref-enforcer replay: ${brokenFile}: at byte ${at}: absurd record length 2147483647 (limit 262144)`]);
      for (const f of OUTPUTS) {
        let text = await readFile(path.join(got, f), 'utf8');
        if (f !== 'reports.ndjson') expect(text.length, `${f} has lines`).toBeGreaterThan(0);
        else {
          // and one report more: where the read stopped
          const lines = text.split('\n');
          const stop = lines.filter((l) => l.includes('the capture cannot be read past here'));
          expect(stop.map((l) => JSON.parse(l) as Record<string, unknown>)).toMatchObject([
            { type: 'malformed-input', frame: 301, detail: `absurd record length 2147483647 (limit 262144) (byte ${at}): the capture cannot be read past here` },
          ]);
          text = lines.filter((l) => !stop.includes(l)).join('\n');
        }
        expect(text, `${f}, --workers ${workers}`).toBe(await readFile(path.join(want, f), 'utf8'));
      }
    }
  });

  it('bindings on a capture broken mid-file prints the table of the records before the break (as those records alone give), then the error, exit 1', async () => {
    const bytes = await readFile(SMALL_PCAP);
    const at = pcapRecordOffset(bytes, 300);
    const broken = Buffer.from(bytes);
    broken.writeUInt32LE(0x7fffffff, at + 8);
    const brokenFile = await ws.file('bindings-broken-at-301.pcap');
    await writeFile(brokenFile, broken);
    const firstFile = await ws.file('bindings-first-300.pcap');
    await writeFile(firstFile, bytes.subarray(0, at));
    for (const json of [[], ['--json']]) {
      const want = await cli('bindings', firstFile, '--policy', SMALL_POLICY, ...json);
      const got = await cli('bindings', brokenFile, '--policy', SMALL_POLICY, ...json);
      expect(want.stdout.length).toBeGreaterThan(100);
      expect([got.code, got.stdout]).toEqual([1, want.stdout]);
      expect(got.stderr.trim().split('\n')).toEqual([`aipref-enforcer bindings: ${brokenFile}: at byte ${at}: absurd record length 2147483647 (limit 262144)`]);
    }
  });

  it('an --out that cannot be made stops the run in one line, exit 1: before a record is read, naming what is in the way; an output file that cannot be opened at the first write, shard threads stopped too', async () => {
    const blocker = await ws.file('a-file-not-a-folder');
    await writeFile(blocker, 'x');
    for (const workers of ['0', '2']) {
      const r = await cli('replay', SMALL_PCAP, '--out', path.join(blocker, 'out'), '--workers', workers);
      expect(r.code, `--workers ${workers}`).toBe(1);
      expect(r.stderr.trim().split('\n'), `--workers ${workers}`).toEqual([`aipref-enforcer replay: --out ${path.join(blocker, 'out')}: ${blocker} is not a folder`]);
    }
    // an output file that cannot be opened is found at the first write, after the first batch:
    // the run stops there, its shard threads too
    const taken = await ws.file('exports-is-a-folder');
    await mkdir(path.join(taken, 'exports.ndjson'), { recursive: true });
    for (const workers of ['0', '2']) {
      const r = await cli('replay', SMALL_PCAP, '--out', taken, '--workers', workers);
      expect(r.code, `--workers ${workers}`).toBe(1);
      expect(r.stderr.trim().split('\n'), `--workers ${workers}`).toEqual([`aipref-enforcer replay: ${path.join(taken, 'exports.ndjson')}: cannot open: illegal operation on a directory (EISDIR)`]);
    }
    // the folder itself a file; a parent this process may not write in (root may write anywhere)
    expect((await cli('replay', SMALL_PCAP, '--out', blocker)).stderr.trim()).toBe(`aipref-enforcer replay: --out ${blocker}: it is not a folder`);
    if (process.getuid?.() !== 0) {
      const locked = await ws.file('locked');
      await mkdir(locked);
      await chmod(locked, 0o555);
      const r = await cli('replay', SMALL_PCAP, '--out', path.join(locked, 'a', 'b'));
      expect([r.code, r.stderr.trim()]).toEqual([1, `aipref-enforcer replay: --out ${path.join(locked, 'a', 'b')}: ${locked} is not writable`]);
    }
  });

  // (it failed at the first write, after the first batch was read, in a line that did not name --out)
  it.skipIf(!existsSync('/proc/self'))('an --out the kernel will not make (under /proc, /sys) fails before reading, in one line naming --out, exit 1', async () => {
    for (const [out, code] of [['/proc/aipref-no-such-folder/out', 'ENOENT'], ['/sys/aipref-no-such-folder', 'EPERM|EACCES']] as const) {
      for (const command of ['replay', 'live']) {
        const r = await cli(command, ...(command === 'replay' ? [SMALL_PCAP] : ['--udp', '127.0.0.1:0']), '--out', out, '--workers', '0');
        expect(r.code, command).toBe(1);
        expect(r.stderr.trim().split('\n'), command).toEqual([expect.stringMatching(new RegExp(`^aipref-enforcer ${command}: --out ${out}: cannot be made \\((${code}) at /(proc|sys)/aipref-no-such-folder\\)$`))]);
      }
    }
  });

  it('an --out still to make is made and removed again by the check: a capture refused after it leaves nothing', async () => {
    // a pcap of version 3: its magic passes the format probe, the reader refuses it after the --out check
    const v3 = Buffer.from((await readFile(SMALL_PCAP)).subarray(0, 200));
    v3.writeUInt16LE(3, 4);
    const capture = await ws.file('v3.pcap');
    await writeFile(capture, v3);
    if (existsSync('/proc/self')) expect((await cli('replay', capture, '--out', '/proc/aipref-no-such-folder/out')).stderr).toContain('--out /proc/aipref-no-such-folder/out: cannot be made');
    const out = path.join(await ws.file('made-and-removed'), 'a', 'b');
    const r = await cli('replay', capture, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unsupported pcap version 3');
    expect(existsSync(path.dirname(path.dirname(out)))).toBe(false);
  });

  // (they passed the check, and the run failed at its first file, in the bare errno line)
  it('an --out that is a folder but takes no file, or a dangling symlink, fails before reading, in one line naming --out', async () => {
    const link = await ws.file('dangling');
    await symlink(path.join(path.dirname(link), 'nowhere', 'target'), link);
    const cases: [string, RegExp][] = [[link, /cannot hold files \(ENOENT\)$/]];
    if (existsSync('/proc/self')) cases.push(['/proc', /cannot hold files \(ENOENT\)$/]);
    for (const [out, why] of cases) {
      for (const command of ['replay', 'live']) {
        const r = await cli(command, ...(command === 'replay' ? [SMALL_PCAP] : ['--udp', '127.0.0.1:0']), '--out', out, '--workers', '0');
        expect(r.code, `${command} ${out}`).toBe(1);
        expect(r.stderr.trim().split('\n'), `${command} ${out}`).toEqual([expect.stringMatching(new RegExp(`^aipref-enforcer ${command}: --out ${out}: `))]);
        expect(r.stderr.trim()).toMatch(why);
      }
    }
    expect(await readdir(path.dirname(link))).not.toContain('nowhere');
  });

  it('a run without --explain removes the decisions.ndjson an earlier --explain run left in its folder', async () => {
    const out = await ws.file('explain-then-plain');
    expect((await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--workers', '0', '--explain')).code).toBe(0);
    expect(existsSync(path.join(out, 'decisions.ndjson'))).toBe(true);
    const r = await cli('replay', SMALL_PCAP, '--out', out, '--workers', '0');
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['exports.ndjson', 'reports.ndjson']);
    expect(r.stdout).toMatch(/exports\.ndjson \d+ lines, reports\.ndjson \d+ lines\)/);
  });
});

describe('bindings --json', () => {
  it('prints an array of {ssrc, dialog, mid, kind, apt, via}', async () => {
    const r = await cli('bindings', SMALL_PCAP, '--policy', SMALL_POLICY, '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.length).toBe(12);
    for (const row of rows) {
      for (const k of ['ssrc', 'dialog', 'mid', 'kind', 'apt', 'via']) expect(k in row, `${k} in ${JSON.stringify(row)}`).toBe(true);
      expect(Number.isInteger(row.ssrc)).toBe(true);
      expect(isDialog(row.dialog)).toBe(true);
      expect(Array.isArray(row.apt)).toBe(true);
      expect(VIAS).toContain(row.via);
    }
  });
});

describe('exit codes', () => {
  it('1 for a file that is not a capture, with one stderr line naming the file and the byte offset', async () => {
    const file = sharedCapture('rtpproxy_rtcp1.raw');
    const r = await cli('replay', file, '--out', await ws.file('raw-out'), '--workers', '0');
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toMatch(/byte 0\b/);
  });

  it('1 for a file that does not exist, naming it and byte 0, the same line from replay, inspect and bindings', async () => {
    const file = await ws.file('no-such.pcap');
    for (const args of [['replay', file, '--out', await ws.file('missing-out'), '--workers', '0'], ['inspect', file], ['bindings', file], ['replay', file, '--to', 'udp://127.0.0.1:9']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines, args.join(' ')).toEqual([`aipref-enforcer ${args[0]}: ${file}: at byte 0: cannot open: ENOENT: no such file or directory`]);
    }
  });

  it('1 for a policy file with export: "maybe", one line naming the file, the key and the value', async () => {
    const policy = await writePolicy(ws, 'maybe.json', { apts: { 'apt-x': { type: 'user', export: 'maybe' } } });
    for (const command of ['replay', 'bindings']) {
      const r = await cli(command, SMALL_PCAP, '--policy', policy, ...(command === 'replay' ? ['--workers', '0', '--out', await ws.file('maybe-out')] : []));
      expect(r.code, command).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines.length, command).toBe(1);
      expect(lines[0]).toContain(policy);
      expect(lines[0]).toContain('export');
      expect(lines[0]).toContain('maybe');
    }
  });

  it('1 for a policy file that does not exist or is not JSON, naming it', async () => {
    const missing = await ws.file('no-such-policy.json');
    const notJson = await ws.file('not-json.json');
    await writeFile(notJson, '{"apts": {');
    for (const policy of [missing, notJson]) {
      const r = await cli('replay', SMALL_PCAP, '--policy', policy, '--out', await ws.file('policy-out'), '--workers', '0');
      expect(r.code, policy).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines.length, policy).toBe(1);
      expect(lines[0]).toContain(policy);
    }
  });

  it('1 for a policy file with a misspelt key, a key given twice or bad JSON: one line naming the file, the key or the line and column', async () => {
    const typo = await writePolicy(ws, 'typo.json', { apts: { 'apt-x': { type: 'user', export: 'raw' } }, defualt: 'apt-x' });
    const dialogTypo = await writePolicy(ws, 'dialog-typo.json', { dialogs: [{ callId: 'c', apt: ['a'] }, { callId: 'c', toTg: 't', apt: ['a'] }] });
    const twice = await ws.file('twice.json');
    await writeFile(twice, '{\n  "apts": {\n    "apt-x": {"export": "raw"},\n    "apt-x": {"export": "none"}\n  }\n}\n');
    const empty = await ws.file('empty.json');
    await writeFile(empty, '');
    const broken = await ws.file('broken.json');
    await writeFile(broken, '{\n  "apts": {},\n}\n');
    for (const [policy, says] of [
      [typo, "defualt: unknown key (expected one of apts, dialogs, default, window, keys, issuers, revoked); did you mean 'default'?"],
      [dialogTypo, "dialogs[1].toTg: unknown key (expected one of callId, fromTag, toTag, apt); did you mean 'toTag'?"],
      [twice, 'apts.apt-x: duplicate key at line 4, column 5 (first at line 3, column 5)'],
      [empty, 'not valid JSON: the file is empty'],
      [broken, "not valid JSON: line 3, column 1: unexpected character '}' (expected a key in double quotes)"],
    ]) {
      for (const command of ['replay', 'bindings']) {
        const r = await cli(command, SMALL_PCAP, '--policy', policy!, ...(command === 'replay' ? ['--workers', '0', '--out', await ws.file('typo-out')] : []));
        expect(r.code, `${command} ${policy}`).toBe(1);
        const lines = r.stderr.split('\n').filter((l) => l !== '');
        expect(lines, `${command} ${policy}`).toEqual([`aipref-enforcer ${command}: ${policy}: ${says}`]);
      }
    }
  });

  it('1 for a policy file with an unparsable duration, naming the key and value', async () => {
    const policy = await writePolicy(ws, 'duration.json', { apts: { 'apt-x': { type: 'user', export: 'raw', retention: 'forever' } } });
    const r = await cli('replay', SMALL_PCAP, '--policy', policy, '--out', await ws.file('dur-out'), '--workers', '0');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').length).toBe(1);
    expect(r.stderr).toContain('retention');
    expect(r.stderr).toContain('forever');
  });

  for (const [what, args] of [
    ['an unknown option', ['replay', SMALL_PCAP, '--frobnicate']],
    ['a missing capture', ['replay', '--workers', '0']],
    ['a missing capture (bindings)', ['bindings', '--json']],
    ['an unknown command', ['replya', SMALL_PCAP]],
    ['a bad worker count', ['replay', SMALL_PCAP, '--workers', 'many']],
    ['an unparsable --window', ['replay', SMALL_PCAP, '--workers', '0', '--window', 'soon']],
    ['a zero --window', ['replay', SMALL_PCAP, '--workers', '0', '--window', '0']],
    ['two captures', ['replay', SMALL_PCAP, SMALL_PCAP, '--workers', '0']],
    ['a negative worker count', ['replay', SMALL_PCAP, '--workers', '-1']],
    // it reached the engine, whose Array.from threw: exit 1, "Invalid array length"
    ['a worker count no machine runs', ['replay', SMALL_PCAP, '--workers', '4294967296']],
    ['a worker count past 256', ['replay', SMALL_PCAP, '--workers', '257']],
    ['--out with --to (sending enforces nothing here)', ['replay', SMALL_PCAP, '--to', 'udp://127.0.0.1:9', '--out', 'never-made']],
    ['--policy with --to', ['replay', SMALL_PCAP, '--to', 'udp://127.0.0.1:9', '--policy', SMALL_POLICY]],
    ['--hep-auth-key without --to (nothing is sent)', ['replay', SMALL_PCAP, '--hep-auth-key', 'k1']],
    ['--hep-auth-key with --to udp:// (UDP carries no key)', ['replay', SMALL_PCAP, '--to', 'udp://127.0.0.1:9', '--hep-auth-key', 'k1']],
  ] as const) {
    it(`2 for ${what}`, async () => {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.stderr.length).toBeGreaterThan(0);
      expect(r.stdout).toBe('');
    });
  }

  it('says in one line what is wrong: a value that looks like an option, an option --to does not take', async () => {
    expect((await cli('replay', SMALL_PCAP, '--workers', '-1')).stderr.split('\n')[0]).toBe("aipref-enforcer replay: --workers needs a value: '-1' looks like an option (write --workers=-1 to give it)");
    expect((await cli('replay', SMALL_PCAP, '--to', 'udp://127.0.0.1:9', '--explain')).stderr.split('\n')[0]).toBe('aipref-enforcer replay: --explain does not apply to replay --to (the live enforcer it sends to has its own)');
  });

  for (const command of ['replay', 'inspect', 'bindings', 'live']) {
    it(`0 and the usage on stdout for ${command} --help`, async () => {
      const r = await cli(command, '--help');
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(/^usage:\n/);
    });
  }
});

describe('inspect --json', () => {
  it('prints one line per packet with the §8 fields; RTCP lines list their packets', async () => {
    const r = await cli('inspect', SMALL_PCAP, '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const truth = JSON.parse(await readFile(SMALL_TRUTH, 'utf8')) as { packets: Record<string, number>; rtcp: { frame: number; pts: number[] }[] };
    expect(lines.length).toBe(truth.packets.total);
    expect(lines.map((l) => l.frame)).toEqual(Array.from({ length: truth.packets.total }, (_, i) => i + 1));
    for (const l of lines) for (const k of ['frame', 'ts', 'src', 'dst', 'sport', 'dport', 'proto']) expect(k in l, `${k} in frame ${l.frame}`).toBe(true);
    const count = (proto: string) => lines.filter((l) => l.proto === proto).length;
    expect([count('sip'), count('rtp'), count('rtcp')]).toEqual([truth.packets.sip, truth.packets.rtp, truth.packets.rtcp]);
    for (const c of truth.rtcp) {
      const line = lines[c.frame - 1]!;
      expect((line.packets as { pt: number; ssrc: number }[]).map((p) => p.pt), `frame ${c.frame}`).toEqual(c.pts);
    }
  });
});

describe('a capture of a link type the decoder does not read', () => {
  const commands = (file: string): string[][] => [
    ['replay', file, '--out', path.join(path.dirname(file), `${path.basename(file)}-out`), '--workers', '0', '--json'],
    ['inspect', file, '--json'],
    ['bindings', file, '--json'],
  ];

  it('USER0 (147) in a pcap: exit 0, one warning line on stderr with the count, from replay, inspect and bindings', async () => {
    const file = await ws.file('user0.pcap');
    const records = [0, 1, 2, 3, 4].map((i) => encodePcapRecord(1767225600 + i, Uint8Array.from([0x45, 0, 0, 20, i, i, i, i])));
    await writeFile(file, Buffer.concat([encodePcapFileHeader(147), ...records]));
    for (const args of commands(file)) {
      const r = await cli(...args);
      expect(r.code, args[0]).toBe(0);
      expect(r.stderr.split('\n').filter((l) => l !== ''), args[0]).toEqual([`aipref-enforcer ${args[0]}: ${file}: 5 records of link type 147 were not read (unsupported link type)`]);
    }
  });

  it('an 802.11 (105) interface beside an Ethernet one in a pcapng: the Ethernet records are read as without it, the others counted', async () => {
    const bytes = await readFile(SMALL_PCAP);
    const withWifi = [encodePcapngSectionHeader(), encodePcapngInterface(1), encodePcapngInterface(105)];
    const ethernetOnly = [encodePcapngSectionHeader(), encodePcapngInterface(1)];
    let at = 24;
    for (let i = 0; i < 40; i++) {
      const len = bytes.readUInt32LE(at + 8);
      const units = BigInt(bytes.readUInt32LE(at)) * 1_000_000n + BigInt(bytes.readUInt32LE(at + 4));
      const data = bytes.subarray(at + 16, at + 16 + len);
      withWifi.push(encodePcapngEnhancedPacket(0, units, data));
      ethernetOnly.push(encodePcapngEnhancedPacket(0, units, data));
      // the same bytes on the 802.11 interface after every tenth record
      if (i % 10 === 9) withWifi.push(encodePcapngEnhancedPacket(1, units, data));
      at += 16 + len;
    }
    const file = await ws.file('wifi-beside-ethernet.pcapng');
    await writeFile(file, Buffer.concat(withWifi));
    const plainFile = await ws.file('ethernet-only.pcapng');
    await writeFile(plainFile, Buffer.concat(ethernetOnly));
    const plain = await cli(...commands(plainFile)[0]!);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
    const without = JSON.parse(plain.stdout) as { packets: number; sip: number };
    expect(without.sip).toBeGreaterThan(0);
    for (const args of commands(file)) {
      const r = await cli(...args);
      expect(r.code, args[0]).toBe(0);
      expect(r.stderr.split('\n').filter((l) => l !== ''), args[0]).toEqual([`aipref-enforcer ${args[0]}: ${file}: 4 records of link type 105 were not read (unsupported link type)`]);
      if (args[0] === 'replay') expect(JSON.parse(r.stdout)).toEqual({ ...without, packets: without.packets + 4 });
    }
  });
});

describe('a capture whose last record is cut short', () => {
  it('cut inside the last record header: every complete record processed, exit 0, the cut reported', async () => {
    const bytes = await readFile(SMALL_PCAP);
    let at = 24;
    for (let i = 0; i < 99; i++) at += 16 + bytes.readUInt32LE(at + 8);
    const file = await ws.file('cut-header.pcap');
    await writeFile(file, bytes.subarray(0, at + 7));
    const out = await ws.file('cut-header-out');
    const r = await cli('replay', file, '--out', out, '--workers', '0', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { packets: number }).packets).toBe(99);
    expect(r.stderr).toContain(file);
    const cut = (await ndjson(path.join(out, 'reports.ndjson'))).filter((x) => x.type === 'malformed-input');
    expect(cut.length).toBe(1);
    expect(String(cut[0]!.detail)).toMatch(new RegExp(`byte ${at}\\b`));
  });


  it('processes every complete record, exits 0, reports the cut on stderr and as malformed-input', async () => {
    const bytes = await readFile(SMALL_PCAP);
    // walk the record headers to cut the 100th record in half
    let at = 24;
    let complete = 0;
    while (complete < 99) {
      at += 16 + bytes.readUInt32LE(at + 8);
      complete++;
    }
    const cutAt = at + 16 + Math.floor(bytes.readUInt32LE(at + 8) / 2);
    const file = await ws.file('cut.pcap');
    await writeFile(file, bytes.subarray(0, cutAt));
    const out = await ws.file('cut-out');
    const r = await cli('replay', file, '--out', out, '--workers', '0', '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { packets: number; malformed: number };
    expect(summary.packets).toBe(99);
    expect(summary.malformed).toBeGreaterThanOrEqual(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/cut|truncat/i);
    const cutReports = (await ndjson(path.join(out, 'reports.ndjson'))).filter((x) => x.type === 'malformed-input' && /cut|truncat/i.test(String(x.detail)));
    expect(cutReports.length).toBe(1);
    expect(cutReports[0]!.frame).toBe(100);
    // inspect counts the cut record as malformed too, as replay's summary does
    const inspected = await cli('inspect', file);
    expect([inspected.code, inspected.stderr.trim().split('\n').pop()]).toEqual([0, `99 packets, ${summary.malformed} malformed`]);
  });
});
