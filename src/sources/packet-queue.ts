/**
 * Live packets as an async iterator, for a consumer that pulls (the pipeline's batch loop).
 * Sockets cannot be paused, so the queue is bounded and, once full, drops new packets and
 * counts them — losing packets visibly beats growing without bound.
 */
import type { SourcePacket } from './source-packet.js';

export class PacketQueue implements AsyncIterable<SourcePacket[]> {
  private items: SourcePacket[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;
  /** packets dropped because the queue was full */
  overflowed = 0;

  constructor(
    readonly capacity = 65_536,
    /** most packets handed out per iteration step */
    readonly maxBatch = 8192,
    /**
     * when nothing arrives for this long, iteration hands out an empty group: a tick that lets
     * the consumer's clock move on a silent feed (0: wait for packets however long it takes)
     */
    readonly idleTickMs = 0,
  ) {}

  get depth(): number {
    return this.items.length;
  }

  /** Use as a listener's onPacket. */
  readonly push = (packet: SourcePacket): void => {
    if (this.ended) return;
    if (this.items.length >= this.capacity) {
      this.overflowed++;
      return;
    }
    this.items.push(packet);
    this.waiting?.();
  };

  /** No more packets: iteration ends once the queue is empty. */
  end(): void {
    this.ended = true;
    this.waiting?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SourcePacket[]> {
    for (;;) {
      if (this.items.length > 0) {
        const n = Math.min(this.maxBatch, this.items.length);
        const batch = this.items.length === n ? this.items : this.items.slice(0, n);
        this.items = this.items.length === n ? [] : this.items.slice(n);
        yield batch;
        continue;
      }
      if (this.ended) return;
      let ticked = false;
      await new Promise<void>((resolve) => {
        const timer =
          this.idleTickMs > 0
            ? setTimeout(() => {
                ticked = true;
                this.waiting = undefined;
                resolve();
              }, this.idleTickMs)
            : undefined;
        this.waiting = () => {
          clearTimeout(timer);
          this.waiting = undefined;
          resolve();
        };
      });
      if (ticked && this.items.length === 0 && !this.ended) yield [];
    }
  }
}
