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
const MAX_WINDOW = 1200;

function isSentenceEnd(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c === 0x3002 || c === 0xff01 || c === 0xff1f) return true;
  if (c !== 0x2e && c !== 0x21 && c !== 0x3f) return false;
  const next = text.charCodeAt(i + 1);
  return next === 0x20;
}

/** Lines and sentences of `text`, trimmed of surrounding blanks, empty ones dropped. */
export function units(text: string): Span[] {
  const out: Span[] = [];
  let start = 0;
  const push = (from: number, to: number): void => {
    while (from < to && text.charCodeAt(from) <= 0x20) from++;
    while (to > from && text.charCodeAt(to - 1) <= 0x20) to--;
    if (to <= from) return;
    if (to - from <= MAX_UNIT) {
      out.push([from, to]);
      return;
    }
    for (let s = from; s < to; s += CHUNK_STEP) {
      out.push([s, Math.min(to, s + MAX_UNIT)]);
      if (s + MAX_UNIT >= to) break;
    }
  };
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      push(start, i);
      start = i + 1;
    } else if (isSentenceEnd(text, i)) {
      push(start, i + 1);
      start = i + 1;
    }
  }
  push(start, text.length);
  return out;
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
