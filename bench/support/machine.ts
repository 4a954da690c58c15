import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** What the numbers in docs/benchmarks.md were measured on. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  date: string;
}

export function describeMachine(): Machine {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: keep "unknown"
  }
  return {
    // all CPUs of the machine, not the affinity mask (the benchmark pins itself to one)
    cpus: cpus().length,
    cpuModel,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
  };
}

export const machineLine = (m: Machine): string =>
  `${m.cpus} × ${m.cpuModel} (nproc ${m.cpus}), ${m.memoryGiB} GiB RAM, Node ${m.node}`;
