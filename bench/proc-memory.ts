import { readFileSync } from 'node:fs';

// Resident memory of a process as the kernel counts it (/proc/<pid>/status), in MiB: VmRSS now, VmHWM its peak.

function field(pid: number, name: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  if (kb === undefined) throw new Error(`/proc/${pid}/status has no ${name}`);
  return Number(kb) / 1024;
}

export const rssMiB = (pid: number) => field(pid, 'VmRSS');
export const peakRssMiB = (pid: number) => field(pid, 'VmHWM');
