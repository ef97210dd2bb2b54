/** Bad usage: exit code 2 with one line naming what was wrong, then the usage text (unless `withUsage` is false: the line says all). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly withUsage = true,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage:
  aipref-enforcer replay <capture> [--policy <file>] [--out <dir>] [--workers <n>] [--window <dur>] [--explain] [--json] [--quiet]
  aipref-enforcer replay <capture> --to udp://<host>:<port>|hep://<host>:<port> [--speed <x>] [--udp-mode plain|ip-packet] [--hep-auth-key <key>]   (sends the capture to a live enforcer)
  aipref-enforcer live [--udp <host:port>] [--udp-mode plain|ip-packet] [--hep <host:port> [--hep-auth-key <key>]] [--interface <name> [--filter <bpf>]]
                       [--policy <file>] [--config <file.json>] [--out <dir>] [--rotate-bytes <n>] [--rotate-age <dur>] [--max-files <n>]
                       [--to http(s)://…|ws(s)://… [--token <t>] --spool <dir>] [--metrics <host:port>]
                       [--nats nats://<host>:<port> [--nats-max-age <dur>] [--nats-max-pending <n>]]
                       [--workers <n>] [--window <dur>] [--batch-ms <n>] [--stats-every <dur>] [--explain] [--quiet]
                       [--no-resolve-uri] [--uri-ca <pem>] [--uri-allow <host>[,<host>…]]   (uri=<https://…> APT handles are fetched unless --no-resolve-uri: from public addresses, and from the --uri-allow hosts)
  aipref-enforcer inspect <capture> [--json] [--filter <bpf>] [--quiet]   (--filter reads through the optional native pcap package)
  aipref-enforcer bindings <capture> [--policy <file>] [--json]
  aipref-enforcer --help | --version
<capture>: a pcap or pcapng file (or .gz), a FIFO carrying one, or - for standard input (zcat call.pcap.gz | aipref-enforcer replay -; a file named - is ./-)`;
