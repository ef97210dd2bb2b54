/**
 * What can be wrong with a SIP message. A per-message parser never throws: it returns these
 * beside whatever it could keep, so one broken header does not hide the rest of the message.
 */
export type SipErrorReason =
  | 'empty-message'
  | 'bad-start-line'
  | 'bad-status-code'
  | 'no-header-end'
  | 'header-without-colon'
  | 'bad-header-name'
  | 'missing-call-id'
  | 'missing-cseq'
  | 'bad-cseq'
  /** a request whose CSeq names another method (RFC 3261 §8.1.1.5) */
  | 'cseq-method-mismatch'
  /** a Request-URI with characters no URI has (RFC 3261 §25.1: `<sip:…>`) */
  | 'bad-request-uri'
  /** a From or To display name whose quoted-string never closes */
  | 'unterminated-quote'
  /** a Via with an empty parameter or list item */
  | 'bad-via'
  | 'missing-from-tag'
  | 'empty-to-tag'
  | 'duplicate-header'
  | 'bad-content-length'
  | 'body-truncated'
  /** a UDP datagram the capture's snap length cut inside its message: the message is not read */
  | 'snaplen-cut'
  | 'missing-content-length'
  | 'bad-multipart'
  | 'oversized-message'
  | 'garbage-skipped'
  | 'bytes-lost'
  | 'bad-websocket-frame'
  | 'bad-websocket-handshake';

export interface SipParseError {
  reason: SipErrorReason;
  /** byte offset within the message (or within the stream chunk for framers) where it was seen */
  offset: number;
  detail?: string;
}

export function sipError(reason: SipErrorReason, offset: number, detail?: string): SipParseError {
  return detail === undefined ? { reason, offset } : { reason, offset, detail };
}
