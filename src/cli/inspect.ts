import { captureName, probeCaptureFormat, STDIN_CAPTURE, statCapture, unsupportedLinkTypeWarnings } from '../../native-free/capture.js';
import type { CaptureWarning, PacketView } from '../../native-free/types.js';
import { decodeRtcpCompound } from '../media/rtcp/compound.js';
import { createRtpHeaderView, decodeRtpHeader } from '../media/rtp.js';
import { PacketFeed, type PacketProto } from '../pipeline/packet-feed.js';
import { BpfFilterError, nativePcapBatches } from '../sources/native-pcap.js';
import { endpointText } from '../sources/source-packet.js';
import type { SipMessage } from '../signaling/sip-message.js';
import { parseCommandArgs, refuseTerminalStdin } from './args.js';
import { LineWriter } from './line-writer.js';
import { microseconds } from '../enforce/records.js';
import { Progress } from './progress.js';
import { UsageError } from './usage.js';
import { sayLine } from './stderr-line.js';

interface Endpoints {
  frame: number;
  ts: number;
  src: string | null;
  dst: string | null;
  sport: number | null;
  dport: number | null;
  proto: PacketProto;
}

function endpoints(view: PacketView, proto: PacketProto, hasAddresses: boolean): Endpoints {
  return {
    frame: view.frame,
    ts: microseconds(view.ts),
    src: hasAddresses ? view.src : null,
    dst: hasAddresses ? view.dst : null,
    sport: hasAddresses ? view.sport : null,
    dport: hasAddresses ? view.dport : null,
    proto,
  };
}

function sipSummary(m: SipMessage | null): Record<string, unknown> {
  if (!m) return { startLine: null };
  const head = m.kind === 'request' ? { method: m.method, requestUri: m.requestUri } : { status: m.status, reason: m.reason };
  return { ...head, callId: m.callId, cseq: m.cseq, fromTag: m.fromTag, toTag: m.toTag, contentType: m.contentType };
}

function textLine(e: Endpoints, summary: string): string {
  const where = e.src === null || e.dst === null || e.sport === null || e.dport === null ? '' : `${endpointText(e.src, e.sport)} → ${endpointText(e.dst, e.dport)}`;
  return `${String(e.frame).padStart(7)}  ${e.ts.toFixed(6)}  ${where.padEnd(44)}  ${e.proto.toUpperCase().padEnd(5)} ${summary}`;
}

/**
 * `aipref-enforcer inspect <capture> [--json]` (SPEC §8): one line per packet — frame, time,
 * addresses, ports, proto — with the decoded RTP header, RTCP packets or SIP start line.
 * `--filter <bpf>` reads through libpcap; frames keep their numbers in the capture.
 */
export async function runInspect(args: string[]): Promise<number> {
  const { capture, values } = parseCommandArgs(args, { json: { type: 'boolean' }, quiet: { type: 'boolean' }, filter: { type: 'string' } });
  // `-` typed at a terminal, the pipe forgotten: nothing to read (usage, exit 2)
  refuseTerminalStdin(capture, 'inspect');
  const json = values.json === true;
  const out = new LineWriter();
  const rtp = createRtpHeaderView();
  const info = await statCapture(capture);
  const stdin = capture === STDIN_CAPTURE;
  // libpcap reads the file (by its name) while a walk beside it numbers the frames: a pipe, or
  // standard input, can be read once
  if (values.filter !== undefined && (stdin || !info.isFile()))
    throw new UsageError(`--filter needs a capture file, not ${stdin ? 'stdin' : `a pipe or FIFO (${capture})`}: write it to a file first, or leave --filter out`);
  // a gzip-compressed file's share read is not known from its size: no share, no ETA then
  const sized = info.isFile() && !stdin && !(await probeCaptureFormat(capture)).gzip;
  const progress = new Progress(`inspect ${captureName(capture)}`, sized ? info.size : 0, values.quiet === true);
  let malformed = 0;
  const emit = (e: Endpoints, fields: Record<string, unknown>, summary: string) =>
    out.line(json ? JSON.stringify({ ...e, ...fields }) : textLine(e, summary));

  const feed: PacketFeed = new PacketFeed({
    media(view, proto) {
      const e = endpoints(view, proto, true);
      if (proto === 'rtp') {
        const err = decodeRtpHeader(view.bytes, view.payloadOffset, view.payloadLength, rtp, view.payloadCut);
        if (err) {
          malformed++;
          emit(e, { malformed: `${err.code} at byte ${err.offset}` }, `malformed: ${err.message}`);
          return;
        }
        // `cut`: bytes of the packet the capture's snap length left out (an addition to SPEC §8's fields)
        const f = { ssrc: rtp.ssrc, pt: rtp.pt, seq: rtp.seq, timestamp: rtp.timestamp, marker: rtp.marker, ...(view.payloadCut > 0 ? { cut: view.payloadCut } : {}) };
        emit(e, f, `ssrc=${rtp.ssrc} pt=${rtp.pt} seq=${rtp.seq} ts=${rtp.timestamp}${rtp.marker ? ' M' : ''}`);
      } else {
        const compound = decodeRtcpCompound(view.bytes, view.payloadOffset, view.payloadLength, view.payloadCut);
        if (compound.errors.length > 0) malformed++;
        const fields: Record<string, unknown> = { packets: compound.packets };
        if (compound.reducedSize) fields.reducedSize = true;
        if (compound.errors.length > 0) fields.errors = compound.errors;
        const kinds = compound.packets.map((p) => `${p.pt}${'fmt' in p ? `/${p.fmt}` : ''}`).join(' ');
        emit(e, fields, `[${kinds}] ssrc=${compound.packets[0]?.ssrc ?? '-'}${compound.errors.length ? ` malformed: ${compound.errors[0]!.message}` : ''}`);
      }
    },
    sip(messages, ctx) {
      const e: Endpoints = { frame: ctx.frame, ts: microseconds(ctx.ts), src: ctx.src, dst: ctx.dst, sport: ctx.sport, dport: ctx.dport, proto: 'sip' };
      const list = messages.map((r) => ({ ...sipSummary(r.message), ...(r.errors.length ? { errors: r.errors } : {}) }));
      if (messages.some((r) => r.errors.length > 0)) malformed++;
      const summary = messages
        .map((r) => (r.message ? (r.message.kind === 'request' ? `${r.message.method} ${r.message.requestUri}` : `${r.message.status} ${r.message.reason}`) : `unreadable: ${r.errors[0]?.reason}`))
        .join(' | ');
      emit(e, { transport: ctx.transport, sip: list }, `${ctx.transport} ${summary}`);
    },
    other(view, kind) {
      const ip = kind === 'udp' || kind === 'tcp' || kind === 'pending';
      emit(endpoints(view, 'other', ip), { kind }, kind);
    },
    malformed(view) {
      malformed++;
      const where = `${view.error} at byte ${view.errorOffset} of the record`;
      emit(endpoints(view, 'other', false), { malformed: where }, `malformed: ${where}`);
    },
    async endBatch() {
      progress.update(feed.stats.packets, feed.stats.bytes);
      await out.flush();
    },
  });
  const warnings: string[] = [];
  // a record cut short is malformed input, as replay counts it
  const onWarning = (w: CaptureWarning) => {
    malformed++;
    warnings.push(`${w.file}: at byte ${w.offset}: ${w.message}`);
  };
  try {
    if (values.filter !== undefined) {
      // a BPF filter needs libpcap: the optional native package reads the file
      await feed.runBatches(nativePcapBatches(capture, values.filter, { onWarning }));
    } else {
      await feed.run(capture, undefined, { onWarning });
    }
  } catch (err) {
    if (err instanceof BpfFilterError) throw new UsageError(`--${err.message}`);
    throw err;
  } finally {
    await out.flush();
    progress.done();
  }
  warnings.push(...unsupportedLinkTypeWarnings(capture, feed.stats.layers.unsupportedLinkTypes));
  for (const w of warnings) sayLine('inspect', w);
  if (!json && !values.quiet) {
    process.stderr.write(`${feed.stats.packets} packets, ${malformed} malformed\n`);
  }
  return 0;
}
