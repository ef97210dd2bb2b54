/**
 * The request message of the AI enablement interface (seed 001 §3.2) carrying one export or
 * report: a unique request identifier for correlation, user and session metadata, the
 * payload with its content type, and optional task parameters. The session id is the SIP
 * Call-ID, the one identifier the AI service can correlate a dialog's items by.
 */
import { exportLineExpiresAt, exportLineId, exportLineKind, type ExportLine, type ExportLineKind } from './exporter.js';

export const AI_SERVICE_CONTENT_TYPE = 'application/json';

export interface AiServiceSessionDefaults {
  /** the operator's name for the service this feeds (seed 001 "service context") */
  serviceContext?: string;
  /** user id to put in every request, when the operator has one */
  userId?: string;
  language?: string;
}

export interface AiServiceRequest {
  requestId: string;
  contentType: typeof AI_SERVICE_CONTENT_TYPE;
  session: {
    sessionId: string | null;
    dialog: { callId: string; fromTag: string; toTag: string } | null;
    stream?: { ssrc: number; mid: string | null; kind: string | null };
    serviceContext: string;
    userId?: string;
    language?: string;
  };
  task: { type: `aipref-${ExportLineKind}`; apt: string[] };
  /** receivers must not keep the payload past this (seconds since the epoch) */
  expiresAt: number | null;
  payload: ExportLine;
}

export function buildAiServiceRequest(line: ExportLine, defaults: AiServiceSessionDefaults = {}): AiServiceRequest {
  const kind = exportLineKind(line);
  const session: AiServiceRequest['session'] = {
    sessionId: line.dialog?.callId ?? null,
    dialog: line.dialog ?? null,
    serviceContext: defaults.serviceContext ?? 'aipref-enforcer',
  };
  if ('stream' in line) session.stream = line.stream;
  if (defaults.userId !== undefined) session.userId = defaults.userId;
  if (defaults.language !== undefined) session.language = defaults.language;
  return {
    requestId: exportLineId(line),
    contentType: AI_SERVICE_CONTENT_TYPE,
    session,
    task: { type: `aipref-${kind}`, apt: line.apt ?? [] },
    expiresAt: exportLineExpiresAt(line),
    payload: line,
  };
}

/**
 * The response the service sends back (seed 001 §3.2): the original request id and a status.
 * 'success' and 'partial' mean the service has the item; 'error' asks for a retry.
 */
export interface AiServiceResponse {
  requestId: string;
  status: 'success' | 'partial' | 'error';
}

export function parseAiServiceResponse(text: string): AiServiceResponse | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { requestId, status } = value as Record<string, unknown>;
  if (typeof requestId !== 'string') return undefined;
  if (status !== 'success' && status !== 'partial' && status !== 'error') return undefined;
  return { requestId, status };
}
