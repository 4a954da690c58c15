/**
 * A Claude Code session written turn by turn for the rewritten-transcript tests, remembering everything it
 * ever wrote (rows that a rewrite later removes included) so a test can say, independently of the pipeline,
 * what the store must hold: every uuid once, every distinct metadata line once, the tool uses, and the token
 * totals by the max rule (per message id + request id, the line with the largest total).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Totals {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export class RewriteSession {
  readonly sessionId = randomUUID();
  path: string;
  /** Every uuid ever written. */
  readonly uuids = new Set<string>();
  /** Every distinct metadata line ever written (no uuid). */
  readonly metadata = new Set<string>();
  readonly toolUseIds = new Set<string>();
  /** Uuids of the lines of each turn, in order. */
  readonly turns: string[][] = [];
  private readonly responses = new Map<string, Usage>();
  private last: string | null = null;
  private clock: number;
  private turn = 0;

  constructor(
    readonly projectDir: string,
    readonly cwd: string,
    /** The first line's time; each line is 1 s later. */
    start: Date,
    /** The Bash command of turn `n` (1-based). */
    private readonly commandOf: (n: number) => string = (n) => `ls -la src/${n}`,
  ) {
    mkdirSync(projectDir, { recursive: true });
    this.path = join(projectDir, `${this.sessionId}.jsonl`);
    this.clock = start.getTime();
  }

  /** The session's metadata lines as Claude Code writes them (no uuid, no timestamp). */
  metadataLines(prompt: string): string[] {
    return [
      JSON.stringify({ type: 'permission-mode', permissionMode: 'default', sessionId: this.sessionId }),
      JSON.stringify({ type: 'last-prompt', lastPrompt: prompt, sessionId: this.sessionId }),
    ];
  }

  /** Appends raw lines (metadata, or a `relocated` line) and remembers them. */
  append(lines: readonly string[]): void {
    for (const l of lines) this.remember(l);
    appendFileSync(this.path, lines.map((l) => `${l}\n`).join(''));
  }

  /**
   * Appends one turn: prompt, one response streamed as two lines (a text block, then the tool use with the
   * larger usage), the tool result, a text answer; then the metadata lines.
   */
  appendTurn(): string[] {
    this.turn += 1;
    const n = this.turn;
    const prompt = `step ${n}: look at src/${n}`;
    const toolUseId = `toolu_${this.sessionId.slice(0, 8)}_${n}`;
    const msg = `msg_${this.sessionId.slice(0, 8)}_${n}`;
    const req = `req_${this.sessionId.slice(0, 8)}_${n}`;
    const content = [
      {
        type: 'tool_use',
        id: toolUseId,
        name: 'Bash',
        input: { command: this.commandOf(n), description: `step ${n}` },
      },
    ];
    const lines = [
      this.row({ type: 'user', message: { role: 'user', content: prompt }, permissionMode: 'default' }),
      this.assistant(msg, req, [{ type: 'text', text: `Looking at src/${n}.` }], {
        input_tokens: 10 * n,
        output_tokens: 1,
        cache_creation_input_tokens: 100 * n,
        cache_read_input_tokens: 1000 * n,
      }),
      this.assistant(msg, req, content, {
        input_tokens: 10 * n,
        output_tokens: 7 * n,
        cache_creation_input_tokens: 100 * n,
        cache_read_input_tokens: 1000 * n,
      }),
      this.row({
        type: 'user',
        message: {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: toolUseId, content: `listing ${n}`, is_error: false }],
        },
      }),
      this.assistant(`${msg}_b`, `${req}_b`, [{ type: 'text', text: `done with step ${n}` }], {
        input_tokens: 5,
        output_tokens: 3 * n,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 50 * n,
      }),
    ];
    this.toolUseIds.add(toolUseId);
    const uuids = lines.map((l) => (JSON.parse(l) as { uuid: string }).uuid);
    this.turns.push(uuids);
    this.append([...lines, ...this.metadataLines(prompt)]);
    return uuids;
  }

  /** The file now lives at `path` (a `/cd`), where `relocatedLine` was appended. */
  movedTo(path: string, relocatedLine: string): void {
    this.path = path;
    this.remember(relocatedLine);
  }

  /** A `system` compact_boundary row (what compaction keys on). */
  appendCompactBoundary(): string {
    const l = this.row({
      type: 'system',
      subtype: 'compact_boundary',
      content: 'Conversation compacted',
      level: 'info',
      compactMetadata: { trigger: 'manual', preTokens: 12345 },
    });
    this.append([l]);
    return (JSON.parse(l) as { uuid: string }).uuid;
  }

  relocatedLine(toCwd: string): string {
    return JSON.stringify({
      type: 'relocated',
      relocatedCwd: toCwd,
      sessionId: this.sessionId,
      timestamp: new Date(this.tick()).toISOString(),
    });
  }

  /** Token totals by the max rule over every assistant line ever written. */
  expectedTotals(): Totals {
    const t: Totals = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
    for (const u of this.responses.values()) {
      t.input += u.input_tokens;
      t.output += u.output_tokens;
      t.cacheCreation += u.cache_creation_input_tokens;
      t.cacheRead += u.cache_read_input_tokens;
    }
    return t;
  }

  private remember(line: string): void {
    const o = JSON.parse(line) as {
      uuid?: string;
      type: string;
      message?: { id?: string; usage?: Usage };
      requestId?: string;
    };
    if (o.uuid) this.uuids.add(o.uuid);
    else this.metadata.add(line);
    if (o.type === 'assistant' && o.message?.usage) {
      const key = `${o.message.id}|${o.requestId}`;
      const prev = this.responses.get(key);
      if (!prev || total(o.message.usage) > total(prev)) this.responses.set(key, o.message.usage);
    }
  }

  private tick(): number {
    this.clock += 1000;
    return this.clock;
  }

  private row(o: Record<string, unknown>): string {
    const uuid = randomUUID();
    const line = JSON.stringify({
      parentUuid: this.last,
      isSidechain: false,
      userType: 'external',
      cwd: this.cwd,
      sessionId: this.sessionId,
      version: '2.1.217',
      gitBranch: 'main',
      ...o,
      uuid,
      timestamp: new Date(this.tick()).toISOString(),
    });
    this.last = uuid;
    return line;
  }

  private assistant(id: string, requestId: string, content: unknown[], usage: Usage): string {
    return this.row({
      type: 'assistant',
      requestId,
      message: {
        model: 'claude-sonnet-4-5-20250929',
        id,
        type: 'message',
        role: 'assistant',
        content,
        stop_reason: null,
        usage,
      },
    });
  }
}

const total = (u: Usage) =>
  u.input_tokens + u.output_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
