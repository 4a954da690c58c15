/** How the page writes numbers and times. */

/** USD with cents ("$12.34"); "unpriced" when there is usage and none of it has a price. */
export function usd(v: number | null): string {
  return v === null ? 'unpriced' : `$${v.toFixed(2)}`;
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function tokens(n: number): string {
  return `${compact.format(n)} tokens`;
}

/** A duration: "850 ms", "3.2 s", "4 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Local time of an ISO instant: "14:03:22" today, else "Dec 6 14:03". */
export function time(iso: string): string {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString('en-GB', { hour12: false })
    : d.toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** The last part of a project path. */
export function projectName(p: string): string {
  return p.split('/').filter(Boolean).pop() ?? (p || '–');
}
