/**
 * The span matcher is Warden's own `scoreSpans`, so the harness and Warden's PII tests agree on what
 * a hit is. Scope and type families are applied here, before it sees the spans: every type
 * is renamed to its family, and anything outside the scope (a peer's gamer tag, the dataset's
 * ORGANIZATION) is dropped on both sides.
 */
import { scoreSpans } from '../../src/guard/pii/span-score.js';
import type { SpanScorer } from './pii-eval.js';
import { entityFamily, type Span } from './spans.js';

function inScope(spans: readonly Span[], scope: ReadonlySet<string>): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const type = entityFamily(s.type);
    if (scope.has(type)) out.push({ type, start: s.start, end: s.end });
  }
  return out;
}

export const wardenSpanScorer: SpanScorer = (gold, pred, scope) => {
  const { tp, fp, fn, matchedPredicted } = scoreSpans(inScope(gold, scope), inScope(pred, scope));
  return { tp, fp, fn, matchedPredicted };
};

export const SPAN_SCORER_NAME =
  "Warden's scoreSpans (src/guard/pii/span-score.ts), lenient overlap: a gold entity is found when a same-family finding overlaps it; a finding is wrong when it overlaps no gold entity of its family; precision = matched findings / findings";
