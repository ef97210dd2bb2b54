/**
 * The scan of a JSON policy file's text (src/policy/json-text.ts): where JSON.parse fails, as a
 * line and column, and keys an object gives twice (JSON.parse keeps the last without a word).
 */
import { describe, expect, it } from 'vitest';
import { positionAt, scanJson } from '../../src/policy/json-text.js';

describe('scanJson: duplicate keys', () => {
  it.each([
    ['{"a": 1, "a": 2}', 'a', [1, 10], [1, 2]],
    ['{"apts": {"x": {}, "y": {}, "x": {"export": "raw"}}}', 'apts.x', [1, 29], [1, 11]],
    ['{\n  "apts": {},\n  "dialogs": [],\n  "apts": {}\n}', 'apts', [4, 3], [2, 3]],
    // the same key however it is escaped
    ['{"ab": 1, "a\\u0062": 2}', 'ab', [1, 11], [1, 2]],
    ['{"a\\"b": 1, "a\\u0022b": 2}', 'a"b', [1, 13], [1, 2]],
    ['{"\\/": 1, "/": 2}', '/', [1, 11], [1, 2]],
    // inside arrays and deeper objects, with the path of the element
    ['{"dialogs": [{"callId": "c", "apt": ["a"]}, {"callId": "c", "apt": ["a"], "callId": "d"}]}', 'dialogs[1].callId', [1, 75], [1, 46]],
    ['[[], [0, {"k": {"z": 1, "z": 2}}]]', '[1][1].k.z', [1, 25], [1, 17]],
    ['{"__proto__": 1, "__proto__": 2}', '__proto__', [1, 18], [1, 2]],
    ['{"": 1, "": 2}', '""', [1, 9], [1, 2]],
    // columns count characters, not UTF-16 units
    ['{"😀": 1, "a": {"b": 1, "b": 2}}', 'a.b', [1, 24], [1, 16]],
  ] as const)('%s: %s', (text, path, [line, column], [firstLine, firstColumn]) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(scanJson(text)).toEqual({ syntaxError: null, duplicate: { path, line, column, first: { line: firstLine, column: firstColumn } } });
  });

  it.each([
    '{"a": 1, "b": {"a": 2}}',
    '[{"a": 1}, {"a": 2}]',
    '{"a": "\\"a\\": 1", "b": ["a", "a"]}',
    '{"ab": 1, "a\\\\b": 2, "a\\/b": 3}',
    '{"a": 1, "A": 2}',
    '{"x": {"a": 1}, "y": {"a": 1}}',
  ])('none in %s', (text) => {
    expect(scanJson(text)).toEqual({ syntaxError: null, duplicate: null });
  });

  it('reports the first of several; a duplicate before a syntax error is seen too', () => {
    expect(scanJson('{"a": 1, "b": 1, "b": 2, "a": 3}').duplicate).toMatchObject({ path: 'b', column: 18 });
    expect(scanJson('{"a": 1, "a": 2, ')).toMatchObject({ duplicate: { path: 'a' }, syntaxError: { line: 1, column: 18 } });
  });
});

describe('scanJson: syntax errors where JSON.parse fails', () => {
  it.each([
    ['{"apts": {', 1, 11, "unexpected end of the file (expected a key in double quotes, or '}')"],
    ['{\n  "apts": {\n    "a": {"export": "raw"},\n  }\n}', 4, 3, "unexpected character '}' (expected a key in double quotes)"],
    ['{"a": [1, 2,]}', 1, 13, "unexpected character ']' (expected a value)"],
    ['{"a" 1}', 1, 6, "unexpected character '1' (expected ':' after the key)"],
    ['{"a": 1 "b": 2}', 1, 9, `unexpected character '"' (expected ',' or '}')`],
    ['[1 2]', 1, 4, "unexpected character '2' (expected ',' or ']')"],
    ["{'a': 1}", 1, 2, `unexpected character "'" (expected a key in double quotes, or '}'; JSON's strings and keys take double quotes)`],
    ['{a: 1}', 1, 2, "unexpected character 'a' (expected a key in double quotes, or '}')"],
    ['{"a": 1} // the policy', 1, 10, "unexpected character '/' after the end of the document (JSON has no comments)"],
    ['{"a": /* x */ 1}', 1, 7, "unexpected character '/' (expected a value; JSON has no comments)"],
    ['{} {}', 1, 4, "unexpected character '{' after the end of the document"],
    ['\uFEFF{}', 1, 1, 'unexpected byte-order mark (U+FEFF) (expected a value; save the file without one)'],
    ['{"a": nul}', 1, 7, "unexpected word 'nul' (expected a value: a string, number, object, array, true, false or null)"],
    ['{"a": True}', 1, 7, "unexpected word 'True' (expected a value: a string, number, object, array, true, false or null)"],
    ['[NaN]', 1, 2, "unexpected word 'NaN' (expected a value: a string, number, object, array, true, false or null)"],
    ['[truex]', 1, 2, "unexpected word 'truex' (expected a value: a string, number, object, array, true, false or null)"],
    ['{"a": 01}', 1, 7, "bad number '01'"],
    ['{"a": 1.}', 1, 7, "bad number '1.'"],
    ['{"a": 1e}', 1, 7, "bad number '1e'"],
    ['{"a": -}', 1, 7, 'bad number (expected a digit after -)'],
    ['{"a": +1}', 1, 7, "unexpected character '+' (expected a value)"],
    ['{"a": .5}', 1, 7, "unexpected character '.' (expected a value)"],
    ['{"a": "b}', 1, 7, 'unterminated string'],
    ['{"a": "b\\', 1, 7, 'unterminated string'],
    ['{"a": "b\\x"}', 1, 9, "bad escape '\\x' in a string"],
    ['{"a": "\\u12G4"}', 1, 8, 'bad \\u escape in a string (expected 4 hex digits)'],
    ['{"a": "tab\there"}', 1, 11, 'unexpected character U+0009 in a string (a control character must be escaped)'],
    ['{"a": "line\nbreak"}', 1, 12, 'unexpected character U+000A in a string (a control character must be escaped)'],
    ['{"é": "ü", "b": ]}', 1, 17, "unexpected character ']' (expected a value)"],
    ['{\r\n"a": 1,\r\n"b" }', 3, 5, "unexpected character '}' (expected ':' after the key)"],
    ['{"a":\u00a01}', 1, 6, "unexpected character '\u00a0' (expected a value)"],
    ['[', 1, 2, 'unexpected end of the file (expected a value)'],
    ['{"a": 1', 1, 8, "unexpected end of the file (expected ',' or '}')"],
    ['{"a"', 1, 5, "unexpected end of the file (expected ':' after the key)"],
  ] as const)('%j: line %i, column %i', (text, line, column, message) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(scanJson(text).syntaxError).toEqual({ line, column, message });
  });

  it('takes what JSON.parse takes: escapes, numbers, white space, lone surrogates, any nesting', () => {
    const texts = [
      ' \t\r\n{"a" : [ 1 , -0 , 0.5e-3 , 2E+10 , -12.25e2 , true , false , null , "" , "\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\\ud800" , { } , [ ] ] } \n',
      '"just a string"',
      '0',
      'null',
      '[' .repeat(100_000) + ']'.repeat(100_000),
      '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000),
    ];
    for (const text of texts) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(scanJson(text), text.slice(0, 40)).toEqual({ syntaxError: null, duplicate: null });
    }
  });

  it('agrees with JSON.parse on thousands of mangled policy files', () => {
    // A fixed pseudo-random sequence: the same cases every run.
    let seed = 0x2545f491;
    const random = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const base = JSON.stringify(
      {
        apts: { 'apt-1': { type: 'domain', export: 'aggregated-only', retention: '24h', features: ['media-metrics'], version: 3, 'x-é': 'a\\"b\u00e9' } },
        dialogs: [{ callId: 'c1@10.0.0.1', fromTag: 'f', apt: ['apt-1'] }],
        default: null,
        window: 10,
        revoked: [],
        n: [-1.5e-7, 0, true, false],
      },
      null,
      1,
    );
    const pieces = ['{', '}', '[', ']', ',', ':', '"', '\\', '\\u', '0', '-', '.', 'e', 'true', 'nul', ' ', '\n', 'x', '\t', '/'];
    let invalid = 0;
    for (let round = 0; round < 4000; round++) {
      let text = base;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length + 1);
        const kind = random(3);
        if (kind === 0) text = text.slice(0, at) + text.slice(at + 1 + random(3));
        else if (kind === 1) text = text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at);
        else text = text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at + 1);
      }
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      const { syntaxError } = scanJson(text);
      expect(syntaxError === null, text).toBe(parses);
      if (!parses) invalid++;
    }
    expect(invalid).toBeGreaterThan(1000);
  });
});

describe('positionAt', () => {
  it('counts lines by \\n and columns by characters', () => {
    const text = 'ab\r\n😀c\nd';
    expect([0, 2, 4, 6, 7, 8, 9].map((offset) => positionAt(text, offset))).toEqual([
      { line: 1, column: 1 },
      { line: 1, column: 3 },
      { line: 2, column: 1 },
      { line: 2, column: 2 },
      { line: 2, column: 3 },
      { line: 3, column: 1 },
      { line: 3, column: 2 },
    ]);
  });
});
