/**
 * Found by a review of the policy file (SPEC §9), fixed since (src/policy/policy-file.ts,
 * vocabulary.ts durationOfNumber).
 *
 * Input: a policy file whose `dialogs` entry gives an empty tag:
 *   {"dialogs": [{"callId": "c", "fromTag": "", "apt": ["x"]}]}   (and the same with "toTag": "").
 *
 * Was: accepted. The entry keeps fromTag "" and findDialogApts compares it with every dialog's
 *   From-tag, so it matches no dialog at all: findDialogApts('c', 'f1', 't1') is [] — the
 *   repository entry is silently dead (the operator most likely meant "any tag", which is spelt
 *   by omitting it, SPEC §9). An empty callId or apt is refused ("expected a Call-ID: \"\""),
 *   an empty tag is not.
 *
 * Correct: refused at start with one line naming the file, the key and the value (SPEC §9),
 *   e.g. `policy.json: dialogs[0].fromTag: expected a tag string: ""`. A tag is a token, at least
 *   one character (RFC 3261 §25.1 `tag-param = "tag" EQUAL token`, token = 1*(...)), so "" can
 *   never match a dialog's tag.
 *
 * Fix: src/policy/policy-file.ts validateDialog, the fromTag/toTag loop:
 *   `if (typeof value !== 'string' || value === '') refuse(...)`.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyError } from '../../../src/policy/policy-file.js';

function outcome(text: string): string {
  try {
    const policy = parsePolicy(text, 'policy.json');
    return `accepted; matches: ${JSON.stringify(policy.findDialogApts('c', 'f1', 't1'))}`;
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as Error).message;
  }
}

describe('an empty tag in a dialogs entry is refused', () => {
  it('control: an omitted tag matches any', () => {
    expect(outcome('{"dialogs": [{"callId": "c", "apt": ["x"]}]}')).toBe('accepted; matches: ["x"]');
  });
  it.each(['fromTag', 'toTag'])('%s: ""', (tag) => {
    // was 'accepted; matches: []'
    expect(outcome(`{"dialogs": [{"callId": "c", "${tag}": "", "apt": ["x"]}]}`)).toMatch(new RegExp(`^policy\\.json: dialogs\\[0\\]\\.${tag}: .+: ""$`));
  });
});
