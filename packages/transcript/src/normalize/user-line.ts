/**
 * `user` lines (transcript-format.md section 3.1): human prompts, slash-command echoes, task notifications,
 * subagent root prompts, tool results, interrupt markers, injected `isMeta` text and compaction summaries.
 * Content is a string or an array of blocks; each `tool_result` block becomes one `tool.result` event.
 */
import { DENIAL_KINDS, type DenialKind, type PayloadOf, type ToolErrorClass } from '@cctap/events';
import { classifyToolError } from './tool-error-class.js';
import { commitOf, fileActivityOf, pullRequestOf } from './tool-activity.js';
import { idStr, nonNeg, obj, str, type Json } from './json-read.js';
import type { LineBuilder } from './line-builder.js';

type PromptKind = PayloadOf<'prompt'>['kind'];

const INTERRUPT = '[Request interrupted by user';
const AGENT_ID_TAIL = /agentId: ([A-Za-z0-9_-]{1,64})/;

function isInterrupt(text: string): boolean {
  return text.startsWith(INTERRUPT);
}

function promptKind(rec: Json, text: string): PromptKind {
  if (rec.isSidechain === true && (rec.parentUuid === null || rec.parentUuid === undefined)) return 'subagent_root';
  if (text.includes('<task-notification>') || text.includes('<bash-notification>')) return 'task_notification';
  const head = text.trimStart();
  if (
    head.startsWith('<command-') ||
    head.startsWith('<local-command-') ||
    head.startsWith('<bash-input>') ||
    head.startsWith('<bash-stdout>') ||
    head.startsWith('<bash-stderr>')
  ) {
    return 'command';
  }
  return 'human';
}

/** Text of a string or of the `text` blocks of an array (tool_result content, user content). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const b of content) {
    const block = obj(b);
    if (block && block.type === 'text' && typeof block.text === 'string')
      out = out ? `${out}\n${block.text}` : block.text;
  }
  return out;
}

function emitPrompt(L: LineBuilder, text: string, images: number): void {
  L.emit('prompt', {
    kind: promptKind(L.rec, text),
    text: L.shaper.textOf(text),
    chars: text.length,
    images,
    permissionMode: idStr(L.rec.permissionMode),
  });
}

/** The line's `toolDenialKind` when it is a denial (2.1.193+); aborts (`interrupted`, `cancelled`) are not. */
function denialKind(rec: Json): DenialKind | null {
  const v = rec.toolDenialKind;
  return typeof v === 'string' && (DENIAL_KINDS as readonly string[]).includes(v) ? (v as DenialKind) : null;
}

/** The writer's denial kind says exactly why; the output text only guesses. */
function denialErrorClass(kind: DenialKind): ToolErrorClass {
  return kind === 'user-rejected' ? 'user_rejected' : 'permission_denied';
}

/** What a successful result produced (tool-activity.ts); only the fields that apply, so most results stay as they were. */
function outcomeOf(L: LineBuilder, tur: Json): Pick<PayloadOf<'tool.result'>, 'activity' | 'commit' | 'pullRequest'> {
  const activity = fileActivityOf(tur, L.shaper);
  if (activity) return { activity };
  const commit = commitOf(tur);
  const pullRequest = pullRequestOf(tur, L.shaper);
  return { ...(commit ? { commit } : {}), ...(pullRequest ? { pullRequest } : {}) };
}

function emitToolResult(L: LineBuilder, block: Json, toolUseResult: unknown, denial: DenialKind | null): void {
  const output = contentText(block.content);
  const tur = obj(toolUseResult);
  const interrupted = tur?.interrupted === true;
  const isError = block.is_error === true;
  let agentId = idStr(tur?.agentId);
  // `Id: ` first: the output is read whole and uncapped, and a search that starts with the rare `I` skips
  // most of it, where `agentId: ` would stop at every `a`. The regex needs `agentId: ` anyway.
  if (agentId === null && output.includes('Id: ')) agentId = AGENT_ID_TAIL.exec(output)?.[1] ?? null;
  const seconds = nonNeg(tur?.durationSeconds);
  const toolUseId = idStr(block.tool_use_id) ?? '';
  const shaped = L.shaper.textOf(output);
  L.emit('tool.result', {
    toolUseId,
    isError,
    errorClass: denial ? denialErrorClass(denial) : isError ? classifyToolError(output, interrupted) : null,
    output: shaped,
    outputChars: output.length,
    durationMs: nonNeg(tur?.durationMs) ?? nonNeg(tur?.totalDurationMs) ?? (seconds === null ? null : seconds * 1000),
    interrupted,
    agentId,
    sourceAssistantUuid: idStr(L.rec.sourceToolAssistantUUID),
    ...(denial ? { denialKind: denial } : {}),
    ...(tur && !isError && !interrupted && !denial ? outcomeOf(L, tur) : {}),
  });
  if (denial) {
    L.emit('denial', {
      toolUseId,
      // The result line names the tool only in some structured outputs; the call (same toolUseId) always does.
      toolName: idStr(tur?.toolName) ?? idStr(tur?.tool_name),
      kind: denial,
      reason: shaped,
    });
  }
}

export function normalizeUser(L: LineBuilder): void {
  const rec = L.rec;
  const content = obj(rec.message)?.content;
  if (rec.isCompactSummary === true) return L.meta('user', 'compact_summary', L.shaper.textOf(contentText(content)));
  if (rec.isMeta === true) return L.meta('user', 'is_meta', L.shaper.textOf(contentText(content)));

  if (typeof content === 'string') {
    if (isInterrupt(content)) return L.emit('interrupt', { forToolUse: content.includes('for tool use') });
    return emitPrompt(L, content, 0);
  }
  if (!Array.isArray(content)) return L.meta('user', 'no_content', null);

  // A line's toolUseResult belongs to its tool_result block; with several blocks it cannot be attributed.
  let toolResults = 0;
  for (const b of content) if (obj(b)?.type === 'tool_result') toolResults += 1;
  const toolUseResult = toolResults === 1 ? rec.toolUseResult : undefined;
  const denial = denialKind(rec);

  let text = '';
  let hasText = false;
  let images = 0;
  const rest: (() => void)[] = [];
  for (const b of content) {
    const block = obj(b);
    if (!block) continue;
    if (block.type === 'tool_result') {
      // The kind is the line's: with several results it belongs to the failed ones.
      const denied = denial !== null && (toolResults === 1 || block.is_error === true) ? denial : null;
      rest.push(() => emitToolResult(L, block, toolUseResult, denied));
    } else if (block.type === 'text') {
      const t = str(block.text) ?? '';
      if (isInterrupt(t)) rest.push(() => L.emit('interrupt', { forToolUse: t.includes('for tool use') }));
      else {
        text = hasText ? `${text}\n${t}` : t;
        hasText = true;
      }
    } else if (block.type === 'image') images += 1;
  }
  // The prompt (typed text and pasted images) comes first, then results and interrupts in block order.
  if (hasText || images > 0) emitPrompt(L, text, images);
  for (const fn of rest) fn();
  if (L.events.length === 0) L.meta('user', content.length === 0 ? 'empty_content' : 'other_blocks', null);
}
