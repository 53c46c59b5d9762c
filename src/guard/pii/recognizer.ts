import type { PiiEntity } from '../types.js';

/**
 * One detector. Recognizers append candidates (possibly overlapping, possibly below the
 * reporting threshold) to `out`; the scanner resolves overlaps and applies the threshold once,
 * so each recognizer stays small and knows nothing about the others.
 */
export interface Recognizer {
  readonly name: string;
  /** Entity types this recognizer can emit; lets the scanner skip it when none are wanted. */
  readonly types: readonly string[];
  scan(text: string, out: PiiEntity[]): void;
}
