/**
 * Span-level scoring of PII predictions against gold annotations. Pure, no I/O: the evaluation
 * harness and scripts/guard/measure-pii.ts share it.
 *
 * Overlap rule (lenient): a gold span is found (tp) when some prediction of the same type
 * (after mapping) overlaps it; a prediction is wrong (fp) when it overlaps no gold span of its
 * type. One long prediction may thus find several gold spans (annotators often split an address
 * into street / unit / city), so precision is computed on the prediction side:
 * `matchedPredicted / (matchedPredicted + fp)`, recall as `tp / (tp + fn)`.
 *
 * Exact rule: one-to-one, same type and identical boundaries; precision `tp / (tp + fp)`.
 */

export interface Span {
  type: string;
  start: number;
  end: number;
}

/**
 * Renames types before scoring, on both sides (e.g. GPE → LOCATION). A type mapped to `null`
 * is out of scope: gold and predictions of it are dropped, counted neither way.
 * Types absent from the map are kept as they are.
 */
export type TypeMap = Readonly<Record<string, string | null>>;

export interface SpanCounts {
  /** Gold spans found. */
  tp: number;
  /** Predictions that match no gold span. */
  fp: number;
  /** Gold spans not found. */
  fn: number;
  /** Predictions that match at least one gold span (equals tp under the exact rule). */
  matchedPredicted: number;
}

export interface SpanScore extends SpanCounts {
  perType: Record<string, SpanCounts>;
}

export interface SpanMetrics {
  precision: number;
  recall: number;
  f1: number;
}

export function scoreSpans(gold: readonly Span[], predicted: readonly Span[], typeMap: TypeMap = {}): SpanScore {
  return score(gold, predicted, typeMap, 'overlap');
}

export function scoreSpansExact(gold: readonly Span[], predicted: readonly Span[], typeMap: TypeMap = {}): SpanScore {
  return score(gold, predicted, typeMap, 'exact');
}

/** Adds `b` into `a` (per type too), for summing document scores into a corpus score. */
export function addScores(a: SpanScore, b: SpanScore): SpanScore {
  const perType: Record<string, SpanCounts> = { ...a.perType };
  for (const [type, c] of Object.entries(b.perType)) perType[type] = sum(perType[type] ?? zero(), c);
  return { ...sum(a, b), perType };
}

export function emptyScore(): SpanScore {
  return { ...zero(), perType: {} };
}

export function metrics(c: SpanCounts): SpanMetrics {
  const predictedTotal = c.matchedPredicted + c.fp;
  const precision = predictedTotal === 0 ? 1 : c.matchedPredicted / predictedTotal;
  const recall = c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

function score(gold: readonly Span[], predicted: readonly Span[], typeMap: TypeMap, rule: 'overlap' | 'exact'): SpanScore {
  const g = mapTypes(gold, typeMap);
  const p = mapTypes(predicted, typeMap);
  const perType: Record<string, SpanCounts> = {};
  const bucket = (type: string): SpanCounts => (perType[type] ??= zero());
  const goldFound = new Array<boolean>(g.length).fill(false);
  for (const pred of p) {
    let matched = false;
    for (let i = 0; i < g.length; i++) {
      const gs = g[i] as Span;
      if (gs.type !== pred.type) continue;
      const hit = rule === 'exact' ? gs.start === pred.start && gs.end === pred.end && !goldFound[i] : gs.start < pred.end && pred.start < gs.end;
      if (!hit) continue;
      matched = true;
      goldFound[i] = true;
      if (rule === 'exact') break;
    }
    if (matched) bucket(pred.type).matchedPredicted++;
    else bucket(pred.type).fp++;
  }
  g.forEach((gs, i) => {
    if (goldFound[i]) bucket(gs.type).tp++;
    else bucket(gs.type).fn++;
  });
  const total = Object.values(perType).reduce(sum, zero());
  return { ...total, perType };
}

function mapTypes(spans: readonly Span[], typeMap: TypeMap): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const mapped = Object.hasOwn(typeMap, s.type) ? typeMap[s.type] : s.type;
    if (mapped === null || mapped === undefined) continue;
    out.push({ type: mapped, start: s.start, end: s.end });
  }
  return out;
}

function zero(): SpanCounts {
  return { tp: 0, fp: 0, fn: 0, matchedPredicted: 0 };
}

function sum(a: SpanCounts, b: SpanCounts): SpanCounts {
  return { tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn, matchedPredicted: a.matchedPredicted + b.matchedPredicted };
}
