/** The call swept by the tests of this folder: every SDP-carrying message cut at every byte. */
import { sdpOf, THREE, sr, request, response } from '../../e2e/hand-built-calls.js';
import { replayMsgs, type Msg, type Outcome } from '../../cli/round17-io-review/cut-call.js';
import type { Workspace } from '../../e2e/e2e-helpers.js';

export const srA = (): Msg => ({ payload: sr(1111), fromA: true, sport: 4001, dport: 5001 });
export const srB = (): Msg => ({ payload: sr(2222), fromA: false, sport: 5001, dport: 4001 });
const mid = (apt: string): string[] => [`a=aipref:mid ${apt}`];

/** indices of the SDP-carrying messages, by name */
export const CALL: { name: string; msg: Msg }[] = [
  { name: 'INVITE', msg: { payload: request('INVITE', 1, sdpOf('a', mid('apt-raw')), ['AI-Pref: apt-raw;scope=dialog', 'Supported: 100rel'], ''), fromA: true } },
  { name: '183', msg: { payload: response('183 Session Progress', 1, sdpOf('b', mid('apt-agg')), ['Require: 100rel', 'RSeq: 1']), fromA: false } },
  { name: 'srA', msg: srA() },
  { name: 'PRACK', msg: { payload: request('PRACK', 2, sdpOf('a', mid('apt-raw')), ['RAck: 1 1 INVITE']), fromA: true } },
  { name: '200-PRACK', msg: { payload: response('200 OK', 2, sdpOf('b', []), [], 'PRACK'), fromA: false } },
  { name: 'srA', msg: srA() },
  { name: '200-INVITE', msg: { payload: response('200 OK', 1, null), fromA: false } },
  { name: 'ACK', msg: { payload: request('ACK', 1, null), fromA: true } },
  { name: 'srB', msg: srB() },
  { name: 're-INVITE', msg: { payload: request('INVITE', 3, sdpOf('a', mid('apt-agg'))), fromA: true } },
  { name: '200-reINVITE', msg: { payload: response('200 OK', 3, sdpOf('b', [])), fromA: false } },
  { name: 'ACK', msg: { payload: request('ACK', 3, null), fromA: true } },
  { name: 'srA', msg: srA() },
  { name: 'UPDATE', msg: { payload: request('UPDATE', 4, sdpOf('a', mid('apt-none'))), fromA: true } },
  { name: '200-UPDATE', msg: { payload: response('200 OK', 4, sdpOf('b', []), [], 'UPDATE'), fromA: false } },
  { name: 'srB', msg: srB() },
  { name: 're-INVITE-2', msg: { payload: request('INVITE', 5, sdpOf('a', mid('apt-raw'))), fromA: true } },
  { name: '200-reINVITE-2', msg: { payload: response('200 OK', 5, sdpOf('b', [])), fromA: false } },
  { name: 'ACK', msg: { payload: request('ACK', 5, null), fromA: true } },
  { name: 'srA', msg: srA() },
  { name: 'srB', msg: srB() },
];

export const msgs = (cutAt?: number, keep?: number): Msg[] => CALL.map((c, i) => (i === cutAt ? { ...c.msg, keep } : c.msg));

export const RANK: Record<string, number> = { export: 0, aggregate: 1, drop: 2 };

export async function run(ws: Workspace, name: string, m: Msg[], workers = 0): Promise<Outcome> {
  return replayMsgs(ws, name, m, false, workers, THREE);
}
