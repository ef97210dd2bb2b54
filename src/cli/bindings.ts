import type { BindingRow } from '../binding/types.js';
import { replayCapture } from '../pipeline/replay-engine.js';
import { DEFAULT_WINDOW_SEC } from '../enforce/windows.js';
import { parseCommandArgs, refuseTerminalStdin } from './args.js';
import { LineWriter } from './line-writer.js';
import { loadPolicyOption } from './replay.js';
import { sayLine } from './stderr-line.js';

/**
 * `aipref-enforcer bindings <capture> [--policy f] [--json]` (SPEC §8): the binding table at
 * the end of the capture — every stream, its dialog, mid, kind, APT identifiers and `via`.
 * Streams of dialogs that ended are listed too, marked `ended`. A capture broken mid-file:
 * the table of the records read before the break, then the one-line error (exit 1).
 */
export async function runBindings(args: string[]): Promise<number> {
  const { capture, values } = parseCommandArgs(args, { policy: { type: 'string' }, json: { type: 'boolean' } });
  // `-` typed at a terminal, the pipe forgotten: nothing to read (usage, exit 2)
  refuseTerminalStdin(capture, 'bindings');
  const policy = await loadPolicyOption(values.policy);
  const discard = () => {};
  const json = values.json === true;
  const { bindings } = await replayCapture({
    capture,
    policy,
    workers: 0,
    windowSec: policy.windowSec ?? DEFAULT_WINDOW_SEC,
    explain: false,
    bindings: true,
    sink: { exports: discard, reports: discard, decisions: discard, encoded: discard },
    // as replay and inspect: a cut last record, records of a link type not read
    onWarning: (message) => sayLine('bindings', message),
    // a capture broken mid-file: the table of what was read, then the error (as inspect does)
    onPartialResult: (partial) => printBindings(partial.bindings, json),
  });
  await printBindings(bindings, json);
  return 0;
}

async function printBindings(bindings: (BindingRow & { ended: boolean })[], json: boolean): Promise<void> {
  const out = new LineWriter();
  if (json) {
    out.line(JSON.stringify(bindings));
    await out.flush();
    return;
  }
  for (const b of bindings) {
    const dialog = b.dialog ? `${b.dialog.callId} (${b.dialog.fromTag} → ${b.dialog.toTag || '?'})` : '(no dialog)';
    out.line(
      `ssrc ${String(b.ssrc).padStart(10)}  ${String(b.kind ?? '-').padEnd(6)} mid ${String(b.mid ?? '-').padEnd(4)} via ${String(b.via ?? '-').padEnd(10)} apt [${b.apt.join(', ')}]  ${dialog}${b.ended ? '  (ended)' : ''}`,
    );
  }
  await out.flush();
}
