/**
 * Length correction for the indirect (document) score. A document of U line/sentence units has
 * about 3·U windows, and the scanner keeps the highest window margin: even on clean text that
 * maximum grows with the number of windows (a multiple-comparison effect), so one fixed threshold
 * flags long clean documents far more often than short ones. The correction subtracts
 * `slope · ln(U / pivotUnits)` from the best window's margin for documents longer than
 * `pivotUnits`, with `slope` fitted on clean training documents of all genres and lengths.
 *
 * Pure functions: the scanner passes in what it already has (the document margins of model.ts,
 * the number of units of segments.ts and the calibration of the trained model).
 */

/** How much a document's best-window margin is lowered per e-fold of length beyond `pivotUnits`. */
export interface LengthCorrection {
  /** Margin units per natural-log unit of (units / pivotUnits); 0 disables the correction. */
  slope: number;
  /** Documents with at most this many units are not corrected. */
  pivotUnits: number;
}

export const NO_LENGTH_CORRECTION: LengthCorrection = { slope: 0, pivotUnits: 1 };

/** The best window's margin with the expected rise from the number of windows taken out. */
export function correctedMaxWindow(maxWindow: number, unitCount: number, correction: LengthCorrection): number {
  const { slope, pivotUnits } = correction;
  if (!(slope > 0) || !(unitCount > pivotUnits) || !(pivotUnits > 0)) return maxWindow;
  return maxWindow - slope * Math.log(unitCount / pivotUnits);
}

/**
 * The indirect model's probability for one reading of a document: σ(a·corrected max window +
 * c·whole + d·typical + b), the scanner's formula with the best window's margin length-corrected. With
 * {@link NO_LENGTH_CORRECTION} it equals the scanner's current score.
 */
export function documentProbability(
  margins: { maxWindow: number; whole: number; typical: number },
  unitCount: number,
  calibration: readonly [a: number, c: number, d: number, b: number],
  correction: LengthCorrection,
): number {
  const [a, c, d, b] = calibration;
  const z = a * correctedMaxWindow(margins.maxWindow, unitCount, correction) + c * margins.whole + d * margins.typical + b;
  return 1 / (1 + Math.exp(-z));
}

/**
 * Least-squares slope of the best-window margin on ln(units / pivot) over clean documents longer
 * than the pivot (a line through the pivot's mean margin), clipped at 0: the correction may only
 * lower long documents' scores, never raise them.
 */
export function fitLengthCorrection(clean: ReadonlyArray<{ maxWindow: number; units: number }>, pivotUnits: number): LengthCorrection {
  const short = clean.filter((d) => d.units <= pivotUnits);
  const long = clean.filter((d) => d.units > pivotUnits);
  if (short.length === 0 || long.length === 0) return { slope: 0, pivotUnits };
  const base = short.reduce((s, d) => s + d.maxWindow, 0) / short.length;
  let num = 0;
  let den = 0;
  for (const d of long) {
    const x = Math.log(d.units / pivotUnits);
    num += x * (d.maxWindow - base);
    den += x * x;
  }
  return { slope: den > 0 ? Math.max(0, num / den) : 0, pivotUnits };
}
