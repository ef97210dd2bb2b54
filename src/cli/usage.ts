/** Bad usage: exit code 2 with one line naming what was wrong, then the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage:
  aipref-enforcer replay <capture> [--policy <file>] [--out <dir>] [--workers <n>] [--window <dur>] [--explain] [--json] [--quiet]
  aipref-enforcer inspect <capture> [--json] [--filter <bpf>]   (--filter reads through the optional native pcap package)
  aipref-enforcer bindings <capture> [--policy <file>] [--json]
  aipref-enforcer --help`;
