/**
 * Cuts a document into the units an inserted instruction usually occupies — lines, and sentences
 * within long lines — and into windows of a few consecutive units. Injections in documents sit at
 * a line or sentence boundary, so scoring units finds one without the clean rest diluting it.
 */

/** Half-open character range [start, end). */
export type Span = readonly [number, number];

/** Units longer than this (minified JSON, one-line HTML) are cut into overlapping chunks. */
const MAX_UNIT = 600;
const CHUNK_STEP = 300;
/** Windows join up to this many consecutive units, but never more than MAX_WINDOW characters. */
export const MAX_UNITS_PER_WINDOW = 3;
export const MAX_WINDOW = 1200;

/** Lines and sentences of `text`, trimmed of surrounding blanks, empty ones dropped. */
export function units(text: string): Span[] {
  const { bounds, count } = unitBounds(text);
  const out: Span[] = [];
  for (let u = 0; u < count; u++) out.push([bounds[2 * u] ?? 0, bounds[2 * u + 1] ?? 0]);
  return out;
}

let scratchBounds = new Int32Array(1 << 12);

/**
 * {@link units} without an array per unit: unit u is [bounds[2u], bounds[2u + 1]). `bounds` is
 * scratch space reused by the next call: read it right away, never keep it.
 */
export function unitBounds(text: string): { bounds: Int32Array; count: number } {
  const n = text.length;
  // Every unit holds a non-blank character and ends before a break that is not in the next
  // unit, so there are at most (n + 1) / 2 of them; the chunks of an overlong unit are fewer.
  if (scratchBounds.length < n + 2) scratchBounds = new Int32Array(n + 2);
  const out = scratchBounds;
  let count = 0;
  const push = (from: number, to: number): void => {
    while (from < to && text.charCodeAt(from) <= 0x20) from++;
    while (to > from && text.charCodeAt(to - 1) <= 0x20) to--;
    if (to <= from) return;
    if (to - from <= MAX_UNIT) {
      out[2 * count] = from;
      out[2 * count + 1] = to;
      count++;
      return;
    }
    for (let s = from; s < to; s += CHUNK_STEP) {
      out[2 * count] = s;
      out[2 * count + 1] = Math.min(to, s + MAX_UNIT);
      count++;
      if (s + MAX_UNIT >= to) break;
    }
  };
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      push(start, i);
      start = i + 1;
    } else if ((c === 0x2e || c === 0x21 || c === 0x3f) ? text.charCodeAt(i + 1) === 0x20 : c === 0x3002 || c === 0xff01 || c === 0xff1f) {
      push(start, i + 1);
      start = i + 1;
    }
  }
  push(start, n);
  return { bounds: out, count };
}

/** Windows of 1..MAX_UNITS_PER_WINDOW consecutive units: at most three per unit, so linear. */
export function windows(unitSpans: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < unitSpans.length; i++) {
    const first = unitSpans[i];
    if (first === undefined) continue;
    for (let k = 0; k < MAX_UNITS_PER_WINDOW && i + k < unitSpans.length; k++) {
      const last = unitSpans[i + k];
      if (last === undefined || last[1] - first[0] > MAX_WINDOW) break;
      out.push([first[0], last[1]]);
    }
  }
  return out;
}
