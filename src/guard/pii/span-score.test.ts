import { describe, expect, it } from 'vitest';
import { addScores, emptyScore, metrics, scoreSpans, scoreSpansExact } from './span-score.js';

describe('scoreSpans', () => {
  it('counts an overlapping prediction of the same type as a hit', () => {
    const s = scoreSpans([{ type: 'PERSON', start: 0, end: 10 }], [{ type: 'PERSON', start: 5, end: 12 }]);
    expect([s.tp, s.fp, s.fn, s.matchedPredicted]).toEqual([1, 0, 0, 1]);
  });

  it('counts a type mismatch as a false positive and a miss', () => {
    const s = scoreSpans([{ type: 'PERSON', start: 0, end: 10 }], [{ type: 'LOCATION', start: 0, end: 10 }]);
    expect([s.tp, s.fp, s.fn]).toEqual([0, 1, 1]);
    expect(s.perType['LOCATION']?.fp).toBe(1);
    expect(s.perType['PERSON']?.fn).toBe(1);
  });

  it('maps types and drops out-of-scope ones on both sides', () => {
    const s = scoreSpans(
      [{ type: 'GPE', start: 0, end: 5 }, { type: 'ORGANIZATION', start: 6, end: 9 }],
      [{ type: 'STREET_ADDRESS', start: 0, end: 9 }, { type: 'ORGANIZATION', start: 20, end: 25 }],
      { GPE: 'LOCATION', STREET_ADDRESS: 'LOCATION', ORGANIZATION: null },
    );
    expect([s.tp, s.fp, s.fn]).toEqual([1, 0, 0]);
  });

  it('lets one long prediction find several split gold spans', () => {
    const gold = [{ type: 'LOC', start: 0, end: 4 }, { type: 'LOC', start: 5, end: 9 }];
    const s = scoreSpans(gold, [{ type: 'LOC', start: 0, end: 9 }]);
    expect([s.tp, s.fp, s.fn, s.matchedPredicted]).toEqual([2, 0, 0, 1]);
    expect(metrics(s)).toEqual({ precision: 1, recall: 1, f1: 1 });
  });

  it('exact rule needs identical boundaries and matches one-to-one', () => {
    const gold = [{ type: 'A', start: 0, end: 4 }];
    expect(scoreSpansExact(gold, [{ type: 'A', start: 0, end: 5 }])).toMatchObject({ tp: 0, fp: 1, fn: 1 });
    expect(scoreSpansExact(gold, [{ type: 'A', start: 0, end: 4 }, { type: 'A', start: 0, end: 4 }])).toMatchObject({ tp: 1, fp: 1, fn: 0 });
  });

  it('sums document scores per type', () => {
    const a = scoreSpans([{ type: 'A', start: 0, end: 1 }], []);
    const b = scoreSpans([], [{ type: 'A', start: 0, end: 1 }]);
    const total = addScores(addScores(emptyScore(), a), b);
    expect(total.perType['A']).toEqual({ tp: 0, fp: 1, fn: 1, matchedPredicted: 0 });
    expect(metrics(total).f1).toBe(0);
  });
});
