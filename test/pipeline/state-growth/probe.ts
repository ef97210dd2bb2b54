/**
 * Reaches into the engine's parts (in-thread replay, workers 0) to count what each keeps: the
 * instances are caught by wrapping a prototype method, the sizes read from private fields.
 */
import { readCaptureBatches } from '../../../native-free/capture.js';
import type { RecordBatch } from '../../../native-free/types.js';
import { TransportMap } from '../../../src/binding/transport-map.js';
import { MediaCore } from '../../../src/pipeline/media-core.js';
import { PacketFeed } from '../../../src/pipeline/packet-feed.js';
import { replayCapture, type ReplayResult } from '../../../src/pipeline/replay-engine.js';
import { SignalingFront } from '../../../src/pipeline/signaling-front.js';
import type { PolicyFile } from '../../../src/policy/policy-file.js';

type Any = Record<string, any>;

const caught = { fronts: new Set<Any>(), cores: new Set<Any>(), maps: new Set<Any>(), feeds: new Set<Any>() };
let installed = false;

function wrap(proto: Any, method: string, into: Set<Any>): void {
  const original = proto[method];
  proto[method] = function (this: Any, ...args: unknown[]) {
    into.add(this);
    return original.apply(this, args);
  };
}

export function installProbes(): void {
  if (installed) return;
  installed = true;
  wrap(SignalingFront.prototype, 'message', caught.fronts);
  wrap(SignalingFront.prototype, 'takeEvents', caught.fronts);
  wrap(MediaCore.prototype, 'event', caught.cores);
  wrap(MediaCore.prototype, 'rtp', caught.cores);
  wrap(MediaCore.prototype, 'drain', caught.cores);
  wrap(TransportMap.prototype, 'set', caught.maps);
  wrap(PacketFeed.prototype, 'feedBatch', caught.feeds);
}

export function resetCaught(): void {
  caught.fronts.clear();
  caught.cores.clear();
  caught.maps.clear();
  caught.feeds.clear();
}

const n = (x: unknown): number => (x instanceof Map || x instanceof Set ? x.size : Array.isArray(x) ? x.length : -1);

/** Every collection's size, by `part.field`. */
export function sizes(): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (prefix: string, obj: Any | undefined) => {
    if (!obj) return;
    for (const [k, v] of Object.entries(obj)) {
      const s = n(v);
      if (s >= 0) out[`${prefix}.${k}`] = (out[`${prefix}.${k}`] ?? 0) + s;
    }
  };
  for (const f of caught.fronts) {
    add('front', f);
    add('tracker', f.tracker);
    add('registry', f.registry);
    let parts = 0;
    for (const e of f.registry.entries.values()) parts += e.held.parts.length + e.pending.length;
    out['registry.heldParts'] = (out['registry.heldParts'] ?? 0) + parts;
  }
  for (const c of caught.cores) {
    add('core', c);
    add('table', c.table);
    out['table.streamCount'] = (out['table.streamCount'] ?? 0) + c.table.streamCount;
    add('core.transports', c.transports);
    add('flows', c.flows);
    out['flows.live'] = (out['flows.live'] ?? 0) + c.flows.liveCount;
    out['flows.slots'] = (out['flows.slots'] ?? 0) + c.flows.slots;
    add('windows', c.windows);
    add('srtcpKeyCache', c.srtcpKeyCache);
    add('statements', c.statements);
    add('resolutions', c.preferences.resolutions);
  }
  let i = 0;
  for (const m of caught.maps) {
    // the cores' own maps are counted above: the others are the engine's routes
    if ([...caught.cores].some((c) => c.transports === m)) continue;
    add(`routes${i++ === 0 ? '' : i}`, m);
  }
  for (const f of caught.feeds) {
    add('sipflows', f.tcpSip);
    add('decoder.tcp', f.decoder.tcpStreams);
    add('decoder.fragments', f.decoder.fragments);
  }
  return out;
}

/**
 * Replays capture files one after another as one live-like source (workers 0), taking the sizes
 * after each file is read through: `after[k]` after the k-th file.
 */
export async function replayFiles(files: readonly string[], policy: PolicyFile, workers = 0): Promise<{ after: Record<string, number>[]; result: ReplayResult; exports: string[]; reports: string[] }> {
  installProbes();
  resetCaught();
  const after: Record<string, number>[] = [];
  const exports: string[] = [];
  const reports: string[] = [];
  async function* source(): AsyncGenerator<RecordBatch> {
    // frames numbered on from file to file, as a live source numbers arrivals
    let base = 0;
    for (const file of files) {
      let last = 0;
      for await (const batch of readCaptureBatches(file)) {
        batch.firstFrame += base;
        last = batch.firstFrame + batch.count - 1;
        yield batch;
      }
      base = last;
      // the engine asks for the next batch once this one is through (workers 0)
      after.push(sizes());
    }
  }
  const result = await replayCapture({
    capture: 'growth',
    source: source(),
    policy,
    workers,
    windowSec: 10,
    explain: false,
    sink: { exports: (l) => void exports.push(...l), reports: (l) => void reports.push(...l), decisions: () => {} },
  });
  return { after, result, exports, reports };
}

/** The fields that grew by more than `slack` from `a` to `b`. */
export function grown(a: Record<string, number>, b: Record<string, number>, slack = 0): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const [k, v] of Object.entries(b)) if (v - (a[k] ?? 0) > slack) out[k] = [a[k] ?? 0, v];
  return out;
}
