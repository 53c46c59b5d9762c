/**
 * Presidio-style context: a recognizer has a base score, and words close before the match
 * raise (or, for negative words, lower) it. Presidio counts N tokens; we look at a window of
 * characters instead, which is about the same for N≈5–8 and needs no tokenizer on the hot path.
 */

/** How far back context words are looked for, in UTF-16 code units. */
export const CONTEXT_WINDOW = 48;

/** Added to a base score when a context word is found (Presidio's default factor). */
export const CONTEXT_BOOST = 0.35;

/** Lower-cased text in the window before `start`. */
export function textBefore(text: string, start: number, window: number = CONTEXT_WINDOW): string {
  return text.slice(Math.max(0, start - window), start).toLowerCase();
}

/** Whether `words` (a regex over lower-cased text) matches in the window before `start`. */
export function hasContextBefore(text: string, start: number, words: RegExp, window: number = CONTEXT_WINDOW): boolean {
  return words.test(textBefore(text, start, window));
}

/** Clamps a score into 0–1 after boosts and penalties. */
export function clampScore(score: number): number {
  return Math.min(1, Math.max(0, Math.round(score * 100) / 100));
}
