import { describe, expect, it } from 'vitest';
import { prefIdOfText } from '../../src/signaling/ai-pref-header.js';

describe('prefIdOfText (an SDES PRIV aipref value as a pref-id)', () => {
  it('a token is itself; a quoted-string is unquoted, as the AI-Pref header reads it', () => {
    expect(prefIdOfText('apt-raw')).toBe('apt-raw');
    expect(prefIdOfText("urn:x")).toBeNull(); // ':' is no token character
    expect(prefIdOfText('"urn:example:apt:1"')).toBe('urn:example:apt:1');
    expect(prefIdOfText('"a \\"b\\""')).toBe('a "b"');
  });

  it('anything else is text: empty, spaces, control characters, undecodable bytes, an unterminated or trailing quote', () => {
    for (const text of ['', 'evil id', 'a\u0007b', 'a\uFFFD\uFFFD', '""', '"a\u0007"', '"open', '"a"b', 'apt\u00e9']) expect(prefIdOfText(text), JSON.stringify(text)).toBeNull();
  });
});
