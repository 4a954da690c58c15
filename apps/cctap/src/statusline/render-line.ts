/**
 * The one line `cctap statusline` prints, from what it knows:
 *   Opus 4.6 | session $1.23 | today $4.56 | block $3.21, 2h13m left, $1.20/h | ctx 42%
 * Figures it does not have are left out rather than shown as zero; an unpriced cost shows as `$?`.
 */
import type { StatuslineFigures } from './figures.js';
import type { StatusInput } from './status-input.js';

const FAMILY = /^claude-(?:(\d+(?:-\d)?)-)?([a-z]+)(?:-(\d+)(?:-(\d{1,2})(?!\d))?)?/;

/** `Opus 4.6` from `model.display_name` (without a leading "Claude "), else from the model id. */
export function shortModelName(input: Pick<StatusInput, 'modelName' | 'modelId'>): string | null {
  if (input.modelName) return input.modelName.replace(/^Claude\s+/i, '');
  const id = input.modelId;
  if (!id) return null;
  const m = FAMILY.exec(id);
  if (!m) return id;
  const family = m[2]!.charAt(0).toUpperCase() + m[2]!.slice(1);
  // claude-3-5-sonnet-… (version first) and claude-sonnet-4-5-… (family first); a date is not a minor version.
  const version = m[1] ? m[1].replace('-', '.') : m[3] ? (m[4] ? `${m[3]}.${m[4]}` : m[3]) : '';
  return version ? `${family} ${version}` : family;
}

function usd(v: number | null): string {
  return v === null ? '$?' : `$${v.toFixed(2)}`;
}

function duration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const h = Math.floor(minutes / 60);
  return h > 0 ? `${h}h${String(minutes % 60).padStart(2, '0')}m` : `${minutes}m`;
}

export interface LineParts {
  input: StatusInput;
  /** From a running `up`; null when none answered. */
  figures: StatuslineFigures | null;
  /** From the transcript when no `up` answered. */
  transcriptCostUsd?: number | null;
  /** A short note at the end (why figures are missing). */
  note?: string;
  now: number;
}

export function renderLine(p: LineParts): string {
  const parts: string[] = [];
  const model = shortModelName(p.input);
  if (model) parts.push(model);
  const f = p.figures;
  if (f && f.sessionCostUsd !== null) parts.push(`session ${usd(f.sessionCostUsd)}`);
  else if (p.transcriptCostUsd !== undefined) parts.push(`session ${usd(p.transcriptCostUsd)}`);
  else if (p.input.clientCostUsd !== null) parts.push(`session ~${usd(p.input.clientCostUsd)}`);
  if (f) {
    parts.push(`today ${usd(f.todayCostUsd)}`);
    if (f.block) {
      const rate = f.block.costPerHour === null ? '' : `, ${usd(f.block.costPerHour)}/h`;
      parts.push(`block ${usd(f.block.costUsd)}, ${duration(Date.parse(f.block.endTime) - p.now)} left${rate}`);
    } else parts.push('no active block');
  }
  if (p.input.context) parts.push(`ctx ${Math.round(p.input.context.usedPercentage)}%`);
  if (p.note) parts.push(p.note);
  return parts.join(' | ');
}
