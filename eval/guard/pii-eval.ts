/**
 * PII evaluation on presidio-synth, entity level. Two scopes per tool:
 *  - `warden scope`: the entity families Warden claims, the same for every tool (a peer that does not
 *    claim a family is charged the misses — this is "what would I get if I swapped Warden for it");
 *  - `own scope`: only the families that tool claims (and the set contains), so peers are not
 *    punished for types they never offered.
 * Findings of families outside the scope are ignored on both sides. FPR is text-level: the share of
 * the entity-free texts on which the tool reported anything in Warden's scope.
 */
import { utf8Bytes, type PiiRow } from './data.js';
import { mbPerSecond, ratio } from './metrics.js';
import type { PiiTool } from './peers/pii.js';
import { entityFamily, type Span, type SpanCounts } from './spans.js';

export type SpanScorer = (gold: readonly Span[], pred: readonly Span[], scope: ReadonlySet<string>) => SpanCounts;

export interface PiiScopeScore {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  types: string[];
}

export interface PiiCell {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  fpr: number | null;
  mb_per_s: number | null;
  own_scope: PiiScopeScore;
  /** Recall and precision per family in Warden's scope. */
  by_type: Record<string, { gold: number; tp: number; fp: number; recall: number | null; precision: number | null }>;
  span_source: 'native' | 'redaction-diff';
  unaligned_texts: number;
}

export interface PiiRun {
  preds: Span[][];
  cpuMicros: number;
  bytes: number;
}

/** One untimed call, so model loading and WebAssembly instantiation are not billed to the timed run. */
export async function warmUpPii(tool: PiiTool): Promise<void> {
  await tool.scan('Warm-up: call John Smith at 212-555-0100 or john@example.com.');
  tool.unaligned = 0;
}

export async function runPii(tool: PiiTool, rows: readonly PiiRow[]): Promise<PiiRun> {
  const preds: Span[][] = [];
  const before = process.cpuUsage();
  for (const row of rows) {
    const r = tool.scan(row.text);
    preds.push(Array.isArray(r) ? r : await r);
  }
  const d = process.cpuUsage(before);
  return { preds, cpuMicros: d.user + d.system, bytes: utf8Bytes(rows.map((r) => r.text)) };
}

/** Families present in the gold data, so a scope never contains a type nobody can be scored on. */
export function goldFamilies(rows: readonly PiiRow[]): Set<string> {
  return new Set(rows.flatMap((r) => r.entities.map((e) => entityFamily(e.type))));
}

function sumCounts(rows: readonly PiiRow[], preds: readonly Span[][], scope: ReadonlySet<string>, score: SpanScorer): SpanCounts {
  const total: SpanCounts = { tp: 0, fp: 0, fn: 0, matchedPredicted: 0 };
  rows.forEach((row, i) => {
    const c = score(row.entities, preds[i]!, scope);
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
    total.matchedPredicted += c.matchedPredicted;
  });
  return total;
}

/** Precision on the prediction side (a long prediction covering two gold pieces is one correct prediction). */
export function spanRates(c: SpanCounts): { precision: number | null; recall: number | null; f1: number | null } {
  const precision = ratio(c.matchedPredicted, c.matchedPredicted + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  const f1 = precision === null || recall === null ? (recall === 0 ? 0 : null) : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

function scopeScore(rows: readonly PiiRow[], preds: readonly Span[][], scope: ReadonlySet<string>, score: SpanScorer): PiiScopeScore {
  const c = sumCounts(rows, preds, scope, score);
  return { ...spanRates(c), types: [...scope].sort() };
}

export function piiCell(rows: readonly PiiRow[], run: PiiRun, tool: PiiTool, wardenScope: ReadonlySet<string>, score: SpanScorer): PiiCell {
  const present = goldFamilies(rows);
  const main = scopeScore(rows, run.preds, wardenScope, score);
  const own = scopeScore(rows, run.preds, new Set([...tool.supports].filter((t) => present.has(t))), score);
  let empty = 0;
  let flaggedEmpty = 0;
  rows.forEach((row, i) => {
    if (row.entities.length > 0) return;
    empty++;
    if (run.preds[i]!.some((p) => wardenScope.has(entityFamily(p.type)))) flaggedEmpty++;
  });
  const by_type: PiiCell['by_type'] = {};
  for (const fam of [...wardenScope].sort()) {
    const c = sumCounts(rows, run.preds, new Set([fam]), score);
    const r = spanRates(c);
    by_type[fam] = { gold: c.tp + c.fn, tp: c.tp, fp: c.fp, recall: r.recall, precision: r.precision };
  }
  return {
    precision: main.precision,
    recall: main.recall,
    f1: main.f1,
    fpr: ratio(flaggedEmpty, empty),
    mb_per_s: mbPerSecond(run.bytes, run.cpuMicros),
    own_scope: own,
    by_type,
    span_source: tool.spans,
    unaligned_texts: tool.unaligned,
  };
}
