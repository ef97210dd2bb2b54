/**
 * Interleaves the packet sources of all calls into capture order: a binary min-heap keyed by
 * each source's next send time, ties broken by a fixed per-source order so the output is
 * deterministic. A few hundred sources and a million packets cost ~10 comparisons each.
 */

export interface PacketSource {
  /** µs since the capture's start of the next packet; Infinity once the source is done */
  nextUs: number;
  /** tie-breaker between sources due at the same µs */
  readonly order: number;
  /** writes the due packet and advances nextUs */
  emit(): void;
}

function earlier(a: PacketSource, b: PacketSource): boolean {
  return a.nextUs < b.nextUs || (a.nextUs === b.nextUs && a.order < b.order);
}

export class SourceHeap {
  private readonly items: PacketSource[] = [];

  get size(): number {
    return this.items.length;
  }

  push(source: PacketSource): void {
    if (source.nextUs === Infinity) return;
    const items = this.items;
    items.push(source);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(source, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = source;
  }

  /** Emits packets in time order until every source is done. */
  drain(): void {
    const items = this.items;
    while (items.length > 0) {
      const top = items[0]!;
      top.emit();
      if (top.nextUs === Infinity) {
        const last = items.pop()!;
        if (items.length === 0) break;
        items[0] = last;
      }
      this.siftDown(0);
    }
  }

  /** Moves the item at `start` down to its place; the hole moves instead of swapping pairs. */
  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    const moving = items[start]!;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && earlier(items[r]!, items[l]!) ? r : l;
      if (!earlier(items[child]!, moving)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = moving;
  }
}
