import { describe, expect, it } from 'vitest';
import { splitTelemetry, type TelemetryItem } from '../../src/enforce/telemetry-items.js';
import { WindowStore } from '../../src/enforce/windows.js';
import { compound, rr, block } from './packets.js';

const item = (): TelemetryItem => splitTelemetry(compound(rr(0x1111, [block(0x2222)])))[0]!;
const T = 1_000;
const meta = (retentionSec: number | null, apt = ['x']) => ({ apt, retentionSec, extensions: {} });

describe('retention close (closeBy) vs deadline', () => {
  it('several retentions: closes at min(ts + r/2), expires at min(ts + r), never expired when made', () => {
    const s = new WindowStore({ windowSec: 60 });
    const m1 = meta(20);
    s.add('k', item(), T, m1);
    s.add('k', item(), T + 5, { ...m1, retentionSec: 4 });
    const c = s.closeDue(T + 8);
    expect(c.map((w) => [w.reason, w.end - T, w.deadline - T])).toEqual([['retention', 7, 9]]);
  });
  it('a window overdue for retention closed by bye later: ends at closeBy, before its deadline', () => {
    const s = new WindowStore({ windowSec: 60 });
    s.add('k', item(), T, meta(10));
    const c = s.close('k', 'bye', T + 9)!;
    expect(c.end - T).toBe(5);
    expect(c.end).toBeLessThan(c.deadline);
  });
  it('end of capture: closeAll ends each window before its deadline', () => {
    const s = new WindowStore({ windowSec: 60 });
    s.add('k', item(), T, meta(10));
    s.add('j', item(), T + 1, meta(100));
    const c = s.closeAll('end-of-capture', T + 30);
    for (const w of c) expect(w.end).toBeLessThan(w.deadline);
    expect(c.map((w) => w.end - T).sort()).toEqual([30, 5]);
  });
});
