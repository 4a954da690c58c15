/**
 * Builds valid normalized events for generated sessions (unit tests, benchmarks). Each builder advances
 * the session's own clock by `gapMs` unless `at` is given, and gives every event a distinct id and offset.
 */
import type { CctapEvent, EventOf, PayloadOf } from '@cctap/events';
import { sampleEnvelope } from '@cctap/events/testing';

const T0 = Date.parse('2026-02-12T10:00:00.000Z');

export interface SessionScriptOptions {
  host?: string;
  user?: string;
  sessionId?: string;
  project?: string;
  startMs?: number;
  gapMs?: number;
  file?: string;
}

type Common = { at?: number; agentId?: string | null; sidechain?: boolean };

export class SessionScript {
  readonly host: string;
  readonly user: string;
  readonly sessionId: string;
  readonly project: string;
  private t: number;
  private readonly gap: number;
  private offset = 0;
  private readonly file: string;

  constructor(o: SessionScriptOptions = {}) {
    this.host = o.host ?? 'host-a';
    this.user = o.user ?? 'alice';
    this.sessionId = o.sessionId ?? '11111111-2222-4333-8444-555555555555';
    this.project = o.project ?? '/home/alice/proj';
    this.t = o.startMs ?? T0;
    this.gap = o.gapMs ?? 1000;
    this.file = o.file ?? `f-${this.sessionId}`;
  }

  get now(): number {
    return this.t;
  }

  private base<T extends CctapEvent['type']>(type: T, payload: PayloadOf<T>, c: Common): EventOf<T> {
    if (c.at !== undefined) this.t = c.at;
    else this.t += this.gap;
    this.offset += 100;
    const agentId = c.agentId ?? null;
    // Not parsed by the schema here: benchmarks build hundreds of thousands of these.
    const ev = {
      ...sampleEnvelope({
        host: this.host,
        file: `${this.file}${agentId ?? ''}`,
        offset: this.offset,
        ts: new Date(this.t).toISOString(),
        user: this.user,
        sessionId: this.sessionId,
        agentId,
        sidechain: c.sidechain ?? agentId !== null,
        project: this.project,
        path: `/home/alice/.claude/projects/x/${this.sessionId}.jsonl`,
      }),
      type,
      payload,
    };
    return ev as unknown as EventOf<T>;
  }

  prompt(text = 'do it', c: Common & { kind?: PayloadOf<'prompt'>['kind'] } = {}): EventOf<'prompt'> {
    return this.base(
      'prompt',
      { kind: c.kind ?? 'human', text, chars: text.length, images: 0, permissionMode: null },
      c,
    );
  }

  assistant(
    c: Common & {
      messageId?: string;
      requestId?: string;
      toolUses?: number;
      input?: number;
      output?: number;
      cacheRead?: number;
      cacheCreation?: number;
      model?: string;
      synthetic?: boolean;
    } = {},
  ): EventOf<'assistant'> {
    return this.base(
      'assistant',
      {
        model: c.model ?? 'claude-sonnet-4-5-20250929',
        messageId: c.messageId ?? `msg_${this.offset}`,
        requestId: c.requestId ?? `req_${this.offset}`,
        stopReason: null,
        synthetic: c.synthetic ?? false,
        usage: {
          input: c.input ?? 10,
          output: c.output ?? 100,
          cacheCreation: c.cacheCreation ?? 0,
          cacheRead: c.cacheRead ?? 1000,
          cacheCreation5m: 0,
          cacheCreation1h: 0,
          webSearchRequests: 0,
          webFetchRequests: 0,
        },
        speed: null,
        serviceTier: null,
        text: 'ok',
        textChars: 2,
        thinkingBlocks: 0,
        toolUses: c.toolUses ?? 0,
      },
      c,
    );
  }

  toolCall(toolUseId: string, name = 'Bash', c: Common & { inputHash?: string } = {}): EventOf<'tool.call'> {
    return this.base(
      'tool.call',
      {
        toolUseId,
        name,
        messageId: null,
        input: null,
        inputHash: c.inputHash ?? `h-${toolUseId}`,
        command: null,
        filePath: null,
        subagentType: null,
      },
      c,
    );
  }

  toolResult(toolUseId: string, c: Common & { isError?: boolean } = {}): EventOf<'tool.result'> {
    const isError = c.isError ?? false;
    return this.base(
      'tool.result',
      {
        toolUseId,
        isError,
        errorClass: isError ? 'tool_error' : null,
        output: null,
        outputChars: 0,
        durationMs: null,
        interrupted: false,
        agentId: null,
        sourceAssistantUuid: null,
      },
      c,
    );
  }

  apiError(c: Common = {}): EventOf<'api.error'> {
    return this.base(
      'api.error',
      {
        final: false,
        status: 529,
        errorType: 'overloaded_error',
        message: null,
        retryAttempt: 1,
        maxRetries: 10,
        retryInMs: 1000,
      },
      c,
    );
  }

  compaction(preTokens: number, c: Common = {}): EventOf<'compaction'> {
    return this.base('compaction', { trigger: 'auto', preTokens, micro: false, logicalParentUuid: null }, c);
  }

  denial(toolUseId: string, kind: PayloadOf<'denial'>['kind'], c: Common = {}): EventOf<'denial'> {
    return this.base('denial', { toolUseId, toolName: null, kind, reason: null }, c);
  }

  refusal(originalModel: string, fallbackModel: string, c: Common = {}): EventOf<'refusal'> {
    return this.base(
      'refusal',
      {
        originalModel,
        fallbackModel,
        trigger: 'refusal',
        direction: 'retry',
        category: null,
        retractedUuids: [],
        requestId: null,
        text: null,
      },
      c,
    );
  }
}
