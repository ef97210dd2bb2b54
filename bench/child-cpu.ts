/**
 * Loaded ahead of the CLI in the bench's replay child (`node --import dist/bench/child-cpu.js
 * bin/aipref-enforcer.js replay …`): at exit it writes, as JSON to the file named by
 * AIPREF_BENCH_CHILD_FILE, the process's peak resident set size, CPU time (every thread,
 * finished worker threads included; the kernel's share apart) and minor page faults, and the
 * CPU time of its main thread alone.
 *
 * A minor page fault is the first touch of a page of fresh memory: the heaps growing, buffers,
 * compiled code. On a virtual machine each can cost microseconds (the bench measures what it
 * costs where it runs, bench/page-touch.ts), so a replay's count says how much of its time
 * goes to memory it touches for the first time.
 *
 * The main thread reads the capture, decodes the packet layers, runs signaling and writes the
 * lines; with worker threads it is the one that sets the pace, so its share says where a
 * replay's time goes where the process total cannot. The main thread's figure comes from
 * Linux's /proc (in clock ticks of 10 ms); elsewhere it is left out.
 *
 * The peak resident set is /proc's VmHWM where there is one: getrusage's ru_maxrss
 * (resourceUsage().maxRSS) keeps, across exec, the high-water mark of the process forked to
 * start the child — the bench process itself, hundreds of MB after its walks — so a replay's
 * peak read as at least the bench's own (a 41 MB `node -e` child reported 83 MB).
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface ChildFigures {
  maxRssKb: number;
  processCpuSeconds: number;
  /** of processCpuSeconds, the kernel's (system) time */
  systemCpuSeconds: number;
  minorPageFaults: number;
  mainThreadCpuSeconds?: number;
}

/** /proc's unit for utime and stime: USER_HZ, 100 on Linux's common architectures */
const TICKS_PER_SECOND = 100;

function mainThreadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // after the command name (in parentheses, spaces allowed): state, ppid, … utime is the 14th field, stime the 15th
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** The process's peak resident set in KiB since it was exec'd (/proc/self/status VmHWM), or undefined off Linux. */
export function peakRssKbSinceExec(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const file = process.env.AIPREF_BENCH_CHILD_FILE;
if (file) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    const main = mainThreadCpuSeconds();
    const usage = process.resourceUsage();
    const figures: ChildFigures = {
      maxRssKb: peakRssKbSinceExec() ?? usage.maxRSS,
      processCpuSeconds: (user + system) / 1e6,
      systemCpuSeconds: system / 1e6,
      minorPageFaults: usage.minorPageFault,
      ...(main !== undefined ? { mainThreadCpuSeconds: main } : {}),
    };
    writeFileSync(file, JSON.stringify(figures));
  });
}
