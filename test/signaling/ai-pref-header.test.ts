import { describe, expect, test } from 'vitest';
import { aiPrefOfMessage, parseAiPrefHeader, type AiPrefValue } from '../../src/signaling/ai-pref-header.js';
import { aiIntegrityFailureReason, aiPrefRefusalWarning, parseWarningHeader } from '../../src/signaling/aipref-refusal.js';
import { parseText, sipText } from './sip-fixtures.js';

type Expected = Partial<AiPrefValue>;

describe('AI-Pref grammar (seed §5.1)', () => {
  const valid: Array<[name: string, header: string, values: Expected[]]> = [
    ['bare token pref-id', 'apt-1234', [{ id: 'apt-1234', idQuoted: false, scope: null, params: {}, column: 0 }]],
    ['token with every token character', "a.b!c%d*e_f+g`h'i~j-0", [{ id: "a.b!c%d*e_f+g`h'i~j-0" }]],
    [
      'quoted-string pref-id (inline token) with escapes',
      '"eyJhbGciOiJFUzI1NiJ9.e30.sig; not a param, \\"q\\""',
      [{ id: 'eyJhbGciOiJFUzI1NiJ9.e30.sig; not a param, "q"', idQuoted: true }],
    ],
    ['seed §5.1.1: scope=dialog', 'apt-1;scope=dialog', [{ id: 'apt-1', scope: 'dialog' }]],
    ['seed §5.1.1: scope=media', 'apt-2;scope=media', [{ id: 'apt-2', scope: 'media' }]],
    ['seed §7.3: policy=strictest-wins', 'apt-3;policy=strictest-wins', [{ id: 'apt-3', policy: 'strictest-wins' }]],
    [
      'all known params',
      'pref-77;scope=dialog;type=user;version=3;integrity=jws;uri=<https://prefs.example.com/apt/77>;policy=strictest-wins',
      [{ id: 'pref-77', scope: 'dialog', type: 'user', version: 3, integrity: 'jws', uri: 'https://prefs.example.com/apt/77', policy: 'strictest-wins', params: {} }],
    ],
    ['seed §5.1.2: handle dereferenced via the uri parameter', 'h-1;uri=<https://repo.example/apt?id=1,2;x>', [{ id: 'h-1', uri: 'https://repo.example/apt?id=1,2;x' }]],
    ['seed §5.1.2: versioned identifier', 'urn-example-apt-9;version=12', [{ id: 'urn-example-apt-9', version: 12 }]],
    [
      'two comma-separated values (seed: several scopes advertised)',
      'apt-1;scope=dialog, apt-2;scope=media',
      [
        { id: 'apt-1', scope: 'dialog', column: 0 },
        { id: 'apt-2', scope: 'media', column: 20 },
      ],
    ],
    ['whitespace around ; = , (SWS)', '  apt-1 ; scope = dialog ;type= user ,apt-2', [{ id: 'apt-1', scope: 'dialog', type: 'user' }, { id: 'apt-2' }]],
    ['param names and enumerated values are case-insensitive (RFC 4485 §4.4)', 'Apt-1;SCOPE=Dialog;Type=USER;Policy=Strictest-Wins', [{ id: 'Apt-1', scope: 'dialog', type: 'user', policy: 'strictest-wins' }]],
    [
      'unknown params are kept and otherwise ignored (seed §5.1.2, RFC 3261)',
      'apt-1;export=none;retention=24h;flag;note="a; b, c";host=[2001:db8::1]:5060',
      [{ id: 'apt-1', scope: null, params: { export: 'none', retention: '24h', flag: '', note: 'a; b, c', host: '[2001:db8::1]:5060' } }],
    ],
    ['empty items between commas are tolerated', 'apt-1,,apt-2,', [{ id: 'apt-1' }, { id: 'apt-2' }]],
    // an unknown parameter is ignored (seed §5.1.2, RFC 4485 §4.4), repeated or not: the value stays
    ['a repeated unknown param keeps its first value', 'apt-reg;scope=dialog;x-foo=1;x-foo=2', [{ id: 'apt-reg', scope: 'dialog', params: { 'x-foo': '1' } }]],
    ['a repeated unknown param in another case, valueless first', 'apt-1;X-Flag;x-flag=on, apt-2', [{ id: 'apt-1', params: { 'x-flag': '' } }, { id: 'apt-2' }]],
  ];
  test.each(valid)('%s', (_name, header, expected) => {
    const r = parseAiPrefHeader(header);
    expect(r.errors).toEqual([]);
    expect(r.values).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(r.values[i]).toMatchObject(e));
  });

  // A value that breaks the grammar after its pref-id keeps the identifier, with the scope read
  // before the break and nothing else (SPEC §3: what cannot be resolved is the most restrictive
  // for its scope); `kept` is that value as [id, scope], null where no pref-id was read.
  const invalid: Array<[name: string, header: string, reason: string, column: number, values: string[], kept: [string, string | null] | null]> = [
    ['empty header', '', 'empty-value', 0, [], null],
    ['pref-id starting with a separator', ';scope=dialog', 'bad-pref-id', 0, [], null],
    ['unterminated quoted pref-id', '"abc;scope=dialog', 'unterminated-quoted-string', 0, [], null],
    ['version not digits', 'apt-1;version=v2, apt-2', 'bad-version', 6, ['apt-1', 'apt-2'], ['apt-1', null]],
    ['uri without angle brackets', 'apt-1;uri=https://x.example/a, apt-2', 'bad-uri', 10, ['apt-1', 'apt-2'], ['apt-1', null]],
    ['uri not absolute', 'apt-0, apt-1;scope=media;uri=<relative/path>', 'bad-uri', 25, ['apt-0', 'apt-1'], ['apt-1', 'media']],
    ['unclosed uri', 'apt-1;uri=<https://x.example/a', 'bad-uri', 10, ['apt-1'], ['apt-1', null]],
    ['known token param without value', 'apt-1;scope', 'missing-param-value', 6, ['apt-1'], ['apt-1', null]],
    ['known token param with a quoted value', 'apt-1;scope="dialog"', 'bad-param-value', 12, ['apt-1'], ['apt-1', null]],
    ['empty param name', 'apt-1;=x, apt-2', 'bad-param-name', 6, ['apt-1', 'apt-2'], ['apt-1', null]],
    ['duplicate param', 'apt-1;scope=dialog;Scope=media, apt-2', 'duplicate-param', 19, ['apt-1', 'apt-2'], ['apt-1', 'dialog']],
    // statement keys carried as header params are read (SPEC §3), so not unknown: either copy could relax the other
    ['duplicate statement key', 'apt-1;scope=media;export=none;EXPORT=raw, apt-2', 'duplicate-param', 30, ['apt-1', 'apt-2'], ['apt-1', 'media']],
    ['duplicate token of a signed value', 'apt-1;integrity=jws;token=a;token=b', 'duplicate-param', 28, ['apt-1'], ['apt-1', null]],
    ['two ids without a comma', 'apt-1 apt-2, apt-3', 'unexpected-character', 6, ['apt-1', 'apt-3'], ['apt-1', null]],
    ['equal sign with nothing after', 'apt-1;type=', 'missing-param-value', 11, ['apt-1'], ['apt-1', null]],
  ];
  test.each(invalid)('%s → %s at column %i; the identifier kept where read, other values survive', (_name, header, reason, column, values, kept) => {
    const r = parseAiPrefHeader(header);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ reason, column });
    expect(r.errors[0]!.kept).toBe(kept?.[0]);
    expect(r.values.map((v) => v.id)).toEqual(values);
    if (kept === null) return;
    const value = r.values.find((v) => v.id === kept[0])!;
    // nothing but the identifier and its scope: no statement key, version, type, integrity or uri to act on
    expect(value).toEqual({ id: kept[0], idQuoted: false, scope: kept[1], type: null, version: null, integrity: null, uri: null, policy: null, params: {}, column: value.column, garbled: true });
  });
});

describe('AI-Pref in a message', () => {
  test('several header instances, any name case, values in order, errors carry the header offset', () => {
    const text = sipText([
      'INVITE sip:bob@example.com SIP/2.0',
      'From: <sip:a@x>;tag=1',
      'Call-ID: c',
      'CSeq: 1 INVITE',
      'AI-Pref: apt-1;scope=dialog',
      'ai-pref: apt-2;scope=media, apt-3;version=x',
      'AI-PREF: "tok en";type=regulatory',
    ]);
    const { message } = parseText(text);
    const r = aiPrefOfMessage(message);
    expect(r.values.map((v) => [v.id, v.scope, v.type])).toEqual([
      ['apt-1', 'dialog', null],
      ['apt-2', 'media', null],
      ['apt-3', null, null],
      ['tok en', null, 'regulatory'],
    ]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.reason).toBe('bad-version');
    expect(text.slice(r.errors[0]!.headerOffset!).startsWith('ai-pref: apt-2')).toBe(true);
  });

  test('a folded AI-Pref header', () => {
    const { message } = parseText(sipText(['UPDATE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: c', 'CSeq: 2 UPDATE', 'AI-Pref: apt-1;scope=dialog,', '  apt-2;scope=media']));
    expect(aiPrefOfMessage(message).values.map((v) => v.id)).toEqual(['apt-1', 'apt-2']);
  });
});

describe('Warning header and the 488 refusal (seed §5.1.3)', () => {
  test('warning-values', () => {
    const r = parseWarningHeader('399 aipref "Preference unsupported", 301 isi.edu "Incompatible network address type \\"E.164\\""');
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      { code: 399, agent: 'aipref', text: 'Preference unsupported' },
      { code: 301, agent: 'isi.edu', text: 'Incompatible network address type "E.164"' },
    ]);
    expect(parseWarningHeader('399 aipref no-quotes').errors).toEqual(['399 aipref no-quotes']);
  });

  const refusals: Array<[name: string, warning: string | null, refused: boolean]> = [
    ['seed form: 399 aipref', '399 aipref "Preference unsupported"', true],
    ['agent case-insensitive', '399 AIPref "x"', true],
    ['host agent with aipref in the text', '399 sbc.example.com "AI-Pref: scope unsupported"', true],
    ['other warn-code', '370 aipref "Insufficient bandwidth"', false],
    ['399 about something else', '399 sbc.example.com "codec"', false],
    ['no Warning', null, false],
  ];
  test.each(refusals)('%s', (_name, warning, refused) => {
    const lines = ['SIP/2.0 488 Not Acceptable Here', 'From: <sip:a@x>;tag=1', 'To: <sip:b@x>;tag=2', 'Call-ID: c', 'CSeq: 2 INVITE'];
    if (warning) lines.push(`Warning: ${warning}`);
    const { message } = parseText(sipText(lines));
    expect(aiPrefRefusalWarning(message) !== null).toBe(refused);
  });
});

describe('403 with Reason AI-Integrity-Failure (seed §5.1.3)', () => {
  const cases: Array<[status: number, reason: string | null, found: boolean]> = [
    [403, 'SIP ;cause=403 ;text="AI-Integrity-Failure"', true],
    [403, 'ai-integrity-failure', true],
    [403, 'Q.850 ;cause=21', false],
    [488, 'SIP ;text="AI-Integrity-Failure"', false],
    [403, null, false],
  ];
  test.each(cases)('%i Reason %s → %s', (status, reason, found) => {
    const lines = [`SIP/2.0 ${status} No`, 'From: <sip:a@x>;tag=1', 'To: <sip:b@x>;tag=2', 'Call-ID: c', 'CSeq: 2 INVITE'];
    if (reason) lines.push(`Reason: ${reason}`);
    expect(aiIntegrityFailureReason(parseText(sipText(lines)).message) !== null).toBe(found);
  });
});
