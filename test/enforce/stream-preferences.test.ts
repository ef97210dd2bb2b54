import { describe, expect, it } from 'vitest';
import { bindStream, type RtpSession, StreamTable } from '../../src/binding/stream-table.js';
import type { DialogScope, SectionScope } from '../../src/binding/types.js';
import { governingOf, StatementTable, StreamPreferences } from '../../src/enforce/stream-preferences.js';
import { resolvePreferences } from '../../src/policy/precedence.js';
import { type AptStatement, buildStatement } from '../../src/policy/statement.js';

function statement(id: string, params: Record<string, unknown>, source: 'policy-file' | 'ai-pref-header' = 'policy-file'): AptStatement {
  return buildStatement(id, [{ prefId: id, source, params }]).statement;
}

/** A statement table holding one policy-file statement per identifier. */
function statementTable(apts: Record<string, Record<string, unknown>>): StatementTable {
  const statements = new StatementTable();
  for (const [id, params] of Object.entries(apts)) statements.set(statement(id, params));
  return statements;
}

function dialogScope(dialogApts: string[], repositoryApts: string[] = []): DialogScope {
  return { key: 'd1', dialog: { callId: 'c1', fromTag: 'f', toTag: 't' }, sections: [], dialogApts, repositoryApts, pending: null };
}

function streamIn(table: StreamTable, scope: DialogScope, ssrc: number) {
  const session: RtpSession = table.session(scope.key, scope);
  return table.stream(session, ssrc, 0);
}

describe('StreamPreferences', () => {
  it('resolves as precedence does', () => {
    const statements = statementTable({
      'apt-a': { export: 'aggregated-only', retention: '15m', type: 'user' },
      'apt-b': { export: 'raw', type: 'domain' },
    });
    const stream = streamIn(new StreamTable(), dialogScope(['apt-a'], ['apt-b']), 1);
    const pref = new StreamPreferences(statements).of(stream);
    expect(pref.ids).toEqual(['apt-a', 'apt-b']);
    expect(pref.implicit).toBe(true);
    expect(pref.resolved).toEqual(resolvePreferences([statements.get('apt-a')!, statements.get('apt-b')!]));
  });

  it('gives back the same resolved preference when a statement changes only in where it came from', () => {
    const statements = statementTable({ 'apt-a': { export: 'aggregated-only', type: 'user' } });
    const table = new StreamTable();
    const scope = dialogScope(['apt-a']);
    const one = streamIn(table, scope, 1);
    const two = streamIn(table, scope, 2);
    const preferences = new StreamPreferences(statements);
    const first = preferences.of(one).resolved;
    expect(preferences.of(two).resolved).toBe(first);
    // the same statement delivered again through another layer: the same meaning, no new generation
    const generation = statements.generation;
    const again = buildStatement('apt-a', [
      { prefId: 'apt-a', source: 'policy-file', params: { export: 'aggregated-only', type: 'user' } },
      { prefId: 'apt-a', source: 'ai-pref-header', params: { export: 'aggregated-only' } },
    ]).statement;
    statements.set(again);
    expect(statements.generation).toBe(generation);
    expect(statements.get('apt-a')).toBe(again);
    expect(preferences.of(one).resolved).toBe(first);
    // a rebinding resolves again, to the same object
    one.generation++;
    expect(preferences.of(one).resolved).toBe(first);
    // a change of meaning resolves anew
    statements.set(statement('apt-a', { export: 'none', type: 'user' }));
    expect(statements.generation).toBe(generation + 1);
    const changed = preferences.of(one).resolved;
    expect(changed).not.toBe(first);
    expect(changed?.export).toBe('none');
  });

  it("resolves again when the dialog's scope changes and the stream's binding does not", () => {
    const statements = statementTable({
      'apt-a': { export: 'aggregated-only', type: 'user' },
      'apt-b': { export: 'none', type: 'user' },
      'apt-r': { export: 'raw', type: 'domain' },
    });
    const table = new StreamTable();
    const invite = dialogScope(['apt-a']);
    const stream = streamIn(table, invite, 1);
    bindStream(stream, invite, []);
    const preferences = new StreamPreferences(statements);
    expect(preferences.of(stream).ids).toEqual(['apt-a']);
    // a re-INVITE names another dialog-level identifier: the stream stays bound to no m-section
    const reinvite = dialogScope(['apt-b']);
    const generation = stream.generation;
    stream.session.scope = reinvite;
    expect(bindStream(stream, reinvite, [])).toBe(false);
    expect(stream.generation).toBe(generation);
    expect(preferences.of(stream).ids).toEqual(['apt-b']);
    expect(preferences.of(stream).resolved?.export).toBe('none');
    // a reloaded repository for the dialog
    const reloaded = dialogScope(['apt-b'], ['apt-r']);
    stream.session.scope = reloaded;
    bindStream(stream, reloaded, []);
    expect(preferences.of(stream).ids).toEqual(['apt-b', 'apt-r']);
  });

  it('counts an identifier nothing states as most restrictive, reporting it unresolved', () => {
    const statements = new StatementTable();
    const stream = streamIn(new StreamTable(), dialogScope(['apt-x']), 1);
    const pref = new StreamPreferences(statements).of(stream);
    expect(pref.unresolved).toEqual(['apt-x']);
    expect(pref.resolved?.export).toBe('none');
    expect(pref.resolved?.decidedBy.export.rule).toBe('unresolved-apt');
  });

  describe('an offer awaiting its answer that leaves the stream with no APT on one side', () => {
    const section = (apts: string[]): SectionScope => ({ index: 0, mid: 'a', kind: 'audio', disabled: false, rtp: [], rtcp: [], ssrcs: [1], midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: apts.map((id) => ({ id, origin: 'mid' as const })) });
    const withSection = (apts: string[], pending: DialogScope | null = null): DialogScope => ({ ...dialogScope([]), sections: [section(apts)], pending });

    function preferenceUnder(scope: DialogScope) {
      const statements = statementTable({
        'apt-raw': { export: 'raw', type: 'user' },
        'apt-default': { export: 'aggregated-only', type: 'domain' },
      });
      const stream = streamIn(new StreamTable(), scope, 1);
      bindStream(stream, scope, []);
      const preferences = new StreamPreferences(statements);
      return { pref: preferences.of(stream), defaultPreference: resolvePreferences([statements.get('apt-default')!]) };
    }

    // SPEC §3: absence is not consent — losing the only APT is a restriction (from the offer),
    // gaining one where there was none a relaxation (from the answer)
    it.each([
      ['removes the only APT', ['apt-raw'], []],
      ['adds an APT where there was none', [], ['apt-raw']],
    ])('%s: absence applies with the other side — a drop, or the default APT combined in', (_name, current, proposed) => {
      const { pref, defaultPreference } = preferenceUnder(withSection(current, withSection(proposed)));
      expect(pref.resolved?.export).toBe('raw');
      expect(pref.withAbsence).toBe(true);
      expect(governingOf(pref, null)).toBeNull();
      expect(governingOf(pref, defaultPreference)?.export).toBe('aggregated-only');
    });

    it('with an APT on both sides, or none on either, absence does not join in', () => {
      const both = preferenceUnder(withSection(['apt-raw'], withSection(['apt-raw'])));
      expect(both.pref.withAbsence).toBe(false);
      expect(governingOf(both.pref, both.defaultPreference)?.export).toBe('raw');
      const neither = preferenceUnder(withSection([], withSection([])));
      expect(neither.pref.resolved).toBeNull();
      expect(neither.pref.withAbsence).toBe(false);
      expect(governingOf(neither.pref, neither.defaultPreference)?.export).toBe('aggregated-only');
    });
  });

  it('applies the dialog-level identifiers to a stream that names another one in SDES PRIV: the tag only adds restrictions', () => {
    // SPEC §2: media-plane tags never relax signaling; §3: a regulatory statement is a floor
    const statements = statementTable({
      'apt-reg': { export: 'none', type: 'regulatory' },
      'apt-raw': { export: 'raw', type: 'user' },
      'apt-agg': { export: 'aggregated-only', type: 'user' },
    });
    const table = new StreamTable();
    // three dialogs (one session each): a regulatory floor, a raw statement, the repository only
    const scope = { ...dialogScope(['apt-raw']), key: 'd2' };
    const preferences = new StreamPreferences(statements);
    const floor = streamIn(table, dialogScope(['apt-reg']), 1);
    floor.sdesApts.push('apt-raw');
    const pref = preferences.of(floor);
    expect(pref.ids).toEqual(['apt-reg', 'apt-raw']);
    expect(pref.implicit).toBe(true);
    expect(pref.conflicting).toEqual(['apt-raw']);
    expect(pref.resolved?.export).toBe('none');
    // a stricter tag restricts a looser dialog-level statement
    const stricter = streamIn(table, scope, 2);
    stricter.sdesApts.push('apt-agg');
    expect(preferences.of(stricter).resolved?.export).toBe('aggregated-only');
    expect(preferences.of(stricter).conflicting).toEqual(['apt-agg']);
    // a tag that repeats the dialog-level identifier is no conflict
    const same = streamIn(table, scope, 3);
    same.sdesApts.push('apt-raw');
    expect([preferences.of(same).ids, preferences.of(same).conflicting, preferences.of(same).resolved?.export]).toEqual([['apt-raw'], [], 'raw']);
    // with no dialog-level identifier, the repository's: a tag it does not name conflicts with it
    // and can only add restrictions (found by a review of APT precedence: it was joined with the
    // repository's, and a user tag overrode a domain statement of the operator's)
    const alone = streamIn(table, { ...dialogScope([], ['apt-agg']), key: 'd3' }, 4);
    alone.sdesApts.push('apt-raw');
    expect([preferences.of(alone).ids, preferences.of(alone).conflicting, preferences.of(alone).implicit, preferences.of(alone).resolved?.export]).toEqual([['apt-agg', 'apt-raw'], ['apt-raw'], false, 'aggregated-only']);
  });
});
