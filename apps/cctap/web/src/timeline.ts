/** One session's timeline, shown when a session row is clicked. */
import { byId, el, getJson } from './dom.js';
import { duration, projectName, time } from './format.js';

interface TimelineItem {
  kind: string;
  ts: string;
  text: string;
  durationMs?: number | null;
  error?: boolean;
}

interface Timeline {
  host: string;
  sessionId: string;
  items: TimelineItem[];
  truncated: boolean;
}

const KIND_LABEL: Record<string, string> = {
  prompt: 'prompt',
  tool: 'tool',
  compaction: 'compaction',
  denial: 'denial',
  guard: 'guard',
  'api.error': 'API error',
  rate_limit: 'rate limit',
  interrupt: 'interrupt',
  alert: 'alert',
};

export async function showTimeline(host: string, sessionId: string, project: string): Promise<void> {
  const section = byId('timeline-section');
  const list = byId<HTMLOListElement>('timeline');
  byId('timeline-title').textContent = `Session ${sessionId.slice(0, 8)} · ${projectName(project)} · ${host}`;
  section.hidden = false;
  list.replaceChildren(el('li', 'loading…', 'muted'));
  const t = await getJson<Timeline>(
    `/api/session?host=${encodeURIComponent(host)}&id=${encodeURIComponent(sessionId)}`,
  );
  const items = t.items.map((i) => {
    const li = el('li', undefined, i.error ? 'err' : '');
    li.dataset.kind = i.kind;
    li.append(
      el('span', time(i.ts), 'ts'),
      el('span', KIND_LABEL[i.kind] ?? i.kind, 'kind'),
      el('span', i.text, 'text'),
      el('span', i.kind === 'tool' ? (i.durationMs == null ? 'no result' : duration(i.durationMs)) : '', 'duration'),
    );
    return li;
  });
  if (items.length === 0) items.push(el('li', 'nothing stored for this session yet', 'muted'));
  if (t.truncated) items.push(el('li', 'only the first entries are shown', 'muted'));
  list.replaceChildren(...items);
  section.scrollIntoView({ block: 'nearest' });
}

export function closeTimeline(): void {
  byId('timeline-section').hidden = true;
}
