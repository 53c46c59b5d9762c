/**
 * Confusion counts and the ratios read off them. A ratio whose denominator is zero is `null`
 * rather than 0 or 1: "no predictions" and "perfect precision" must not print the same.
 */

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface Rates {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  fpr: number | null;
}

export const emptyConfusion = (): Confusion => ({ tp: 0, fp: 0, fn: 0, tn: 0 });

export function ratio(num: number, den: number): number | null {
  return den === 0 ? null : num / den;
}

export function rates(c: Confusion): Rates {
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  // F1 from counts, not from P and R, so it is defined (0) when there are positives but no hits.
  const f1 = ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn);
  const fpr = ratio(c.fp, c.fp + c.tn);
  return { precision, recall, f1, fpr };
}

export function addConfusion(a: Confusion, b: Confusion): Confusion {
  return { tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn, tn: a.tn + b.tn };
}

/** A binary verdict against a label, tallied. */
export function tally(c: Confusion, label: boolean, flagged: boolean): void {
  if (label) {
    if (flagged) c.tp++;
    else c.fn++;
  } else if (flagged) c.fp++;
  else c.tn++;
}

/** Fraction of `flags` that are true, per group key: TPR per positive kind, FPR per negative kind. */
export function rateByGroup(items: ReadonlyArray<{ group: string; flagged: boolean }>): Record<string, { n: number; rate: number }> {
  const acc = new Map<string, { n: number; hits: number }>();
  for (const { group, flagged } of items) {
    const a = acc.get(group) ?? { n: 0, hits: 0 };
    a.n++;
    if (flagged) a.hits++;
    acc.set(group, a);
  }
  const out: Record<string, { n: number; rate: number }> = {};
  for (const [group, a] of [...acc].sort(([x], [y]) => x.localeCompare(y))) out[group] = { n: a.n, rate: a.hits / a.n };
  return out;
}

/** MB/s per core: UTF-8 bytes over CPU seconds (user + system) spent while the tool ran. */
export function mbPerSecond(bytes: number, cpuMicros: number): number | null {
  return cpuMicros <= 0 ? null : bytes / 1e6 / (cpuMicros / 1e6);
}
