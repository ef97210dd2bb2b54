/**
 * Capture chunks in shared memory, reused. Worker threads see a batch's bytes in place
 * (SharedArrayBuffer, nothing copied), and a chunk goes back to the pool once the reader has
 * moved past it and every shard has finished every batch cut from it. The pool's size bounds
 * the memory a replay holds, whatever the capture's size: when all chunks are busy the reader
 * waits (backpressure). Fresh SharedArrayBuffers per chunk, by contrast, were only freed when
 * each worker's garbage collector got round to it, and resident memory grew with the capture.
 */
export class SharedChunkPool {
  private readonly free: Uint8Array[] = [];
  private readonly refs = new Map<ArrayBufferLike, number>();
  private readonly waiting: (() => void)[] = [];
  private readonly ids = new Map<ArrayBufferLike, number>();
  private created = 0;

  /**
   * `onCreate` hears of every new chunk once, so that worker threads can be given it once and
   * afterwards be told only its number: a SharedArrayBuffer posted with every task made each
   * worker keep a wrapper per task until its garbage collector ran, and memory grew.
   */
  constructor(
    private readonly maxChunks: number,
    private readonly onCreate: (id: number, chunk: Uint8Array) => void = () => {},
  ) {}

  /** The number of a chunk the pool owns, or undefined for any other memory. */
  idOf(bytes: Uint8Array): number | undefined {
    return this.ids.get(bytes.buffer);
  }

  /** A chunk of exactly `bytes` bytes, held once (the reader's hold) until `release`. */
  async acquire(bytes: number): Promise<Uint8Array> {
    for (;;) {
      const i = this.free.findIndex((c) => c.length === bytes);
      if (i >= 0) {
        const chunk = this.free.splice(i, 1)[0]!;
        this.refs.set(chunk.buffer, 1);
        return chunk;
      }
      if (this.created < this.maxChunks || this.free.length > 0) {
        // a free chunk of another size is dropped rather than kept beside a new one
        if (this.free.length > 0) this.ids.delete(this.free.pop()!.buffer);
        else this.created++;
        const chunk = new Uint8Array(new SharedArrayBuffer(bytes));
        this.refs.set(chunk.buffer, 1);
        const id = this.ids.size;
        this.ids.set(chunk.buffer, id);
        this.onCreate(id, chunk);
        return chunk;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** One more user of the chunk `bytes` lies in (no-op for memory the pool does not own). */
  retain(bytes: Uint8Array): void {
    const n = this.refs.get(bytes.buffer);
    if (n !== undefined) this.refs.set(bytes.buffer, n + 1);
  }

  release(bytes: Uint8Array): void {
    const n = this.refs.get(bytes.buffer);
    if (n === undefined) return;
    if (n > 1) {
      this.refs.set(bytes.buffer, n - 1);
      return;
    }
    this.refs.delete(bytes.buffer);
    this.free.push(new Uint8Array(bytes.buffer));
    this.waiting.shift()?.();
  }

  /** Chunks allocated so far (the pool never holds more than its maximum). */
  get allocated(): number {
    return this.created;
  }
}
