/**
 * Shared by the round-25 live-idle review tests: a DialogTracker driven as the replay engine
 * drives it live — each message with its record's own time (ctx.ts), the capture clock at its
 * record (handle's `clock`) and the service's time (serviceNow) — and a guard on the idle sweep.
 */
import type { SignalingEvent, SipContext } from '../../../src/signaling/dialog-events.js';
import { DialogTracker, type DialogTrackerLimits } from '../../../src/signaling/dialogs.js';
import { audioSdp, callMessage } from '../../signaling/sip-fixtures.js';

export const H = 3600;

export class LiveTracker {
  readonly tracker: DialogTracker;
  readonly events: SignalingEvent[] = [];
  frame = 0;
  /** how often the sweep asked for a dialog's media (the guard) */
  mediaAsks = 0;
  constructor(limits: Partial<DialogTrackerLimits> = {}, o: { guard?: number } = {}) {
    this.tracker = new DialogTracker(limits);
    const guard = o.guard ?? 100_000;
    // the engine notes media by dialog; none here. A sweep that asks more than `guard` times in
    // one message walks the same dialogs over and over (a sync loop would hang the test runner)
    this.tracker.mediaActivity = () => {
      if (++this.mediaAsks > guard) throw new Error(`idle sweep loops: asked for media ${this.mediaAsks} times`);
      return Number.NEGATIVE_INFINITY;
    };
  }
  /** one message: its record's time `ts`, the capture clock `clock` there, the service's time `service` */
  send(start: string, o: { callId: string; cseq: string; toTag?: string; aiPref?: string; sdp?: string }, ts: number, clock: number, service: number): SignalingEvent[] {
    this.frame++;
    this.mediaAsks = 0;
    const ctx: SipContext = { frame: this.frame, ts, src: '192.0.2.1', dst: '192.0.2.2', sport: 5060, dport: 5060, transport: 'udp' };
    const ev = this.tracker.handle(callMessage(start, o), ctx, clock);
    this.events.push(...ev);
    return ev;
  }
  /** INVITE / 200 / ACK of `callId` at `ts` (clock = ts) and service time `service` */
  call(callId: string, ts: number, service: number): void {
    this.send('INVITE sip:bob@b.example SIP/2.0', { callId, cseq: '1 INVITE', sdp: audioSdp() }, ts, ts, service);
    this.send('SIP/2.0 200 OK', { callId, cseq: '1 INVITE', toTag: 'b1', sdp: audioSdp({ ip: '192.0.2.2' }) }, ts + 0.01, ts + 0.01, service + 0.01);
    this.send('ACK sip:bob@b.example SIP/2.0', { callId, cseq: '1 ACK', toTag: 'b1' }, ts + 0.02, ts + 0.02, service + 0.02);
  }
  ended(callId: string): SignalingEvent[] {
    return this.events.filter((e) => e.type === 'dialog-ended' && e.dialog.callId === callId);
  }
}
