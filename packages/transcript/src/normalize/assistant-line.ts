/**
 * `assistant` lines (transcript-format.md sections 3.2, 5, 7, 9). Claude Code writes one line per content
 * block of a response, each repeating the usage: every line becomes one `assistant` event carrying that
 * line's usage, and the UsageLedger keeps the largest line per response. Each `tool_use` block becomes a
 * `tool.call`.
 *
 * Final API failures are `<synthetic>` lines with `isApiErrorMessage: true`: they become `api.error`
 * (final) or `rate_limit` (usage-limit notices) and never an `assistant` event, so they can never be counted
 * as usage. Other `<synthetic>` lines ("No response requested.") are `assistant` events marked synthetic,
 * which the ledger skips.
 *
 * No cost is computed here: the laptop ships tokens and the facts pricing needs (speed, inference geo,
 * advisor iterations, the line's time), and the central services price them from one book (DESIGN 7).
 */
import { hash } from 'node:crypto';
import { MAX_ADVISOR_ITERATIONS } from '@cctap/events';
import { SYNTHETIC_MODEL, type TokenUsage } from '../usage/token-usage.js';
import { count, countOrNull, idStr, intOrNull, obj, pathStr, str, uuidList, type Json } from './json-read.js';
import type { LineBuilder } from './line-builder.js';
import { parseUsageLimit } from './usage-limit.js';

const SHELL_TOOLS = new Set(['Bash', 'PowerShell']);
const PATH_TOOLS = new Set(['Read', 'Glob', 'Grep', 'LS']);
const SUBAGENT_TOOLS = new Set(['Task', 'Agent']);
const API_STATUS = /API Error:\s*(\d{3})/;

export function readUsage(u: Json | null): TokenUsage {
  const split = obj(u?.cache_creation);
  const server = obj(u?.server_tool_use);
  const cacheCreation5m = count(split?.ephemeral_5m_input_tokens);
  const cacheCreation1h = count(split?.ephemeral_1h_input_tokens);
  return {
    input: count(u?.input_tokens),
    output: count(u?.output_tokens),
    // Builds before 2.1.152 could report 0 in the flat field while the nested split held the real cache
    // writes (transcript-format-2026.md section 4.1): the larger of the two is what was written.
    cacheCreation: Math.max(count(u?.cache_creation_input_tokens), cacheCreation5m + cacheCreation1h),
    cacheRead: count(u?.cache_read_input_tokens),
    cacheCreation5m,
    cacheCreation1h,
    webSearchRequests: count(server?.web_search_requests),
    webFetchRequests: count(server?.web_fetch_requests),
  };
}

/**
 * Advisor sub-inferences of a response: `usage.iterations[]` entries of type `advisor_message` carry their
 * own model and token counts. The top-level usage is the executor's, so these are extra usage, billed at
 * the advisor model's rates (Anthropic's advisor tool documentation, "Cost").
 */
function readAdvisorUsage(u: Json | null): { model: string; usage: TokenUsage }[] | undefined {
  const iterations = u?.iterations;
  if (!Array.isArray(iterations) || iterations.length === 0) return undefined;
  const out: { model: string; usage: TokenUsage }[] = [];
  for (const it of iterations) {
    if (out.length >= MAX_ADVISOR_ITERATIONS) break;
    const entry = obj(it);
    if (!entry || entry.type !== 'advisor_message') continue;
    out.push({ model: idStr(entry.model) ?? '', usage: readUsage(entry) });
  }
  return out.length > 0 ? out : undefined;
}

/**
 * `message.diagnostics.cache_miss_reason` (2.1.183+), e.g. `{"type":"tools_changed","cache_missed_input_tokens":14804}`:
 * input tokens billed at the full rate because the prompt cache missed. Absent when the cache hit.
 */
function readCacheMiss(msg: Json | null): { reason: string; missedTokens: number | null } | undefined {
  const miss = obj(obj(msg?.diagnostics)?.cache_miss_reason);
  const reason = idStr(miss?.type);
  if (reason === null) return undefined;
  return { reason, missedTokens: countOrNull(miss?.cache_missed_input_tokens) };
}

function filePathOf(L: LineBuilder, name: string, input: Json | null): string | null {
  const p = str(input?.file_path) ?? str(input?.notebook_path) ?? (PATH_TOOLS.has(name) ? str(input?.path) : null);
  // Masked, then clipped: clipping first could cut a secret to a part no rule recognises.
  return p === null ? null : pathStr(L.shaper.label(p));
}

function emitToolCall(L: LineBuilder, block: Json, messageId: string | null): void {
  const name = idStr(block.name) ?? '';
  const raw = block.input === undefined ? null : block.input;
  const json = JSON.stringify(raw);
  const input = obj(raw);
  const shaped = L.shaper.value(raw, json.length);
  // Hashed as masked (Shaper.hashable): an input that shaping left as it was is its own JSON.
  const hashable = L.shaper.hashable(raw, json.length, shaped);
  const hashed = hashable === raw ? json : JSON.stringify(hashable);
  L.emit('tool.call', {
    toolUseId: idStr(block.id) ?? '',
    name,
    messageId,
    input: shaped,
    inputHash: hash('sha256', hashed, 'hex').slice(0, 32),
    command: SHELL_TOOLS.has(name) ? L.shaper.text(input?.command) : null,
    filePath: filePathOf(L, name, input),
    subagentType: SUBAGENT_TOOLS.has(name) ? idStr(input?.subagent_type) : null,
  });
}

export function normalizeAssistant(L: LineBuilder): void {
  const rec = L.rec;
  const msg = obj(rec.message);
  const model = idStr(msg?.model) ?? '';
  const synthetic = model === SYNTHETIC_MODEL;
  const content = msg?.content;

  let text = '';
  let hasText = false;
  let thinking = 0;
  let fallbackFrom: string | null = null;
  const toolUses: Json[] = [];
  if (typeof content === 'string') {
    text = content;
    hasText = true;
  } else if (Array.isArray(content)) {
    for (const b of content) {
      const block = obj(b);
      if (!block) continue;
      if (block.type === 'text' && typeof block.text === 'string') {
        text = hasText ? `${text}\n${block.text}` : block.text;
        hasText = true;
      } else if (block.type === 'thinking' || block.type === 'redacted_thinking') thinking += 1;
      else if (block.type === 'tool_use') toolUses.push(block);
      // `{"type":"fallback","from":{"model":…},"to":{"model":…}}` leads a response retried on another model.
      else if (block.type === 'fallback') fallbackFrom = idStr(obj(block.from)?.model);
    }
  }

  if (
    rec.isApiErrorMessage === true ||
    (synthetic && (text.startsWith('API Error') || text.includes('usage limit reached')))
  ) {
    const limit = parseUsageLimit(text);
    if (limit) {
      L.emit('rate_limit', {
        limitKind: limit.limitKind,
        message: L.shaper.textOf(text),
        resetAt: limit.resetAt,
        resetText: limit.resetText,
      });
      return;
    }
    L.emit('api.error', {
      final: true,
      status: intOrNull(rec.apiErrorStatus) ?? (API_STATUS.test(text) ? Number(API_STATUS.exec(text)![1]) : null),
      errorType: idStr(rec.error) ?? idStr(rec.apiError),
      message: L.shaper.textOf(text),
      retryAttempt: null,
      maxRetries: null,
      retryInMs: null,
    });
    return;
  }

  const usageObj = obj(msg?.usage);
  const usage = readUsage(usageObj);
  const speed = idStr(usageObj?.speed);
  const messageId = idStr(msg?.id);
  const advisor = readAdvisorUsage(usageObj);
  const inferenceGeo = idStr(usageObj?.inference_geo);
  const effort = idStr(rec.effort);
  const cacheMiss = readCacheMiss(msg);
  const supersedes = uuidList(rec.supersedesUuids);
  L.emit('assistant', {
    model,
    messageId,
    requestId: idStr(rec.requestId),
    stopReason: idStr(msg?.stop_reason),
    synthetic,
    usage,
    speed,
    serviceTier: idStr(usageObj?.service_tier),
    inferenceGeo,
    ...(advisor ? { advisor } : {}),
    ...(effort !== null ? { effort } : {}),
    ...(cacheMiss ? { cacheMiss } : {}),
    ...(fallbackFrom !== null ? { fallbackFrom } : {}),
    ...(supersedes.length > 0 ? { supersedesUuids: supersedes } : {}),
    text: hasText ? L.shaper.textOf(text) : null,
    textChars: text.length,
    thinkingBlocks: thinking,
    toolUses: toolUses.length,
  });
  for (const block of toolUses) emitToolCall(L, block, messageId);
}
