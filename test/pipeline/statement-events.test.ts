import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../src/pipeline/media-core.js';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { emptyPolicy } from '../../src/policy/policy-file.js';
import { parseSipMessage } from '../../src/signaling/sip-message.js';

const ctx = { frame: 1, ts: 1767225600, src: '10.1.0.1', dst: '10.2.0.1', sport: 5060, dport: 5060, transport: 'udp' as const };

/** The sample INVITE as call `n` (its own Call-ID and branch: a new dialog, not a retransmission), edited by `edit`. */
async function invite(n: number, edit: (text: string) => string = (t) => t) {
  const text = edit((await readFile('samples/sip/invite-bundle.sip', 'utf8')).replaceAll('ffd04841f5', `ffd04841${n}`));
  const bytes = new TextEncoder().encode(text);
  return parseSipMessage(bytes, 0, bytes.length);
}

/** The identifiers of the statements the events hand to the shards, in order. */
function statementIds(events: CoreEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'statements' ? e.statements.map((s) => s.id) : []));
}

describe('statements sent to the shards', () => {
  it('go out when they change, not each time signaling repeats them', async () => {
    const front = new SignalingFront(emptyPolicy());
    await front.message(await invite(1), { ...ctx, frame: 1 });
    const first = front.takeEvents();
    expect(statementIds(first).sort()).toEqual(['apt-dom-1', 'apt-user-1', 'apt-video-1', 'urn:example:apt:call-1']);

    // A second call saying the same about the same identifiers: its scope goes out, no statement does.
    await front.message(await invite(2), { ...ctx, frame: 2 });
    const second = front.takeEvents();
    expect(second.map((e) => e.kind)).toContain('scope');
    expect(statementIds(second)).toEqual([]);

    // A third one says something new about one of them: that one goes out, as the registry now holds it.
    await front.message(await invite(3, (t) => t.replace('apt-dom-1 export=aggregated-only', 'apt-dom-1 export=none')), { ...ctx, frame: 3 });
    const third = front.takeEvents();
    expect(statementIds(third)).toEqual(['apt-dom-1']);
    const sent = third.flatMap((e) => (e.kind === 'statements' ? e.statements : []))[0]!;
    expect(sent.export).toBe('none');
  });
});
