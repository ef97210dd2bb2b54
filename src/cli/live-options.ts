/**
 * The options of `aipref-enforcer live`: flags over a config file (JSON, or YAML) whose keys are the
 * flags' names (flags win), checked into LiveOptions before anything starts.
 */
import { readFile } from 'node:fs/promises';
import type { ExportLine } from '../export/exporter.js';
import { parseDuration } from '../policy/vocabulary.js';
import { parseJsonDocument } from '../policy/json-text.js';
import { isYamlFile, parseYamlDocument } from '../policy/yaml-document.js';
import { uriAllowHost } from '../policy/uri-resolver.js';
import type { MirrorMode } from '../sources/udp-listener.js';
import { parseOptions, parseWorkerCount, refuseEmptyValues, SECRET_OPTIONS, urlForDisplay } from './args.js';
import { UsageError } from './usage.js';
import { MAX_TIMER_MS } from '../export/abortable.js';
import { natsServerHost, schemeOf, splitUserinfo } from '../export/nats-exporter.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface LiveOptions {
  udp?: HostPort;
  udpMode?: MirrorMode;
  /** HEPv3 on UDP and TCP at the same port */
  hep?: HostPort;
  hepAuthKey?: string;
  /** filterFrom: where a config file gave the filter (`<file>: config key 'filter'`), for the line refusing it */
  iface?: { name: string; filter?: string; filterFrom?: string };
  policyFile?: string;
  /** rotating NDJSON files here (exports.NNNNNN.ndjson, reports.…, decisions.… with explain) */
  outDir?: string;
  rotateBytes?: number;
  rotateAgeSec?: number;
  maxFiles?: number;
  aiService?: { url: string; token?: string; spoolDir: string };
  /** maxPending: lines waiting for the stream at most while it is away (NatsJetStreamExporter maxInFlight) */
  /**
   * servers: --nats as given (one server, or a comma list: shown by natsServersForDisplay);
   * serverList: its entries, trimmed — the client's list of servers to try (NatsJetStreamExporter.open
   * `servers`), where one URL would reach only its last host:port; absent when that is `servers`
   * itself (one server written without blanks)
   */
  nats?: { servers: string; serverList?: string[]; maxAgeSec: number; maxPending?: number };
  metrics?: HostPort;
  workers: number;
  /** null: the policy file's window, else the default */
  windowSec: number | null;
  /** pause after each batch so the next one gathers more records; 0 = none */
  batchMs: number;
  explain: boolean;
  queueCapacity?: number;
  /**
   * records per batch at most (default 1024): the engine judges a batch in one go on this
   * thread (workers 0), so a smaller batch lets the sockets be read sooner
   */
  maxBatchRecords?: number;
  /**
   * resolve `uri=<https://…>` APT handles as they arrive (seed §7.1), trusting these extra CA
   * certificates (PEM) too; false: the policy file alone resolves them, as in replay. Default true.
   */
  resolveUri?: boolean;
  uriCa?: string;
  /**
   * hosts fetched from whatever they resolve to (a private repository), as uriAllowHost keys;
   * any other handle is fetched only from public addresses (signaled by callers, it must not
   * make the enforcer reach into the operator's network)
   */
  uriAllow?: string[];
  /** periodic counters in the log every so many seconds; 0 = never */
  statsSec: number;
  quiet: boolean;
  /** one structured log event (default: a JSON line on stderr) */
  log?: (event: LogEvent) => void;
  /** told after the exporters took a batch's lines (bench: receipt→export latency) */
  onExported?: (lines: readonly ExportLine[], atMs: number) => void;
}

export type LogEvent = { event: string; level?: 'info' | 'warn' | 'error' } & Record<string, unknown>;

/** A file a flag names, read; one that cannot be read is one line naming the flag and the file. */
async function readNamedFile(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`${option} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

export function parseHostPort(text: string, option: string): HostPort {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`${option} takes host:port (e.g. 127.0.0.1:9060 or [::1]:9060), not '${text}'`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** The flags of `live` (and the keys of its --config file); every one is in USAGE (test/cli/readme.test.ts). */
export const LIVE_OPTIONS = {
  udp: { type: 'string' },
  'udp-mode': { type: 'string' },
  hep: { type: 'string' },
  'hep-auth-key': { type: 'string' },
  interface: { type: 'string' },
  filter: { type: 'string' },
  policy: { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  'rotate-bytes': { type: 'string' },
  'rotate-age': { type: 'string' },
  'max-files': { type: 'string' },
  to: { type: 'string' },
  token: { type: 'string' },
  spool: { type: 'string' },
  nats: { type: 'string' },
  'nats-max-age': { type: 'string' },
  'nats-max-pending': { type: 'string' },
  metrics: { type: 'string' },
  workers: { type: 'string' },
  window: { type: 'string' },
  'batch-ms': { type: 'string' },
  'stats-every': { type: 'string' },
  explain: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'no-resolve-uri': { type: 'boolean' },
  'uri-ca': { type: 'string' },
  'uri-allow': { type: 'string' },
} as const;

type OptionName = keyof typeof LIVE_OPTIONS;

/** The options naming a list: given twice, their values accumulate (`--uri-allow a --uri-allow b` = `--uri-allow a,b`). */
const LIST_OPTIONS: readonly OptionName[] = ['uri-allow'];

/** Why an input's option is not given twice: one listener (or capture) of each kind runs. */
const WHY_ONCE: Partial<Record<OptionName, string>> = {
  hep: 'one HEP listener only (UDP and TCP on its port), not one per --hep',
  udp: 'one UDP mirror listener only, not one per --udp',
  interface: 'one capture interface only, not one per --interface',
};

type Values = Partial<Record<OptionName, string | boolean>>;

/** The keys a config file may give as a number (counts; durations, a bare number being seconds); any other string option takes text. */
const NUMBER_KEYS: ReadonlySet<OptionName> = new Set<OptionName>(['rotate-bytes', 'max-files', 'nats-max-pending', 'workers', 'batch-ms', 'window', 'rotate-age', 'nats-max-age', 'stats-every']);
/** The keys of a listener's address (host:port): a number there is a port alone. */
const LISTENER_KEYS: ReadonlySet<OptionName> = new Set<OptionName>(['udp', 'hep', 'metrics']);

/** What a config value is, said without the value. */
function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

/**
 * A config file with the flags' names as keys: JSON (`{"hep": "0.0.0.0:9060", "out": "/var/lib/aipref"}`),
 * or YAML when its name ends in .yaml or .yml (`hep: 0.0.0.0:9060`).
 */
async function readConfig(file: string): Promise<Values> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    // missing or unreadable: bad input (exit 1), as a policy file is — it may yet appear (a mount)
    throw new Error(`${file}: cannot read config file: ${err instanceof Error ? err.message : String(err)}`);
  }
  // A file that does not parse is a mistyped command line, as a mistyped key is: bad usage (exit 2,
  // a unit's RestartPreventExitStatus: no restart mends it), the line saying where, no usage text.
  let doc: unknown;
  try {
    // (as strict as the policy file: a key given twice is refused, a syntax error says where)
    doc = isYamlFile(file) ? await parseYamlDocument(text) : parseJsonDocument(text);
  } catch (err) {
    throw new UsageError(`${file}: cannot read config file: ${err instanceof Error ? err.message : String(err)}`, false);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new UsageError(`${file}: config file must be ${isYamlFile(file) ? 'a YAML mapping' : 'a JSON object'}`, false);
  const out: Values = {};
  for (const [key, value] of Object.entries(doc)) {
    // a mistyped key or value is bad usage, as a mistyped flag is (exit 2: a unit's RestartPreventExitStatus)
    if (!(key in LIVE_OPTIONS) || key === 'config') throw new UsageError(`${file}: unknown config key '${key}'`);
    const spec = LIVE_OPTIONS[key as OptionName];
    if (spec.type === 'boolean') {
      if (typeof value !== 'boolean') throw new UsageError(`${file}: config key '${key}' takes true or false, not ${JSON.stringify(value)}`);
      out[key as OptionName] = value;
    } else if (typeof value === 'string') {
      out[key as OptionName] = value;
    } else if (typeof value === 'number' && NUMBER_KEYS.has(key as OptionName)) {
      // a count or a duration in seconds: the number's value is what counts, exact only as a safe
      // integer (JSON's 12345678901234567890 is read as …7000, 1e400 as Infinity)
      if (!Number.isSafeInteger(value)) throw new UsageError(`${file}: config key '${key}' takes a whole number, not ${value}`);
      out[key as OptionName] = String(value);
    } else if (typeof value === 'number' && LISTENER_KEYS.has(key as OptionName)) {
      // `hep: 9060`: a port alone, refused as `--hep 9060` is; quoted it would be refused again
      throw new UsageError(`${file}: config key '${key}' takes host:port (e.g. 127.0.0.1:9060 or [::1]:9060), not a number`);
    } else if (typeof value === 'number') {
      // Text written as a number reaches us as its value, not as written (YAML's 0123 is 123, 1e3
      // is 1000): an auth key, a token or a path silently changed. Refused, not guessed at (and
      // never echoed: it may be a secret).
      throw new UsageError(`${file}: config key '${key}' takes text, not a number (a number is read as its value: 0123 as 123): give it as a string (in quotes)`);
    } else {
      // (a secret option's value is never shown, whatever its type)
      const shown = SECRET_OPTIONS.has(key) ? kindOf(value) : JSON.stringify(value);
      throw new UsageError(`${file}: config key '${key}' takes ${NUMBER_KEYS.has(key as OptionName) ? 'a whole number or a string' : 'a string'}, not ${shown}`);
    }
  }
  return out;
}

function wholeNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${option} takes a whole number, not '${value}'`);
  return Number(value);
}

function positive(n: number, option: string): number {
  if (n === 0) throw new UsageError(`--${option} takes a whole number of at least 1, not 0`);
  return n;
}

/**
 * `--batch-ms n`, the pause after each batch (default 10). One longer than a timer holds is
 * refused, not shortened: a pause of weeks between batches stops the service reading its
 * sockets, which no operator means (a unit mistaken, seconds for ms); said at the start, exit 2.
 */
function batchMs(value: string | undefined): number {
  const ms = wholeNumber(value, 'batch-ms') ?? 10;
  if (ms > MAX_TIMER_MS) throw new UsageError(`--batch-ms takes at most ${MAX_TIMER_MS} (ms, about 24.8 days), not '${value}'`);
  return ms;
}

/** `--uri-allow host[,host…]`: each a host name or IP address alone (no scheme, port or path). */
function hostList(value: string | undefined, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((text) => {
    const host = uriAllowHost(text.trim());
    if (host === null) throw new UsageError(`--${option} takes host names or IP addresses separated by commas (e.g. repo.internal,10.0.0.5), not '${value}'`);
    return host;
  });
}

/**
 * --nats: one server, or several separated by commas — the NATS convention (the nats CLI's
 * --server, NATS_URL) — handed to the client as its list, each entry trimmed (one server too: a
 * blank before `tls://` would hide the scheme, and TLS would not be required); a user:password@
 * in any of them is taken as the credentials, as for one. An empty entry (`a,`) or one that is no
 * URL (`tls://h:99999`) is bad usage, said by its number, never shown: `nats://u:pa,ss@h` split at
 * a password's ',' leaves `nats://u:pa` (a ',' in a password is written %2C). So is an entry with
 * userinfo and no scheme right after one with no userinfo (scheme or none): `nats://u:2024,pw@h`
 * and the README's own scheme-less form `u:2024,pw@h` leave `u:2024` (host u, port 2024) and `pw@h`,
 * `en,f:pw@h` leaves `en` and `f:pw@h` — far more often a split password (or user name) than a list
 * giving its credentials on a later entry only, which can give them on the first, or write that
 * entry with its scheme (`a:4222,nats://u:p@b:4222`) — or repeat there the very set an earlier entry
 * gave (`u:p@a,b,u:p@c`: split at a ',', that password would hold the user name and itself again),
 * taken. The client sends one
 * set of credentials to every server: entries carrying different ones are bad usage too (none
 * shown), not the first set sent to a server another was written for.
 */
function natsServerList(value: string): string[] {
  const servers = value.split(',').map((s) => s.trim());
  const one = servers.length === 1;
  const takes = one ? '--nats takes a NATS server (e.g. nats://127.0.0.1:4222), or several separated by commas' : '--nats takes NATS servers separated by commas (e.g. nats://a:4222,nats://b:4222)';
  type Credentials = NonNullable<ReturnType<typeof splitUserinfo>['credentials']>;
  /** the same user and password, or token (decoded, as the exporter takes them: `u:p%40ss@` and `u:p@ss@` are one set) */
  const sameCredentials = (a: Credentials, b: Credentials): boolean => a.user === b.user && a.pass === b.pass && a.token === b.token;
  let afterBare = false;
  /** the credentials the first entry carrying any gave */
  let given: Credentials | undefined;
  servers.forEach((server, i) => {
    const which = one ? 'the value' : `entry ${i + 1} of ${servers.length}`;
    if (server === '') throw new UsageError(`${takes}: ${which} is ${one ? 'blank' : 'empty'}`);
    if (!isServerUrl(server)) throw new UsageError(`${takes}: ${which} is not a server URL (not shown: ${one ? 'it may carry a password' : "a ',' in a password is written %2C"})`);
    const credentials = splitUserinfo(server).credentials;
    const userinfo = credentials !== undefined;
    // the very set an earlier entry gave, repeated (`u:X@a,b,u:X@c`): no password split at its ','
    // (that one would be `X@a,b,u:X`, holding the user name and itself again)
    const repeated = given !== undefined && credentials !== undefined && sameCredentials(credentials, given);
    if (userinfo && afterBare && schemeOf(server) === '' && !repeated)
      throw new UsageError(
        `${takes}: ${which} reads as the rest of a password split at its ',' (or of a user name; not shown: a ',' in a password is written %2C; a server of its own gets the credentials on the first entry, or is written with its scheme)`,
      );
    // (digits alone between them, `u:20,24,pw@h`, are more of that password, and carry no userinfo either)
    afterBare = !userinfo;
    given ??= credentials;
  });
  // (as the exporter takes them: decoded, so `u:p%40ss@` and `u:p@ss@` are the same set)
  const sets = servers.map((server) => splitUserinfo(server).credentials);
  const first = sets.findIndex((c) => c !== undefined);
  const other = sets.findIndex((c) => c !== undefined && !sameCredentials(c, sets[first]!));
  if (other >= 0)
    throw new UsageError(`--nats: entries ${first + 1} and ${other + 1} carry different credentials; give one user:password@ (the client sends one set to every server)`, false);
  return servers;
}

/**
 * Every --nats entry's scheme is NATS's own — nats:// or tls:// (any case) — or none (host:port).
 * The client drops any other without a word and speaks plain NATS: `wss://` or `https://` would
 * connect in clear where the operator meant encryption. The scheme is said, never the rest — and
 * only where it cannot be a piece of a password split at its ',' (`nats://u:S3cr,etpw://x@h`):
 * the first entry's, or a well-known scheme; any other entry is said by its number.
 */
function refuseOtherSchemes(value: string): void {
  const pieces = value.split(',');
  pieces.forEach((server, i) => {
    const scheme = schemeOf(server.trimStart());
    if (scheme === '' || /^(nats|tls):\/\/$/i.test(scheme)) return;
    if (i === 0 || KNOWN_OTHER_SCHEMES.test(scheme)) throw new UsageError(`--nats takes nats:// or tls:// servers (or host:port), not ${scheme} (for TLS write tls://)`);
    throw new UsageError(`--nats takes nats:// or tls:// servers (or host:port): entry ${i + 1} of ${pieces.length} has another scheme (not shown: a ',' in a password is written %2C)`);
  });
}

/** Schemes named when refused wherever they stand in a --nats list: what an operator writes for TLS or a web endpoint. */
const KNOWN_OTHER_SCHEMES = /^(wss?|https?):\/\/$/i;

/**
 * `nats://host:port`, `tls://host`, `host:port`…: a URL with a host once a scheme-less entry gets
 * `nats://` — judged as the exporter takes it, its userinfo (up to the last '@') out first: a
 * password's '/', '?' or '#' written as is (`nats://u:ab/cd@h`) is no end of the host.
 */
function isServerUrl(server: string): boolean {
  return natsServerHost(splitUserinfo(server).server) !== '';
}

function duration(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const sec = parseDuration(value);
  if (sec === null || sec <= 0) throw new UsageError(`--${option} takes a duration such as 10s or 1m, not '${value}'`);
  return sec;
}

/** The flags (over the config file's values) as LiveOptions. */
export async function liveOptionsFromArgs(args: string[]): Promise<LiveOptions> {
  // a list option given twice accumulates; any other is refused (parseArgs alone keeps the last)
  const flags = parseOptions(args, LIVE_OPTIONS, { lists: LIST_OPTIONS, twice: WHY_ONCE }).values as Values;
  // (`--config ''` too, before it is read as a file named '')
  refuseEmptyValues(flags);
  const config = typeof flags.config === 'string' ? await readConfig(flags.config) : {};
  try {
    const options = await optionsFrom({ ...config, ...flags });
    // a filter is compiled only once the capture opens (startLive): where it came from goes with it
    if (options.iface?.filter !== undefined && 'filter' in config && !('filter' in flags)) options.iface.filterFrom = `${String(flags.config)}: config key 'filter'`;
    return options;
  } catch (err) {
    // a value the config file gave (no flag over it): the file and its key are named
    const key = err instanceof UsageError ? /^--([a-z-]+)[ :]/.exec(err.message)?.[1] : undefined;
    if (key !== undefined && key in config && !(key in flags)) throw new UsageError(`${String(flags.config)}: config key '${key}': ${err instanceof Error ? err.message : ''}`, (err as UsageError).withUsage);
    throw err;
  }
}

/**
 * --to's value checked at start, for every scheme (a URL fetch or ws cannot use would fail every
 * attempt, logged at each retry). No userinfo: fetch refuses any URL with it (its message quoting
 * the password), and the AI service's auth is --token (seed 001 §3.3). Never echoed with it.
 */
function aiServiceUrl(to: string): void {
  let url: URL | undefined;
  try {
    url = /^(https?|wss?):\/\//i.test(to) ? new URL(to) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined) throw new UsageError(`--to takes an http(s):// or ws(s):// URL, not '${urlForDisplay(to)}'`);
  if (url.username !== '' || url.password !== '')
    throw new UsageError(`--to takes no user:password@ or token@ in its URL ('${urlForDisplay(to)}'): give the AI service's token with --token`);
}

async function optionsFrom(v: Values): Promise<LiveOptions> {
  const str = (k: OptionName): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  // a service started with no policy, or a HEP listener with no auth key, for an unset variable
  refuseEmptyValues(v);
  if (!str('udp') && !str('hep') && !str('interface')) throw new UsageError('live needs at least one input: --udp host:port, --hep host:port or --interface name');
  const udpMode = str('udp-mode') ?? 'plain';
  if (udpMode !== 'plain' && udpMode !== 'ip-packet') throw new UsageError(`--udp-mode takes plain or ip-packet, not '${udpMode}'`);
  if (str('udp-mode') && !str('udp')) throw new UsageError('--udp-mode applies to --udp (the UDP mirror input)');
  if (str('filter') && !str('interface')) throw new UsageError('--filter applies to --interface capture');
  const to = str('to');
  if (to !== undefined) aiServiceUrl(to);
  if (to !== undefined && !str('spool')) throw new UsageError('--to needs --spool <dir> (lines are spooled to disk until the service acknowledges them)');
  // an option of an output or input not asked for is a mistake said at once, not ignored
  if (to === undefined && str('spool')) throw new UsageError('--spool applies to --to (the AI service\'s delivery spool)');
  if (to === undefined && str('token')) throw new UsageError('--token applies to --to (the AI service\'s bearer token)');
  if (!str('hep') && str('hep-auth-key')) throw new UsageError('--hep-auth-key applies to --hep');
  const nats = str('nats');
  if (nats !== undefined) refuseOtherSchemes(nats);
  // (every value split and checked the same way, one server as a list of one)
  const serverList = nats === undefined ? [] : natsServerList(nats);
  // checked with or without --nats: a typo is said at once, not when --nats is added
  const natsMaxAgeSec = duration(str('nats-max-age'), 'nats-max-age') ?? 7 * 86400;
  const natsMaxPending = str('nats-max-pending') && positive(wholeNumber(str('nats-max-pending'), 'nats-max-pending')!, 'nats-max-pending');
  if (nats === undefined) {
    const natsOption = (['nats-max-age', 'nats-max-pending'] as const).find((k) => str(k));
    if (natsOption) throw new UsageError(`--${natsOption} applies to --nats (the NATS JetStream output)`);
  }
  const windowSec = duration(str('window'), 'window') ?? null;
  const out = str('out') ?? (to === undefined && nats === undefined ? 'aipref-out' : undefined);
  if (out === undefined) {
    // with --to or --nats and no --out there are no files to rotate
    const fileOption = (['rotate-bytes', 'rotate-age', 'max-files'] as const).find((k) => str(k)) ?? (v.explain === true ? 'explain' : undefined);
    if (fileOption) throw new UsageError(`--${fileOption} applies to the files of --out (with --to or --nats, no --out means no files)`);
  }
  if (v['no-resolve-uri'] === true) {
    const uriOption = (['uri-allow', 'uri-ca'] as const).find((k) => str(k));
    if (uriOption) throw new UsageError(`--${uriOption} applies to resolving uri= handles, not with --no-resolve-uri`);
  }
  return {
    ...(str('udp') && { udp: parseHostPort(str('udp')!, '--udp'), udpMode: udpMode }),
    ...(str('hep') && { hep: parseHostPort(str('hep')!, '--hep') }),
    ...(str('hep-auth-key') && { hepAuthKey: str('hep-auth-key')! }),
    ...(str('interface') && { iface: { name: str('interface')!, ...(str('filter') && { filter: str('filter')! }) } }),
    ...(str('policy') && { policyFile: str('policy')! }),
    ...(out !== undefined && { outDir: out }),
    ...(str('rotate-bytes') && { rotateBytes: positive(wholeNumber(str('rotate-bytes'), 'rotate-bytes')!, 'rotate-bytes') }),
    ...(str('rotate-age') && { rotateAgeSec: duration(str('rotate-age'), 'rotate-age')! }),
    ...(str('max-files') && { maxFiles: positive(wholeNumber(str('max-files'), 'max-files')!, 'max-files') }),
    ...(to !== undefined && { aiService: { url: to, spoolDir: str('spool')!, ...(str('token') && { token: str('token')! }) } }),
    ...(nats !== undefined && {
      nats: {
        servers: nats,
        ...(serverList.length > 1 || serverList[0] !== nats ? { serverList } : {}),
        maxAgeSec: natsMaxAgeSec,
        ...(natsMaxPending && { maxPending: natsMaxPending }),
      },
    }),
    ...(str('metrics') && { metrics: parseHostPort(str('metrics')!, '--metrics') }),
    workers: parseWorkerCount(str('workers'), 0),
    windowSec,
    batchMs: batchMs(str('batch-ms')),
    statsSec: duration(str('stats-every'), 'stats-every') ?? 60,
    explain: v.explain === true,
    quiet: v.quiet === true,
    resolveUri: v['no-resolve-uri'] !== true,
    ...(str('uri-ca') && { uriCa: await readNamedFile(str('uri-ca')!, '--uri-ca') }),
    ...(str('uri-allow') && { uriAllow: hostList(str('uri-allow'), 'uri-allow')! }),
  };
}
