/**
 * The sessions running now and what each is doing, for the web page of `cctap up`, from what the validator
 * and the analyzer publish (the same tap as up/live-feed.ts, see up/tap-bus.ts).
 *
 * A session appears with the analyzer's session.start (or its first event once live: a session that was
 * already open when the feed went live) and leaves with its session.end. Before the feed is live only
 * derived events are read: event batches are large and frequent during a backfill, and what a session did
 * last month is not what it does now. Bounded: past MAX_SESSIONS the least recently active are dropped.
 */
import {
  decodeTrustedBatch,
  decodeTrustedDerived,
  type CctapEvent,
  type DerivedEvent,
  type Topology,
} from '@cctap/events';
import { oneLine as clip } from './one-line.js';

export type LiveState = 'working' | 'waiting' | 'idle';

export interface LiveSession {
  host: string;
  sessionId: string;
  project: string;
  startedAt: string;
  /** Time of the last event seen (event time). */
  lastTs: string;
  state: LiveState;
  /** One short line: "running Bash: npm test", "answering", "waiting for input". */
  doing: string;
  toolCalls: number;
  toolErrors: number;
}

const MAX_SESSIONS = 500;
const DERIVED_READ = new Set(['session_start', 'session_end', 'session_idle', 'session_resume', 'waiting_input']);

export class LiveSessions {
  private readonly byKey = new Map<string, LiveSession>();
  /** Tool names by tool use id of the sessions tracked, to name a result (cleared with its session). */
  private readonly toolNames = new Map<string, string>();
  private live = false;
  private readonly eventsPrefix: string;
  private readonly derivedPrefix: string;

  constructor(t: Topology) {
    this.eventsPrefix = `${t.root}.events.`;
    this.derivedPrefix = `${t.root}.derived.`;
  }

  goLive(): void {
    this.live = true;
  }

  /** Newest activity first. */
  list(): LiveSession[] {
    return [...this.byKey.values()].sort((a, b) => b.lastTs.localeCompare(a.lastTs));
  }

  /** The tap-bus hook. */
  readonly observe = (subject: string, data: Uint8Array): void => {
    if (subject.startsWith(this.derivedPrefix)) {
      const kind = subject.slice(this.derivedPrefix.length).split('.')[0] ?? '';
      if (DERIVED_READ.has(kind)) {
        const d = decodeTrustedDerived(data);
        if (d.sessionId) this.derived(d);
      }
    } else if (this.live && subject.startsWith(this.eventsPrefix)) {
      // Events without a session (the collector's heartbeats, quota readings) are no session's doing.
      for (const e of decodeTrustedBatch(data).events) if (e.sessionId) this.event(e);
    }
  };

  private session(host: string, sessionId: string, project: string, ts: string): LiveSession {
    const key = `${host}\u001f${sessionId}`;
    let s = this.byKey.get(key);
    if (!s) {
      s = {
        host,
        sessionId,
        project,
        startedAt: ts,
        lastTs: ts,
        state: 'working',
        doing: 'started',
        toolCalls: 0,
        toolErrors: 0,
      };
      this.byKey.set(key, s);
      if (this.byKey.size > MAX_SESSIONS) {
        const oldest = this.list().at(-1);
        if (oldest) this.byKey.delete(`${oldest.host}\u001f${oldest.sessionId}`);
      }
    }
    if (project) s.project = project;
    if (ts > s.lastTs) s.lastTs = ts;
    return s;
  }

  private derived(d: DerivedEvent): void {
    if (d.kind === 'session.end') {
      this.byKey.delete(`${d.host}\u001f${d.sessionId}`);
      return;
    }
    const s = this.session(d.host, d.sessionId, d.project, d.ts);
    switch (d.kind) {
      case 'session.idle':
        s.state = 'idle';
        s.doing = 'idle';
        break;
      case 'session.resume':
        s.state = 'working';
        s.doing = 'resumed';
        break;
      case 'waiting.input':
        s.state = 'waiting';
        s.doing = 'waiting for input';
        break;
      default:
        break;
    }
  }

  private event(e: CctapEvent): void {
    const s = this.session(e.host, e.sessionId, e.project, e.ts);
    switch (e.type) {
      case 'prompt':
        s.state = 'working';
        s.doing = e.payload.text ? `prompt: ${clip(e.payload.text, 80)}` : 'prompt';
        break;
      case 'assistant':
        s.state = 'working';
        s.doing = e.payload.toolUses > 0 ? 'calling tools' : `answering (${e.payload.model})`;
        break;
      case 'tool.call': {
        s.state = 'working';
        s.toolCalls += 1;
        this.toolNames.set(e.payload.toolUseId, e.payload.name);
        const what = e.payload.command || e.payload.filePath || '';
        s.doing = `running ${e.payload.name}${what ? `: ${clip(what, 60)}` : ''}`;
        break;
      }
      case 'tool.result': {
        const name = this.toolNames.get(e.payload.toolUseId) ?? 'tool';
        this.toolNames.delete(e.payload.toolUseId);
        if (e.payload.isError) s.toolErrors += 1;
        s.doing = e.payload.isError ? `${name} failed (${e.payload.errorClass ?? 'error'})` : `${name} done, thinking`;
        break;
      }
      case 'api.error':
        s.doing = `API error ${e.payload.status ?? ''}`.trim();
        break;
      case 'rate_limit':
        s.state = 'waiting';
        s.doing = `rate limited (${e.payload.limitKind})`;
        break;
      case 'compaction':
        s.doing = 'compacting the context';
        break;
      case 'interrupt':
        s.doing = 'interrupted';
        break;
      default:
        break;
    }
    // Tool names of sessions no longer tracked are not needed; keep the map bounded like the sessions.
    if (this.toolNames.size > MAX_SESSIONS * 20) this.toolNames.clear();
  }
}
