/**
 * What a shard answers: the lines it made, and at the end its counters and (options.bindings) binding rows.
 * Shared by the in-thread shard and the worker-thread shard so both answer alike.
 */
import type { BindingRow } from '../binding/types.js';
import { bindingVia, streamMid } from '../binding/stream-table.js';
import { type CoreCounters, type CoreOutputs, MediaCore, type MediaCoreOptions } from './media-core.js';
import { type MediaWork, runMediaWork } from './media-work.js';

export interface ShardFinal {
  outputs: CoreOutputs;
  counters: CoreCounters;
  streams: number;
  bindings: (BindingRow & { ended: boolean })[];
}

export class Shard {
  /** public so that an in-thread replay can drive it packet by packet (no work unit in between) */
  readonly core: MediaCore;

  private readonly bindings: boolean;

  constructor(options: MediaCoreOptions) {
    this.core = new MediaCore(options);
    this.bindings = options.bindings === true;
  }

  work(work: MediaWork): CoreOutputs {
    runMediaWork(this.core, work);
    return this.core.drain();
  }

  finish(work: MediaWork): ShardFinal {
    runMediaWork(this.core, work);
    this.core.finish(work.lastFrame, work.lastTs);
    const bindings: ShardFinal['bindings'] = [];
    if (this.bindings) for (const { stream, apt, ended } of this.core.streams()) {
      bindings.push({
        ssrc: stream.ssrc,
        dialog: stream.session.scope ? { ...stream.session.scope.dialog } : null,
        mid: streamMid(stream),
        kind: stream.section?.kind ?? null,
        apt: [...apt],
        via: bindingVia(stream),
        ended,
      });
    }
    return { outputs: this.core.drain(), counters: this.core.counters, streams: this.core.streamCount, bindings };
  }
}
