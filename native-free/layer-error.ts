/**
 * Where a header decoder says what was wrong. Decoders fill one shared, reused instance instead
 * of throwing, so bad input costs no exception and good input no allocation.
 */
export interface LayerError {
  error: string;
  /** byte offset within the buffer the decoder was given */
  errorOffset: number;
}

export function createLayerError(): LayerError {
  return { error: '', errorOffset: 0 };
}

/** Records an error and returns false, so decoders can `return fail(err, at, '...')`. */
export function fail(err: LayerError, offset: number, message: string): false {
  err.error = message;
  err.errorOffset = offset;
  return false;
}
