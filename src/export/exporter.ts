/**
 * What every export sink takes: the SPEC §8 export lines and the report lines. Sinks that
 * deliver somewhere else (HTTP, WebSocket, NATS) identify a line by its requestId — the same
 * id whatever sink it goes to, so receivers can deduplicate redeliveries.
 */
import type { AggregateExport, TelemetryExport } from '../enforce/records.js';
import { requestIdOf } from '../enforce/records.js';
import type { Report } from '../report/report.js';

export type ExportLine = TelemetryExport | AggregateExport | Report;

export type ExportLineKind = 'telemetry' | 'aggregate' | 'report';

export interface Exporter {
  /** Takes one line; a returned promise resolves once the sink holds it safely (spooled, written, acknowledged). */
  send(line: ExportLine): Promise<void> | void;
  /** Resolves once everything sent so far is where the sink keeps it. */
  flush(): Promise<void>;
  /** Flushes and releases the sink; lines still waiting for delivery stay spooled where the sink spools. */
  close(): Promise<void>;
}

/** A line handed to an exporter that was already closed, or closed before the line was delivered. */
export class ExporterClosedError extends Error {
  constructor(exporter: string) {
    super(`${exporter}: closed before the line was delivered`);
    this.name = 'ExporterClosedError';
  }
}

/**
 * A line an exporter gave up before it was delivered, to bound what waits while the receiver is
 * away (the oldest waiting line makes room for a new one): counted, and told to the failure
 * listener with kind 'overflow'.
 */
export class ExportOverflowError extends Error {
  constructor(exporter: string, limit: number) {
    super(`${exporter}: more than ${limit} lines waited for delivery; the oldest was given up`);
    this.name = 'ExportOverflowError';
  }
}

/**
 * Why a delivery attempt failed: 'retry' will be tried again, 'rejected' never will, 'overflow'
 * was given up to make room, 'expired' reached its expiresAt undelivered.
 */
export type ExportFailureKind = 'retry' | 'rejected' | 'overflow' | 'expired';

export type ExportFailureListener = (reason: string, requestId: string, kind: ExportFailureKind) => void;

function isExport(line: ExportLine): line is TelemetryExport | AggregateExport {
  return line.type === 'telemetry' || line.type === 'aggregate';
}

export function exportLineKind(line: ExportLine): ExportLineKind {
  return isExport(line) ? line.type : 'report';
}

/**
 * An export's own requestId; a report has none, so one is derived from its content — the same
 * report made twice (a rerun of the same capture) gets the same id and is delivered once.
 */
export function exportLineId(line: ExportLine): string {
  if (isExport(line)) return line.requestId;
  return requestIdOf(['report', JSON.stringify(line)]);
}

/** When the line must be gone (seconds since the epoch); null when no retention limits it. */
export function exportLineExpiresAt(line: ExportLine): number | null {
  return isExport(line) ? line.expiresAt : null;
}
