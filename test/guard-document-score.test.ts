import { describe, expect, it } from 'vitest';
import { correctedMaxWindow, documentProbability, fitLengthCorrection, NO_LENGTH_CORRECTION } from '../scripts/guard/document-score.js';

describe('document-score', () => {
  it('leaves short documents and the disabled correction unchanged', () => {
    expect(correctedMaxWindow(2, 5, { slope: 0.5, pivotUnits: 8 })).toBe(2);
    expect(correctedMaxWindow(2, 500, NO_LENGTH_CORRECTION)).toBe(2);
  });

  it('lowers the best window of long documents by slope · ln(units / pivot)', () => {
    expect(correctedMaxWindow(2, 80, { slope: 0.5, pivotUnits: 8 })).toBeCloseTo(2 - 0.5 * Math.log(10), 10);
  });

  it('equals the scanner formula without a correction', () => {
    const p = documentProbability({ maxWindow: 1.5, whole: -0.5, typical: -1 }, 40, [1.2, 0.3, 0.4, -0.1], NO_LENGTH_CORRECTION);
    expect(p).toBeCloseTo(1 / (1 + Math.exp(-(1.2 * 1.5 + 0.3 * -0.5 + 0.4 * -1 - 0.1))), 12);
  });

  it('fits a non-negative slope from clean documents', () => {
    const clean = [1, 2, 4, 8, 16, 32, 64].map((units) => ({ units, maxWindow: -2 + 0.4 * Math.log(Math.max(units, 4) / 4) }));
    expect(fitLengthCorrection(clean, 4).slope).toBeCloseTo(0.4, 6);
    const falling = clean.map((d) => ({ ...d, maxWindow: -d.maxWindow }));
    expect(fitLengthCorrection(falling, 4).slope).toBe(0);
    expect(fitLengthCorrection([], 4).slope).toBe(0);
  });
});
