/**
 * Silences: mute every alert whose labels match all matchers, between startsAt and endsAt. Matchers test
 * the alert's labels plus `rule` and `severity`; a value wrapped in slashes (`/^ci-/`) is a regex.
 */
export interface SilenceMatcher {
  name: string;
  value: string;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export interface SilenceStore {
  list(): Promise<Silence[]>;
  put(silence: Silence): Promise<void>;
  delete(id: string): Promise<void>;
}

export class MemorySilenceStore implements SilenceStore {
  readonly silences = new Map<string, Silence>();
  async list(): Promise<Silence[]> {
    return [...this.silences.values()];
  }
  async put(s: Silence): Promise<void> {
    this.silences.set(s.id, s);
  }
  async delete(id: string): Promise<void> {
    this.silences.delete(id);
  }
}

/** Parses `rule=x,host=y` (the CLI's --match). */
export function parseMatchers(text: string): SilenceMatcher[] {
  const out: SilenceMatcher[] = [];
  for (const part of text.split(',')) {
    const t = part.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) throw new Error(`matcher "${t}" is not name=value`);
    out.push({ name: t.slice(0, eq).trim(), value: t.slice(eq + 1).trim() });
  }
  if (out.length === 0) throw new Error('a silence needs at least one matcher (name=value)');
  return out;
}

function matchOne(m: SilenceMatcher, value: string | undefined): boolean {
  if (m.value.length > 2 && m.value.startsWith('/') && m.value.endsWith('/')) {
    try {
      return new RegExp(m.value.slice(1, -1)).test(value ?? '');
    } catch {
      return false;
    }
  }
  return (value ?? '') === m.value;
}

export function silenceMatches(s: Silence, labels: Record<string, string>, now: number): boolean {
  if (now < s.startsAt || now >= s.endsAt) return false;
  return s.matchers.every((m) => matchOne(m, labels[m.name]));
}
