import { performance } from 'node:perf_hooks';
import type { Action } from '../core/action.js';
import { isPlainObject } from '../core/context.js';
import type { Execution, Executor } from '../core/ports.js';
import type { KnowledgeBases, RetrievedChunk } from './knowledge-bases.js';
import type { Reader } from './store.js';

export const MAX_QUERY_CHARS = 2_000;
export const MAX_TOP_K = 50;
export const DEFAULT_TOP_K = 5;

/** A retrieved chunk as the agent gets it, beside its text item: where it came from, never the text. */
export interface ChunkProvenance {
  id: string;
  document: string;
  source: string;
  score: number;
  sensitivity: string;
  /** `kb:<id>`, `source:<kb>/<file>`, `sensitivity:<level>`: what later policies can follow. */
  labels: string[];
}

/**
 * Executes `kb.retrieve` after the Gate allowed it: the query runs under row-level security as the
 * calling agent, and each chunk becomes its own text item so the output stage can withhold or
 * redact one chunk without losing the others.
 */
export class RetrieveExecutor implements Executor {
  constructor(
    private readonly kbs: KnowledgeBases,
    private readonly readerOf: (agentId: string) => Reader,
  ) {}

  async execute(action: Action): Promise<Execution> {
    const started = performance.now();
    const durationMs = () => Math.round(performance.now() - started);
    const args = isPlainObject(action.context.args) ? action.context.args : {};
    const problem = invalidArgs(args);
    if (problem) return { outcome: 'tool_error', attempts: 1, durationMs: 0, error: problem, result: { isError: true, content: [{ type: 'text', text: problem }] } };
    const query = args.query as string;
    const k = typeof args.top_k === 'number' ? args.top_k : DEFAULT_TOP_K;
    try {
      const chunks = await this.kbs.retrieve(action.resource, this.readerOf(action.agentId), query, k);
      return { outcome: 'success', itemized: true, attempts: 1, durationMs: durationMs(), result: resultOf(action.resource, chunks) };
    } catch (err) {
      // Details (a key that will not unwrap, a database error) go to the operator's log, not the agent.
      return { outcome: 'upstream_error', attempts: 1, durationMs: durationMs(), error: `retrieval from ${action.resource} failed${err instanceof Error && err.name === 'EncryptionContextMismatchError' ? ': a chunk failed its integrity check' : ''}` };
    }
  }
}

function invalidArgs(args: Record<string, unknown>): string | undefined {
  if (typeof args.query !== 'string' || !args.query.trim()) return 'kb.retrieve needs a non-empty string argument "query"';
  if (args.query.length > MAX_QUERY_CHARS) return `the query is longer than ${MAX_QUERY_CHARS} characters`;
  if (args.top_k !== undefined && (typeof args.top_k !== 'number' || !Number.isInteger(args.top_k) || args.top_k < 1 || args.top_k > MAX_TOP_K)) {
    return `top_k must be an integer from 1 to ${MAX_TOP_K}`;
  }
  return undefined;
}

function resultOf(kb: string, chunks: RetrievedChunk[]): { content: { type: 'text'; text: string }[]; structuredContent: { chunks: ChunkProvenance[] } } {
  return {
    content: chunks.map((c) => ({ type: 'text' as const, text: passage(c) })),
    structuredContent: {
      chunks: chunks.map((c) => ({
        id: c.id,
        document: c.documentId,
        source: c.source,
        score: Number(c.score.toFixed(6)),
        sensitivity: c.sensitivity,
        labels: [`kb:${kb}`, `source:${kb}/${c.source}`, `sensitivity:${c.sensitivity}`],
      })),
    },
  };
}

/** The passage as the agent reads it: where it sits (title, heading path), then the text. */
function passage(c: RetrievedChunk): string {
  // A markdown title is usually the first heading too: say it once.
  const title = c.title && !c.heading.startsWith(c.title) ? c.title : undefined;
  return [title, c.heading, c.text].filter(Boolean).join('\n\n');
}
