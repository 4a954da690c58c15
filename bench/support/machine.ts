import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem, type } from 'node:os';

/** What the numbers in docs/benchmarks.md were measured on. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  date: string;
  /** CPUs this process may run on (what `nproc` prints). */
  nproc: number;
  /** PRETTY_NAME from /etc/os-release and the kernel, e.g. "Debian GNU/Linux 12 (bookworm), Linux 6.1.0". */
  os: string;
}

function osName(): string {
  let pretty = '';
  try {
    pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    // no os-release: the kernel alone
  }
  return [pretty, `${type()} ${release()}`].filter(Boolean).join(', ');
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
    nproc: availableParallelism(),
    os: osName(),
  };
}

export const machineLine = (m: Machine): string =>
  `${m.cpus} × ${m.cpuModel} (nproc ${m.cpus}), ${m.memoryGiB} GiB RAM, Node ${m.node}`;
