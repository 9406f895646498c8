import { readdirSync, readFileSync } from 'node:fs';

// CPU time a target's processes used, from /proc: the share of the machine other work took does not move
// it as much as it moves latencies, so it says what one incident costs. Linux only; elsewhere undefined.

const TICKS_PER_SECOND = 100;

export interface CpuSeconds {
  /** The Node process (worker, HTTP handler, client). */
  node: number;
  /** The Temporal dev server (and any other child in the group). */
  server: number;
}

/** CPU seconds so far of every live process in the process group `pgid`, split into Node and the rest. */
export function groupCpu(pgid: number): CpuSeconds | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  const total: CpuSeconds = { node: 0, server: 0 };
  for (const pid of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name is in parentheses and may hold spaces; the fields after it are space-separated.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    if (comm === 'node' || Number(pid) === pgid) total.node += seconds;
    else total.server += seconds;
  }
  return total;
}
