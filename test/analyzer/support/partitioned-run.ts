/**
 * Runs of `cctap analyzer --partitioned` replicas (child processes of the built command) against a real
 * nats-server, and the per-session summary one analyzer concludes from the same input, to compare them.
 *
 * The corpus: sessions on many hosts (the partition is chosen by host, so they spread over every partition),
 * each with prompts, responses with tokens, tool calls and results (some errors) and a subagent, cut into
 * batches and published interleaved across sessions, as several collectors would.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { batchMsgId, encodeBatch, SCHEMA_VERSION, topology, type CctapEvent, type Topology } from '@cctap/events';
import type { JetStreamBus } from '@cctap/kit';
import { ManualClock } from '@cctap/kit/internal';
import { AnalyzerEngine, partitionConsumerName, partitionLeaseBucket, resolveConfig } from '@cctap/analyzer/internal';
import { SessionScript } from '../../../services/analyzer/src/testing/event-factory.js';
import { startCctap, type Running } from '../../e2e/support/run-cctap.js';
import { waitFor } from '../../support/wait-for.js';

export interface Totals {
  tokens: Record<string, number>;
  toolCalls: number;
  toolErrors: number;
  assistantMessages: number;
  prompts: number;
  tools: Record<string, number>;
}

interface PublishedBatch {
  host: string;
  data: Uint8Array;
  msgId: string;
  events: CctapEvent[];
}

/** A small deterministic generator (mulberry32), so a failing corpus can be rebuilt from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOOLS = ['Bash', 'Read', 'Edit', 'Grep', 'Write'];

/** Batches of `hosts` x `perHost` sessions, interleaved across sessions. */
export function corpus(seed: number, hosts: number, perHost: number): PublishedBatch[] {
  const r = rng(seed);
  const pick = (n: number) => Math.floor(r() * n);
  // Recent event times: no session reaches its idle or end timeout while a test runs.
  const start = Date.now() - 20 * 60_000;
  const perSession: PublishedBatch[][] = [];
  for (let h = 0; h < hosts; h++)
    for (let j = 0; j < perHost; j++) {
      const host = `dev-${h}`;
      const sessionId = `5e55${String(h).padStart(4, '0')}-${String(j).padStart(4, '0')}-4000-8000-${String(seed).padStart(12, '0')}`;
      const s = new SessionScript({ host, user: `u${h}`, sessionId, startMs: start + pick(60_000), gapMs: 500 });
      const sub = new SessionScript({ host, user: `u${h}`, sessionId, file: `sub-${sessionId}`, startMs: s.now });
      const main: CctapEvent[] = [];
      const side: CctapEvent[] = [];
      for (let turn = 0; turn < 4 + pick(4); turn++) {
        main.push(s.prompt(`task ${turn}`));
        const calls = pick(4);
        main.push(s.assistant({ toolUses: calls, input: 5 + pick(50), output: 50 + pick(500), cacheRead: pick(5000) }));
        for (let c = 0; c < calls; c++) {
          const id = `toolu_${h}_${j}_${turn}_${c}`;
          main.push(s.toolCall(id, TOOLS[pick(TOOLS.length)]));
          main.push(s.toolResult(id, { isError: r() < 0.15 }));
        }
        if (turn === 1) {
          const agentId = `a${h}${j}`;
          side.push(sub.assistant({ agentId, toolUses: 1, input: 7, output: 70 + pick(100) }));
          side.push(sub.toolCall(`toolu_sub_${h}_${j}`, 'Read', { agentId }));
          side.push(sub.toolResult(`toolu_sub_${h}_${j}`, { agentId }));
        }
      }
      const batches: PublishedBatch[] = [];
      for (const [file, evs] of [
        [`f-${sessionId}`, main],
        [`sub-${sessionId}`, side],
      ] as const)
        for (let i = 0; i < evs.length;) {
          const part = evs.slice(i, i + 3 + pick(6));
          const batch = {
            v: SCHEMA_VERSION,
            host,
            source: { path: `/home/u/.claude/projects/x/${file}.jsonl`, fileId: file, from: i, to: i + part.length },
            events: part,
          };
          batches.push({
            host,
            data: encodeBatch(batch),
            msgId: batchMsgId(host, file, i, i + part.length),
            events: part,
          });
          i += part.length;
        }
      perSession.push(batches);
    }
  const out: PublishedBatch[] = [];
  while (perSession.some((b) => b.length > 0)) {
    const live = perSession.filter((b) => b.length > 0);
    out.push(live[pick(live.length)]!.shift()!);
  }
  return out;
}

function totalsOf(payload: {
  totals: {
    tokens: Record<string, number>;
    toolCalls: number;
    toolErrors: number;
    assistantMessages: number;
    prompts: number;
  };
  tools: { tool: string; calls: number }[];
}): Totals {
  const t = payload.totals;
  return {
    tokens: { ...t.tokens },
    toolCalls: t.toolCalls,
    toolErrors: t.toolErrors,
    assistantMessages: t.assistantMessages,
    prompts: t.prompts,
    tools: Object.fromEntries(payload.tools.map((x) => [x.tool, x.calls])),
  };
}

/** What one analyzer concludes: every batch applied in publish order, then the summary of each session. */
export function oneAnalyzer(batches: readonly PublishedBatch[]): Map<string, Totals> {
  const engine = new AnalyzerEngine(resolveConfig(), new ManualClock(Date.now()));
  batches.forEach((b, i) => engine.ingest(b.events, i + 1));
  const out = new Map<string, Totals>();
  for (const d of engine.summarizeChanged())
    if (d.kind === 'session.summary') out.set(`${d.host}/${d.sessionId}`, totalsOf(d.payload as never));
  return out;
}

export async function publish(bus: JetStreamBus, t: Topology, batches: readonly PublishedBatch[]): Promise<void> {
  for (let i = 0; i < batches.length; i += 32)
    await Promise.all(
      batches.slice(i, i + 32).map((b) => bus.publish(t.subjects.events(b.host), b.data, { msgId: b.msgId })),
    );
}

/** The latest summary of each session on the derived stream (stream order: the newest conclusion wins). */
export async function storedSummaries(bus: JetStreamBus): Promise<Map<string, Totals>> {
  const dec = new TextDecoder();
  const out = new Map<string, Totals>();
  for (let from = 1; ;) {
    const msgs = await bus.read('derived', { fromSeq: from, max: 1000 });
    if (msgs.length === 0) return out;
    for (const m of msgs) {
      const d = JSON.parse(dec.decode(m.data)) as { kind: string; host: string; sessionId: string; payload: never };
      if (d.kind === 'session.summary') out.set(`${d.host}/${d.sessionId}`, totalsOf(d.payload));
    }
    from = msgs.at(-1)!.seq + 1;
  }
}

/** One `cctap analyzer --partitioned` replica of topology `prefix`. */
export function startReplica(natsUrl: string, prefix: string, leaseMs: number): Running {
  return startCctap([
    'analyzer',
    '--partitioned',
    '--lease-ms',
    String(leaseMs),
    '--nats',
    natsUrl,
    '--prefix',
    prefix,
    '--metrics-port',
    '0',
    '--log-format',
    'json',
  ]);
}

/**
 * Waits until every partition consumer exists and has nothing pending or unacknowledged, and every
 * partition's lease is held: all input is applied and its state saved (a batch is saved before its ack).
 */
async function waitAllApplied(nc: NatsConnection, prefix: string, timeoutMs: number, context: () => string) {
  const t = topology(prefix);
  const jsm = await jetstreamManager(nc);
  const leases = await waitFor('the lease bucket', () => new Kvm(nc).open(partitionLeaseBucket(t)), timeoutMs);
  return waitFor(
    'every partition consumed and held',
    async () => {
      const holders: string[] = [];
      for (let k = 0; k < t.partitions; k++) {
        const c = await jsm.consumers.info(t.consumerStream('analyzer'), partitionConsumerName(t, k));
        if (c.num_pending + c.num_ack_pending > 0) return false;
        const lease = await leases.get(`p.${k}`);
        if (!lease || lease.operation !== 'PUT') return false;
        holders.push(new TextDecoder().decode(lease.value));
      }
      return holders;
    },
    timeoutMs,
    100,
    context,
  );
}

/** Partition holders once every replica holds its share, ceil(8 / replicas) at most, and all input is applied. */
export async function balanced(
  nc: NatsConnection,
  prefix: string,
  replicas: number,
  context: () => string,
): Promise<string[]> {
  const share = Math.ceil(topology(prefix).partitions / replicas);
  return waitFor(
    `${replicas} replicas each holding at most ${share} partitions`,
    async () => {
      const holders = await waitAllApplied(nc, prefix, 30_000, context);
      const per = new Map<string, number>();
      for (const o of holders) per.set(o, (per.get(o) ?? 0) + 1);
      return per.size === replicas && [...per.values()].every((n) => n <= share) && holders;
    },
    30_000,
    200,
    context,
  );
}
