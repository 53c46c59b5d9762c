/**
 * The statistics of one anomaly series: a seasonal, robust baseline of the expected count per
 * minute, rolling window sums, a per-window dispersion and the score of the latest closed minute.
 * Plain numbers and arrays only, so a series serialises to JSON and back exactly (a restored
 * detector scores bit for bit like the original).
 */

/** Window lengths in minutes: 1 catches bursts at once, 5–60 catch smaller, sustained rises. */
export const WINDOWS = [1, 5, 15, 60] as const;
/**
 * Added to a window's score before windows are compared. A W-minute window makes about 1/W
 * independent tests per minute, so for the same false-alarm budget its tail probability may be W
 * times larger: at the 1-minute threshold 5.5 (p ≈ 1.9e-8) that is z ≈ 5.21, 5.00 and 4.73 for
 * 5, 15 and 60 minutes. Sustained rises then open sooner, at no cost in alarms.
 */
export const WINDOW_BONUS = [0, 0.29, 0.5, 0.77] as const;
const RING = 60;
const HOURS_PER_WEEK = 168;

/** Updates a slot needs before it is trusted: two hours of it, i.e. 2 days (hour of day) or 2 weeks (hour of week). */
const SLOT_READY = 120;
/** EWMA memories, in updates: ~1 h for the warm-up level, ~1 week of one hour of day, ~4 weeks of one hour of week. */
const FAST_MEMORY = 60;
const HOD_MEMORY = 60 * 7;
const HOW_MEMORY = 60 * 4;
const LONG_MEMORY = 60 * 24 * 7;
const DISPERSION_MEMORY = 60 * 24;

export interface SeriesState {
  /** Minutes closed since the series started (drives warm-up and bias-corrected EWMAs). */
  minutes: number;
  fast: number;
  long: number;
  hod: number[];
  hodN: number[];
  how: number[];
  howN: number[];
  /** Last 60 observed values and their expectations, a ring indexed by minutes % 60. */
  values: number[];
  expected: number[];
  sums: number[];
  expSums: number[];
  /** Dispersion (variance / mean) per window; quasi-Poisson scaling, floored at 1 when used. */
  dispersion: number[];
  dispersionN: number;
  /** For byte and token series: the running size of one event, so values are counted in events. */
  unit: number;
  unitN: number;
  /** Mean square of one event's size, in units²: a compound count's variance is λ·E[s²]. */
  unitSq: number;
}

export function newSeries(): SeriesState {
  return {
    minutes: 0,
    fast: 0,
    long: 0,
    hod: new Array<number>(24).fill(0),
    hodN: new Array<number>(24).fill(0),
    how: new Array<number>(HOURS_PER_WEEK).fill(0),
    howN: new Array<number>(HOURS_PER_WEEK).fill(0),
    values: new Array<number>(RING).fill(0),
    expected: new Array<number>(RING).fill(0),
    sums: WINDOWS.map(() => 0),
    expSums: WINDOWS.map(() => 0),
    dispersion: WINDOWS.map(() => 1),
    dispersionN: 0,
    unit: 0,
    unitN: 0,
    unitSq: 1,
  };
}

/** Bias-corrected EWMA step: a running mean for the first `memory` updates, then exponential. */
const ewma = (old: number, x: number, n: number, memory: number) => old + (x - old) / Math.min(n, memory);

/** Hour of week (0 = Monday 00:00 UTC) and hour of day for an absolute minute index. */
function slots(minute: number): { how: number; hod: number; frac: number } {
  const hourIndex = Math.floor(minute / 60);
  // 1970-01-01 was a Thursday: shift so Monday is 0.
  const how = (((hourIndex + 72) % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK;
  // Position of the minute relative to the centre of its hour, in hours (−0.5 … 0.5).
  const frac = (minute - hourIndex * 60 + 0.5) / 60 - 0.5;
  return { how, hod: how % 24, frac };
}

/**
 * A seasonal level linearly interpolated between the centres of adjacent hours: hourly means are
 * piecewise constant, and a morning ramp inside one hour would otherwise look like a rise.
 */
function interpolate(level: number[], count: number[], slot: number, frac: number, size: number): number {
  const here = level[slot]!;
  const neighbour = (slot + (frac < 0 ? size - 1 : 1)) % size;
  if (count[neighbour]! < SLOT_READY) return here;
  const w = Math.abs(frac);
  return (1 - w) * here + w * level[neighbour]!;
}

/**
 * The expected value for a minute: hour of week once that slot has two weeks of history, else hour
 * of day once it has two days, else the last hour's level (warm-up). Floored so a slot that has
 * always been silent still gives a finite score to its first event.
 */
export function expectedAt(s: SeriesState, minute: number, floor: number): number {
  const { how, hod, frac } = slots(minute);
  let level: number;
  if (s.howN[how]! >= SLOT_READY) level = interpolate(s.how, s.howN, how, frac, HOURS_PER_WEEK);
  else if (s.hodN[hod]! >= SLOT_READY) level = interpolate(s.hod, s.hodN, hod, frac, 24);
  else level = s.fast;
  return Math.max(level, floor, 0.02 * s.long);
}

/**
 * Signed deviance residual of a quasi-Poisson count: sqrt(2·(s·ln(s/λ) − s + λ)) with s and λ
 * divided by the dispersion. It tracks the exact Poisson tail closely even at tiny λ (where
 * (s − λ)/√λ wildly overstates), costs one log and one sqrt, and is finite for s ≥ 0, λ > 0.
 */
export function devianceScore(observed: number, expected: number, dispersion: number): number {
  const phi = Math.max(dispersion, 1);
  const s = observed / phi;
  const lam = expected / phi;
  const d = s > 0 ? s * Math.log(s / lam) - s + lam : lam;
  const z = Math.sqrt(Math.max(0, 2 * d));
  return s >= lam ? z : -z;
}

export interface Closed {
  /** Highest window score this minute, and the window it came from. */
  score: number;
  window: number;
  observed: number;
  expected: number;
}

/**
 * Closes one minute: scores the windows against the baseline as it stood before this minute, then
 * updates the baseline with the value clipped to a few standard deviations above expectation
 * (Huber-style), so an anomaly barely moves the baseline it is measured against while a lasting
 * change of level is still learnt, slowly.
 */
export function closeMinute(s: SeriesState, minute: number, value: number, floor: number, scoreFrom: number): Closed {
  const exp = expectedAt(s, minute, floor);
  const slot = s.minutes % RING;
  const oldValue = s.values[slot]!;
  const oldExp = s.expected[slot]!;
  s.values[slot] = value;
  s.expected[slot] = exp;
  s.minutes++;
  let best: Closed = { score: -Infinity, window: 1, observed: value, expected: exp };
  for (let i = 0; i < WINDOWS.length; i++) {
    const w = WINDOWS[i]!;
    // Rolling sums: add this minute, drop the one that left the window.
    const leaving = w === RING ? oldValue : s.values[(s.minutes - 1 - w + RING * 2) % RING]!;
    const leavingExp = w === RING ? oldExp : s.expected[(s.minutes - 1 - w + RING * 2) % RING]!;
    const full = s.minutes > w;
    let sum = s.sums[i]! + value - (full ? leaving : 0);
    let expSum = s.expSums[i]! + exp - (full ? leavingExp : 0);
    // Float rounding in a running sum drifts; resynchronise once a day.
    if (s.minutes % 1440 === 0) {
      sum = 0;
      expSum = 0;
      for (let k = 0; k < Math.min(w, s.minutes); k++) {
        sum += s.values[(s.minutes - 1 - k + RING) % RING]!;
        expSum += s.expected[(s.minutes - 1 - k + RING) % RING]!;
      }
    }
    s.sums[i] = Math.max(0, sum);
    s.expSums[i] = Math.max(0, expSum);
    if (s.minutes < w) continue;
    // A sum of event sizes (bytes, tokens) varies at least by E[s²]/E[s] per unit of mean, however sparse.
    const phi = Math.max(s.dispersion[i]!, s.unitSq);
    if (s.minutes > scoreFrom) {
      const score = devianceScore(s.sums[i]!, s.expSums[i]!, phi) + WINDOW_BONUS[i]!;
      if (score > best.score) best = { score, window: w, observed: s.sums[i]!, expected: s.expSums[i]! };
    }
    // Dispersion from the Pearson residual, clipped at 5σ so an anomaly does not widen the scale.
    const e = Math.max(s.expSums[i]!, 0.1);
    const r2 = Math.min(((s.sums[i]! - s.expSums[i]!) ** 2) / e, 25 * Math.max(phi, 1));
    s.dispersion[i] = ewma(s.dispersion[i]!, r2, s.dispersionN + 1, DISPERSION_MEMORY);
  }
  s.dispersionN++;
  if (best.score === -Infinity) best = { score: 0, window: 1, observed: value, expected: exp };

  const sigma = Math.sqrt(Math.max(s.dispersion[0]!, s.unitSq, 1) * Math.max(exp, 1));
  const clipped = Math.min(value, exp + 2 * sigma);
  const learn = s.minutes <= FAST_MEMORY ? value : clipped;
  s.fast = ewma(s.fast, learn, s.minutes, FAST_MEMORY);
  s.long = ewma(s.long, learn, s.minutes, LONG_MEMORY);
  const { how, hod } = slots(minute);
  s.hodN[hod]!++;
  s.hod[hod] = ewma(s.hod[hod]!, learn, s.hodN[hod]!, HOD_MEMORY);
  s.howN[how]!++;
  s.how[how] = ewma(s.how[how]!, learn, s.howN[how]!, HOW_MEMORY);
  return best;
}

/** Learns the size of one event (bytes, tokens) so that those series count in events; clipped so a bulk retrieval does not redefine normal. */
export function learnUnit(s: SeriesState, amount: number, events: number): void {
  // At least one byte or token per event: a unit near zero would turn every later amount into infinity.
  const per = Math.max(amount / events, 1);
  const x = s.unitN < 20 ? per : Math.min(per, 4 * s.unit);
  s.unitN += events;
  s.unit = ewma(s.unit, x, s.unitN, 2000);
  // E[s²]/E[s]² in units, from sizes clipped at 10 units: heavy-tailed sizes must not look like a burst.
  const u = Math.min(per / s.unit, 10);
  s.unitSq = s.unitN <= events ? Math.max(1, u * u) : ewma(s.unitSq, u * u, s.unitN, 2000);
}

/**
 * Scores the open minute as if it closed now with `value` so far, without changing anything: a
 * burst opens its alert on the event that makes it one, not at the end of its minute. Counts only
 * grow within a minute, so an early score never exceeds the score at close (no extra alarms).
 */
export function peekMinute(s: SeriesState, minute: number, value: number, floor: number, scoreFrom: number): Closed | undefined {
  if (s.minutes + 1 <= scoreFrom) return undefined;
  const exp = expectedAt(s, minute, floor);
  let best: Closed | undefined;
  for (let i = 0; i < WINDOWS.length; i++) {
    const w = WINDOWS[i]!;
    if (s.minutes + 1 < w) continue;
    const drop = s.minutes >= w ? (s.minutes - w) % RING : -1;
    const sum = s.sums[i]! - (drop >= 0 ? s.values[drop]! : 0) + value;
    const expSum = s.expSums[i]! - (drop >= 0 ? s.expected[drop]! : 0) + exp;
    const score = devianceScore(Math.max(0, sum), Math.max(expSum, floor), Math.max(s.dispersion[i]!, s.unitSq)) + WINDOW_BONUS[i]!;
    if (best === undefined || score > best.score) best = { score, window: w, observed: sum, expected: expSum };
  }
  return best;
}
