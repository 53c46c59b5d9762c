import type { PiiEntity } from '../types.js';

/**
 * Picks a non-overlapping subset: higher score first, then the longer span, then the earlier one.
 * Returns the kept entities sorted by start. O(n log n): kept spans live in a sorted array and
 * each candidate is checked only against its neighbours there.
 */
export function resolveOverlaps(candidates: readonly PiiEntity[]): PiiEntity[] {
  const ranked = [...candidates].sort(
    (a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const kept: PiiEntity[] = [];
  for (const c of ranked) {
    if (c.end <= c.start) continue;
    const i = lowerBound(kept, c.start);
    const prev = kept[i - 1];
    const next = kept[i];
    if (prev !== undefined && prev.end > c.start) continue;
    if (next !== undefined && next.start < c.end) continue;
    kept.splice(i, 0, c);
  }
  return kept;
}

/** First index whose start is >= `start`. */
function lowerBound(sorted: readonly PiiEntity[], start: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as PiiEntity).start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
