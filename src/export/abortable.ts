/** setTimeout's longest delay (about 24.8 days): Node fires a longer one after 1 ms, with a warning — a later moment is reached in several timers. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `task`'s value, or undefined once `signal` aborts first (what `task` does later is then ignored, a rejection too). */
export function unlessAborted<T>(task: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => {
    const abort = (): void => resolve(undefined);
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    task.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(err);
      },
    );
  });
}

/** Resolves after `ms`, or at once when `signal` aborts (already aborted: at once). */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
