/**
 * Checked fine (round 26, review of 0229fcf: the lost-PubAck lookup moved from nats-exporter.ts into
 * StoredCopyLookup in nats-lookup.ts). The moved code was compared line by line with 0229fcf^ (the
 * host's `this.seqSeen`/`this.seqEpoch` become `host.seqSeen()`/`host.seqEpoch()`, read live at the
 * same points around every await; scanFor's `epoch` is captured with no await in between; every
 * callback is an arrow; close() aborts and waits for the same `finding` within graceMs; the failure
 * texts, ids and kinds are the same; STREAM_NOT_FOUND / lookupRefused are the same). The one change,
 * maxInFlight read once at open, is not visible to an operator (nothing changes the options after open).
 * These tests pin the seams the split made, on a real nats-server:
 * - the queue bound is the exporter's maxInFlight, and a line dropped for room is said through
 *   onFailure with its id and kind 'retry' (host.say);
 * - a refused scan is said once (id '', kind 'retry') and its lines left to max_age, not tried again;
 * - a scan that finds copies notes them in the exporter's StreamExpiry (host.note), the stream gone
 *   mid-scan notes nothing and says nothing;
 * - StreamExpiry's check (lookup.checkStream) sees a stream deleted and made again (another `created`),
 *   bumps the exporter's epoch once, then takes the new one as the one known; after forgetCreated
 *   (a PubAck going backwards) a stream holding at least seqSeen is taken as the same; an epoch bumped
 *   during its request makes it false without a second bump;
 * - close() with a lookup that never settles returns within graceMs + the drain.
 */
import { ErrorCode, NatsError } from 'nats';
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { observe, wait } from '../nats-review/helpers.js';
import { until } from '../nats-lookup/helpers.js';

const nats = natsServerEachTest('aipref-r26-split-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Line {
  subject: string;
  id: string;
  expiresAt: number;
  floor: number;
  epoch: number;
  acked?: number;
}
interface Lookup {
  scanFor: (subject: string, lines: readonly Line[], scan: unknown) => Promise<Map<string, number> | undefined>;
  findStored(l: Line): void;
  checkStream(): Promise<boolean>;
  forgetCreated(): void;
  readonly waiting: readonly Line[];
  readonly running: Promise<void> | undefined;
}
interface Internals {
  lookup: Lookup;
  expiry: { note(seq: number, expiresAt: number): void };
  seqEpoch: number;
  seqSeen: number;
  newSeqEpoch(lastSeq: number): void;
  jsm: { streams: { info: (name: string) => Promise<unknown> } };
}
const internals = (e: NatsJetStreamExporter): Internals => e as unknown as Internals;
const idle = (l: Lookup): boolean => l.waiting.length === 0 && l.running === undefined;
const line = (id: string, extra: Partial<Line> = {}): Line => ({ subject: 'aipref.telemetry', id, expiresAt: Date.now() / 1000 + 3600, floor: 0, epoch: 0, ...extra });

describe.skipIf(!NATS_SERVER)('NATS lookup split (round 26): checked fine', () => {
  it('the queue bound is maxInFlight; a line dropped for room is said with its id, as a retry', async () => {
    const said: [string, string, string][] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { maxInFlight: 2, onFailure: (r, id, kind) => said.push([r, id, kind]) }));
    cleanups.push(() => exporter.close(200));
    const { lookup } = internals(exporter);
    let release!: () => void;
    let first = true;
    lookup.scanFor = () => {
      if (!first) return Promise.resolve(new Map());
      first = false;
      return new Promise((r) => (release = () => r(new Map())));
    };
    lookup.findStored(line('A'));
    lookup.findStored(line('B'));
    expect(said).toEqual([]);
    lookup.findStored(line('C'));
    expect(said).toEqual([['the stream may keep A past its expiresAt, to max_age (its PubAck was lost; more lines than maxInFlight were waiting to be looked for)', 'A', 'retry']]);
    release();
    expect(await until(() => idle(lookup), 3000)).toBe(true);
  }, 10_000);

  it('a refused scan: said once (no id), each line left to max_age, not tried again', async () => {
    const said: [string, string, string][] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { onFailure: (r, id, kind) => said.push([r, id, kind]) }));
    cleanups.push(() => exporter.close(200));
    const { lookup } = internals(exporter);
    let scans = 0;
    lookup.scanFor = () => {
      scans++;
      return Promise.reject(new NatsError('Permissions Violation for Publish to $JS.API.STREAM.MSG.GET.AIPREF', ErrorCode.PermissionsViolation));
    };
    lookup.findStored(line('A'));
    lookup.findStored(line('B'));
    expect(await until(() => idle(lookup), 3000)).toBe(true);
    await wait(100);
    // (A's scan began at its findStored, alone; B's after it: each refused once)
    expect(scans).toBe(2);
    const refused = 'reading stream AIPREF for stored copies on aipref.telemetry: Permissions Violation for Publish to $JS.API.STREAM.MSG.GET.AIPREF (refused: 1 line(s) left to max_age)';
    expect(said).toEqual([
      [refused, '', 'retry'],
      ['the stream may keep A past its expiresAt, to max_age (its PubAck was lost; the server refused reading stream AIPREF)', 'A', 'retry'],
      [refused, '', 'retry'],
      ['the stream may keep B past its expiresAt, to max_age (its PubAck was lost; the server refused reading stream AIPREF)', 'B', 'retry'],
    ]);
  }, 10_000);

  it('copies found are noted in the exporter\'s expiry; the stream gone mid-scan notes and says nothing', async () => {
    const said: string[] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { onFailure: (r) => said.push(r) }));
    cleanups.push(() => exporter.close(200));
    const ex = internals(exporter);
    const noted: [number, number][] = [];
    const note = ex.expiry.note.bind(ex.expiry);
    ex.expiry.note = (seq, at) => {
      noted.push([seq, at]);
      note(seq, at);
    };
    ex.lookup.scanFor = (_s, lines) => Promise.resolve(new Map(lines.map((l, i) => [l.id, 40 + i])));
    const a = line('A', { expiresAt: 1e10 });
    const acked = line('K', { expiresAt: 2e10, acked: 99 });
    ex.lookup.findStored(a);
    ex.lookup.findStored(acked);
    expect(await until(() => idle(ex.lookup), 3000)).toBe(true);
    expect(noted, 'the unacknowledged line noted at its expiresAt; the acknowledged one not by its id').toEqual([[40, 1e10]]);
    noted.length = 0;
    ex.lookup.scanFor = () => Promise.reject(new Error('stream not found'));
    ex.lookup.findStored(line('G'));
    expect(await until(() => idle(ex.lookup), 3000)).toBe(true);
    expect(noted).toEqual([]);
    expect(said).toEqual([]);
  }, 10_000);

  it('checkStream: a stream made again seen once (one epoch), then known; forgetCreated takes one holding seqSeen', async () => {
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server));
    cleanups.push(() => exporter.close(200));
    const ex = internals(exporter);
    const other = await observe(nats.server.url, cleanups);
    const jsm = await other.jetstreamManager();
    expect(await ex.lookup.checkStream()).toBe(true);
    const config = (await jsm.streams.info('AIPREF')).config;
    await jsm.streams.delete('AIPREF');
    await wait(20); // another `created`
    await jsm.streams.add(config);
    expect(ex.seqEpoch).toBe(0);
    expect(await ex.lookup.checkStream()).toBe(false);
    expect(ex.seqEpoch).toBe(1);
    expect(await ex.lookup.checkStream(), 'the new stream is the one known now').toBe(true);
    expect(ex.seqEpoch).toBe(1);
    // a PubAck went backwards: the stream made again once more, holding what PubAcks showed
    await jsm.streams.delete('AIPREF');
    await wait(20);
    await jsm.streams.add(config);
    ex.lookup.forgetCreated();
    expect(await ex.lookup.checkStream()).toBe(true);
    expect(ex.seqEpoch).toBe(1);
    // an epoch bumped while its request is out: false, no second bump
    const info = ex.jsm.streams.info.bind(ex.jsm.streams);
    ex.jsm.streams.info = async (name) => {
      const got = await info(name);
      ex.newSeqEpoch(0);
      return got;
    };
    expect(await ex.lookup.checkStream()).toBe(false);
    expect(ex.seqEpoch).toBe(2);
  }, 15_000);

  it('close with a lookup that never settles returns within graceMs + the drain', async () => {
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server));
    const { lookup } = internals(exporter);
    lookup.scanFor = () => new Promise(() => undefined);
    lookup.findStored(line('A'));
    await wait(20);
    expect(lookup.running).toBeDefined();
    const t0 = Date.now();
    await exporter.close(300);
    expect(Date.now() - t0).toBeLessThan(2500);
  }, 10_000);
});
