import type { LogEvent } from './live-options.js';

/** What tests may set that no flag does (startLive's LiveInternals). */
export interface MalformedLogOptions {
  /** how often the malformed datagrams not logged one by one are told (default a minute) */
  malformedLogIntervalMs?: number;
  /** peers whose malformed datagrams are tracked one by one (default 1024) */
  malformedPeersTracked?: number;
}

/** Malformed datagrams of one peer logged one by one, with their reason, before they are only counted. */
const MALFORMED_LOGGED_PER_PEER = 3;
/** Peers whose malformed datagrams are tracked one by one: a bound, so that a flood from spoofed addresses or ports cannot grow it. */
const MALFORMED_PEERS_TRACKED = 1024;
/** How often the malformed datagrams not logged one by one are told. */
const MALFORMED_LOG_INTERVAL_MS = 60_000;

/** One peer's malformed datagrams since its last line. */
interface MalformedPeer {
  logged: number;
  suppressed: number;
  reason: string;
  /** any since the last interval's end (one quiet for a whole interval is forgotten) */
  seen: boolean;
}

/** The malformed datagrams of peers past the tracked ones, per source. */
interface MalformedRest {
  suppressed: number;
  reason: string;
  peer: string;
}

/**
 * `malformed-datagram` lines without a line per datagram: anyone who reaches the UDP or HEP port
 * can send junk at line rate, and a line each would flood the log (journald's rate limit then
 * drops the service's other lines too). Per source and peer ("host:port"; HEP's
 * "udp:host:port" or "tcp:host:port"), the first MALFORMED_LOGGED_PER_PEER are logged with
 * their reason; further ones are counted and told at the end of each interval, one line per
 * peer (`suppressed`: how many since its last line, `reason`: the last one's), and at close.
 * A peer quiet for a whole interval is forgotten. Past MALFORMED_PEERS_TRACKED peers, the others
 * share one line per source an interval (`untrackedPeers`). Per datagram: map lookups, no
 * allocation but a new peer's entry.
 */
export function malformedLog(log: (e: LogEvent) => void, internal: MalformedLogOptions): { note(source: string, peer: string, reason: string): void; close(): void; readonly notLogged: number } {
  const maxPeers = internal.malformedPeersTracked ?? MALFORMED_PEERS_TRACKED;
  const bySource = new Map<string, Map<string, MalformedPeer>>();
  const rest = new Map<string, MalformedRest>();
  let tracked = 0;
  let notLogged = 0;
  const tell = () => {
    for (const [source, peers] of bySource) {
      for (const [peer, p] of peers) {
        if (p.suppressed > 0) {
          log({ event: 'malformed-datagram', level: 'warn', source, peer, reason: p.reason, suppressed: p.suppressed, detail: 'not logged one by one since this peer\'s last line; the reason is the last one\'s' });
          p.suppressed = 0;
        } else if (!p.seen) {
          peers.delete(peer);
          tracked--;
        }
        p.seen = false;
      }
    }
    for (const [source, r] of rest) {
      log({ event: 'malformed-datagram', level: 'warn', source, peer: r.peer, reason: r.reason, suppressed: r.suppressed, untrackedPeers: true, detail: `from peers past the ${maxPeers} tracked one by one (the last one named); the reason is the last one's` });
    }
    rest.clear();
  };
  const timer = setInterval(tell, internal.malformedLogIntervalMs ?? MALFORMED_LOG_INTERVAL_MS);
  timer.unref();
  let closed = false;
  return {
    note(source, peer, reason) {
      if (closed) {
        notLogged++;
        return;
      }
      let peers = bySource.get(source);
      if (peers === undefined) bySource.set(source, (peers = new Map()));
      const p = peers.get(peer);
      if (p !== undefined) {
        p.seen = true;
        if (p.logged < MALFORMED_LOGGED_PER_PEER) return logFirst(source, peer, reason, ++p.logged);
        p.suppressed++;
        p.reason = reason;
        notLogged++;
        return;
      }
      if (tracked < maxPeers) {
        peers.set(peer, { logged: 1, suppressed: 0, reason, seen: true });
        tracked++;
        return logFirst(source, peer, reason, 1);
      }
      notLogged++;
      const r = rest.get(source);
      if (r === undefined) rest.set(source, { suppressed: 1, reason, peer });
      else {
        r.suppressed++;
        r.reason = reason;
        r.peer = peer;
      }
    },
    /** tells what was not yet told; nothing is logged after */
    close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      tell();
    },
    get notLogged() {
      return notLogged;
    },
  };

  function logFirst(source: string, peer: string, reason: string, nth: number): void {
    if (nth < MALFORMED_LOGGED_PER_PEER) log({ event: 'malformed-datagram', level: 'warn', source, peer, reason });
    else log({ event: 'malformed-datagram', level: 'warn', source, peer, reason, detail: 'further ones from this peer are counted, and logged once a minute with their number (`suppressed`)' });
  }
}
