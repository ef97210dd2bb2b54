/**
 * Checked and fine: the four "behaviour unchanged" refactors of round 21, compared line by line
 * with the code they replaced (git show f13b274 7076e65 cd365fd f84a735).
 *
 * f13b274 abortableDelay (src/export/abortable.ts):
 *  - the NATS exporter's copy was moved verbatim; replay's pause() differed only for a signal
 *    already aborted (pause added a listener to an aborted signal, which never fires again, and
 *    waited the whole FIFO_POLL_MS); abortableDelay resolves at once. In openFifoUnreadable the loop
 *    checks signal.aborted before each open, so the difference is an interrupt during a failed
 *    O_NONBLOCK open: the run stops up to 100 ms sooner. A change, for the better; not a defect.
 *  - resolves (never rejects) on abort, at once; the listener is removed both when the timer fires
 *    and on abort; the timer is cleared on abort (no Timeout left active); 2,000 delays in a row on
 *    one signal leave no listener and raise no MaxListenersExceededWarning. Neither version unref's
 *    its timer (same as before; both callers want the wait to hold the process).
 *  - (abortableDelay has no bound of its own for ms > MAX_TIMER_MS; its callers never pass one:
 *    the NATS backoff is 100 ms..10 s and not configurable from the CLI, the FIFO poll 100 ms.)
 *
 * 7076e65 held-bytes (roomFor, heldCopy, NO_BYTES):
 *  - roomFor + `stop -= start; start = 0` equals the old inline code (n = stop - start computed
 *    first; compaction when n + extra <= len >> 1, else max(n + extra, 2 len)) on 20,000 random states,
 *    held bytes and buffer length alike; heldCopy is a copy (max(2n, 2048)), never a view of the
 *    caller's segment; NO_BYTES is empty (a shared zero-length array: nothing can be written to it).
 *  - SipStreamFramer and WebSocketFrameDecoder: a message of exactly maxMessageBytes, fed one byte
 *    at a time with zero-length segments in between, is read whole; one byte more is oversized; the
 *    caller's segment buffer overwritten after each push leaves the held bytes intact; the held
 *    buffer lets go (NO_BYTES) once a segment ends where a message does, and while it holds bytes it
 *    stays within 4 × (max + segment) (it does not shrink back while a partial message is always
 *    pending — as before the refactor).
 *
 * cd365fd refusedValue: same tokens and test as the inline code; a value with '=' (`--policy -a=b`)
 *   named and quoted as before; a secret option's own value (`--token -x`) never shown; an empty
 *   value is no ambiguity (refuseEmptyValues' line); `--policy a --policy -b` names '-b'.
 *   (Two findings of the moved code itself are in their own files.)
 *
 * f84a735 MAX_TIMER_MS: 2^31 - 1 in every former copy; it is Node's own limit (a timer of it raises
 *   no warning, one more does); --batch-ms 2147483647 taken, 2147483648 refused as before; the
 *   NDJSON rotation timer and the NATS expiry timer still clamp a due a century away to it; live's
 *   every() still uses one setInterval up to it and chained timers past it (read: only the constant moved).
 */
import { getEventListeners } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseOptions } from '../../../src/cli/args.js';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { abortableDelay, MAX_TIMER_MS } from '../../../src/export/abortable.js';
import { StreamExpiry } from '../../../src/export/nats-expiry.js';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';
import { heldCopy, NO_BYTES, roomFor } from '../../../src/signaling/held-bytes.js';
import { SipStreamFramer } from '../../../src/signaling/sip-stream.js';
import { WebSocketFrameDecoder } from '../../../src/signaling/websocket-frames.js';

const activeTimeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('f13b274 abortableDelay', () => {
  it('an already aborted signal: resolves at once, no listener added, no timer', async () => {
    const c = new AbortController();
    c.abort();
    const before = activeTimeouts();
    const t0 = performance.now();
    await abortableDelay(10_000, c.signal);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
    expect(activeTimeouts()).toBe(before);
  });

  it('aborted while waiting: resolves (not rejects) at once, listener removed, timer cleared', async () => {
    const c = new AbortController();
    const before = activeTimeouts();
    const p = abortableDelay(60_000, c.signal);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    const t0 = performance.now();
    setTimeout(() => c.abort(), 10);
    await expect(p).resolves.toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(500);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
    expect(activeTimeouts()).toBe(before);
  });

  it('2,000 delays in a row on one signal: no listener left, no MaxListenersExceededWarning', async () => {
    const c = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 2000; i++) await abortableDelay(0, c.signal);
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('warning', onWarning);
    }
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
    expect(warnings.filter((w) => w === 'MaxListenersExceededWarning')).toEqual([]);
  });
});

describe('7076e65 held-bytes', () => {
  /** the code 7076e65 replaced (sip-stream.ts / websocket-frames.ts append), on a copy of the state */
  function oldAppend(held: Uint8Array, start: number, stop: number, extra: number): { held: Uint8Array; start: number; stop: number } {
    const n = stop - start;
    if (stop + extra > held.length) {
      if (n + extra <= held.length >> 1) {
        held.copyWithin(0, start, stop);
      } else {
        const grown = new Uint8Array(Math.max(n + extra, 2 * held.length));
        grown.set(held.subarray(start, stop), 0);
        held = grown;
      }
      start = 0;
      stop = n;
    }
    return { held, start, stop };
  }
  function newAppend(held: Uint8Array, start: number, stop: number, extra: number): { held: Uint8Array; start: number; stop: number } {
    if (stop + extra > held.length) {
      held = roomFor(held, start, stop, extra);
      stop -= start;
      start = 0;
    }
    return { held, start, stop };
  }

  it('roomFor equals the old inline growth on 20,000 random states', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 20_000; k++) {
      const len = [0, 1, 2, 3, 7, 2048, 2049, 4095][rnd(8)]! + rnd(64);
      const start = len === 0 ? 0 : rnd(len + 1);
      const stop = start + rnd(len - start + 1);
      const extra = rnd(3) === 0 ? 0 : 1 + rnd(len + 16);
      const base = new Uint8Array(len);
      for (let i = 0; i < len; i++) base[i] = rnd(256);
      const a = oldAppend(base.slice(), start, stop, extra);
      const b = newAppend(base.slice(), start, stop, extra);
      expect(b.start).toBe(a.start);
      expect(b.stop).toBe(a.stop);
      expect(b.held.length).toBe(a.held.length);
      expect(Buffer.from(b.held.subarray(b.start, b.stop)).equals(Buffer.from(a.held.subarray(a.start, a.stop)))).toBe(true);
    }
  });

  it('heldCopy copies (never a view of the caller’s segment), max(2n, 2048); NO_BYTES is empty', () => {
    const seg = new Uint8Array([1, 2, 3]);
    const h = heldCopy(seg);
    expect(h.buffer).not.toBe(seg.buffer);
    seg.fill(9);
    expect([...h.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect(h.length).toBe(2048);
    expect(heldCopy(new Uint8Array(3000)).length).toBe(6000);
    expect(NO_BYTES.length).toBe(0);
  });

  const MAX = 4096;
  const sipOf = (total: number): Uint8Array => {
    const head = (len: number) => `OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKx\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nFrom: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nContent-Length: ${len}\r\n\r\n`;
    let body = total - head(0).length;
    body = total - head(body).length;
    const m = new TextEncoder().encode(head(body) + 'x'.repeat(body));
    expect(m.length).toBe(total);
    return m;
  };
  /** pushes `bytes` one byte at a time, through one reused buffer overwritten after each push, a zero-length segment between */
  const drip = (push: (b: Uint8Array) => { message: unknown; errors: { reason: string }[] }[], bytes: Uint8Array) => {
    const out: { message: any; errors: { reason: string }[] }[] = [];
    const reused = new Uint8Array(1);
    for (const byte of bytes) {
      reused[0] = byte;
      out.push(...(push(reused) as never[]));
      reused[0] = 0xff;
      out.push(...(push(new Uint8Array(0)) as never[]));
    }
    return out;
  };

  it('SIP stream: exactly maxMessageBytes read whole from 1-byte segments; one more is oversized', () => {
    const exact = sipOf(MAX);
    const f = new SipStreamFramer({ maxMessageBytes: MAX });
    const out = drip((b) => f.push(b), exact);
    expect(out).toHaveLength(1);
    expect(out[0]!.message.callId).toBe('c1');
    expect(out[0]!.message.body.length).toBe(exact.length - (new TextDecoder().decode(exact).indexOf('\r\n\r\n') + 4));
    expect(new TextDecoder().decode(out[0]!.message.body)).toMatch(/^x+$/);
    expect(f.pendingBytes).toBe(0);
    expect((f as any).held).toBe(NO_BYTES);

    const over = new SipStreamFramer({ maxMessageBytes: MAX });
    const out2 = drip((b) => over.push(b), sipOf(MAX + 1));
    expect(out2.flatMap((r) => r.errors.map((e) => e.reason))).toContain('oversized-message');
    expect(out2.filter((r) => r.message !== null)).toHaveLength(0);
  });

  it('SIP stream: the held buffer stays bounded while a partial message is always pending', () => {
    const f = new SipStreamFramer({ maxMessageBytes: MAX });
    const m = sipOf(MAX);
    const seg = 100;
    let longest = 0;
    for (let round = 0; round < 20; round++) {
      for (let at = 0; at < m.length; at += seg) {
        f.push(m.subarray(at, Math.min(m.length, at + seg)));
        longest = Math.max(longest, (f as any).held.length);
      }
    }
    expect(longest).toBeLessThanOrEqual(4 * (MAX + seg));
  });

  const wsFrame = (payload: Uint8Array): Uint8Array => {
    const len = payload.length;
    const header = len < 126 ? [0x81, len] : len < 65536 ? [0x81, 126, len >> 8, len & 0xff] : (() => { throw new Error('big'); })();
    const f = new Uint8Array(header.length + len);
    f.set(header, 0);
    f.set(payload, header.length);
    return f;
  };

  it('WebSocket: a payload of exactly maxMessageBytes read whole from 1-byte segments; one more is oversized', () => {
    const d = new WebSocketFrameDecoder({ maxMessageBytes: MAX });
    const out = drip((b) => d.push(b), wsFrame(sipOf(MAX)));
    expect(out).toHaveLength(1);
    expect(out[0]!.message.callId).toBe('c1');
    expect(new TextDecoder().decode(out[0]!.message.body)).toMatch(/^x+$/);
    expect((d as any).held).toBe(NO_BYTES);

    const over = new WebSocketFrameDecoder({ maxMessageBytes: MAX });
    const out2 = drip((b) => over.push(b), wsFrame(sipOf(MAX + 1)));
    expect(out2.flatMap((r) => r.errors.map((e) => e.reason))).toContain('oversized-message');
    expect(out2.filter((r) => r.message !== null)).toHaveLength(0);
  });
});

describe('cd365fd refusedValue', () => {
  const spec = { policy: { type: 'string' }, token: { type: 'string' } } as const;
  const line = (args: string[]): string => {
    try {
      parseOptions(args, spec);
      return 'ok';
    } catch (err) {
      return (err as Error).message;
    }
  };
  it('a value with =, a secret option, an empty value, the occurrence refused', () => {
    expect(line(['--policy', '-a=b'])).toBe("--policy needs a value: '-a=b' looks like an option (write --policy=-a=b to give it)");
    expect(line(['--token', '-S3cr3t'])).toBe("--token needs a value: the next argument looks like an option (write --token=<value> to give a value starting with '-')");
    expect(line(['--policy', ''])).toBe('ok'); // (refuseEmptyValues' business, after parsing)
    expect(line(['--policy', 'a', '--policy', '-b'])).toBe("--policy needs a value: '-b' looks like an option (write --policy=-b to give it)");
  });
});

describe('f84a735 MAX_TIMER_MS', () => {
  afterEach(() => vi.restoreAllMocks());

  it("is 2^31 - 1, Node's own limit: no warning at it, a TimeoutOverflowWarning one above", async () => {
    expect(MAX_TIMER_MS).toBe(2147483647);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      clearTimeout(setTimeout(() => {}, MAX_TIMER_MS));
      await new Promise((r) => setTimeout(r, 20));
      expect(warnings).toEqual([]);
      clearTimeout(setTimeout(() => {}, MAX_TIMER_MS + 1));
      await new Promise((r) => setTimeout(r, 20));
      expect(warnings).toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('--batch-ms: 2147483647 taken, 2147483648 refused', async () => {
    const opts = await liveOptionsFromArgs(['--hep', '127.0.0.1:0', '--batch-ms', '2147483647']);
    expect(opts.batchMs).toBe(2147483647);
    await expect(liveOptionsFromArgs(['--hep', '127.0.0.1:0', '--batch-ms', '2147483648'])).rejects.toThrow(/--batch-ms takes at most 2147483647/);
  });

  it('the NATS expiry and NDJSON rotation timers clamp a due a century away to it', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const now = Date.now() / 1000;
    const expiry = new StreamExpiry({} as never, 's', 1, () => now, () => {});
    expiry.note(1, now + 100 * 365 * 86_400);
    const dir = await mkdtemp(path.join(tmpdir(), 'r21-refactor-rot-'));
    try {
      const rot = await RotatingNdjsonExporter.open({ dir, base: 'exports', maxAgeSec: 100 * 365 * 86_400, clock: () => now });
      await rot.writeLine('{"a":1}', null);
      await rot.close();
    } finally {
      await expiry.close();
      await rm(dir, { recursive: true, force: true });
    }
    const delays = spy.mock.calls.map((c) => c[1]).filter((ms): ms is number => typeof ms === 'number' && ms > 1e6);
    expect(delays.length).toBeGreaterThanOrEqual(2);
    for (const ms of delays) expect(ms).toBe(MAX_TIMER_MS);
  });
});
