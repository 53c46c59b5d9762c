import type { PiiEntity } from '../../types.js';
import { hasContextBefore } from '../context.js';
import type { Recognizer } from '../recognizer.js';

// Passport and licence numbers are short alphanumerics that look like any other id, so these
// patterns only count when a context word sits close before them (score below threshold otherwise).
const PASSPORT = /(?<![\w-])[A-Za-z]{0,2}\d{6,9}(?![\w-])/g;
const PASSPORT_CONTEXT = /\b(?:passport|passport no|passport number|passport#)\b/;
const LICENSE = /(?<![\w-])(?:[A-Za-z]\d{3,14}|\d{7,9}|\d{3,4}-\d{2,3}-\d{4}|[A-Za-z]{2}\d{6}[A-Za-z]?)(?![\w-])/g;
// Every context word contains one of these, in ASCII (a lower-cased non-ASCII letter is never one
// of their letters, except İ → "i̇", whose combining dot breaks the word), so a match counts only
// within the context window after one of them.
const PASSPORT_ANYWHERE = /passport/gi;
const LICENSE_ANYWHERE = /dl|driv|licen[cs]e/gi;
const CONTEXT_WINDOW = 40;
const LICENSE_CONTEXT = /\b(?:driver'?s?|drivers|driving|licen[cs]e|dl|dl#|dln)\b/;

export const idDocumentRecognizer: Recognizer = {
  name: 'id_document',
  types: ['PASSPORT_NUMBER', 'US_DRIVER_LICENSE'],
  scan(text, out: PiiEntity[]) {
    // Both patterns need a context word, so text without one anywhere is skipped outright.
    for (const m of matchesAfterCues(text, PASSPORT_ANYWHERE, PASSPORT)) {
      if (!hasContextBefore(text, m.index, PASSPORT_CONTEXT, CONTEXT_WINDOW)) continue;
      out.push({ type: 'PASSPORT_NUMBER', start: m.index, end: m.index + m[0].length, score: 0.75, recognizer: 'passport.context' });
    }
    for (const m of matchesAfterCues(text, LICENSE_ANYWHERE, LICENSE)) {
      if (!hasContextBefore(text, m.index, LICENSE_CONTEXT, CONTEXT_WINDOW)) continue;
      out.push({ type: 'US_DRIVER_LICENSE', start: m.index, end: m.index + m[0].length, score: 0.7, recognizer: 'us_driver_license.context' });
    }
  },
};

/**
 * The matches of `re` that start where a `cue` occurrence lies wholly inside the context window
 * before them, in text order. Both patterns match whole [\w-] tokens only (lookarounds on both
 * sides), so starting a search mid-text never yields a match the full scan would not.
 */
function matchesAfterCues(text: string, cue: RegExp, re: RegExp): RegExpExecArray[] {
  const found: RegExpExecArray[] = [];
  // Starts below `next` have been searched already.
  let next = 0;
  cue.lastIndex = 0;
  for (let c = cue.exec(text); c !== null; c = cue.exec(text)) {
    // Overlapping occurrences each open their own window.
    cue.lastIndex = c.index + 1;
    const from = Math.max(next, c.index + c[0].length);
    const to = c.index + CONTEXT_WINDOW;
    if (from > to) continue;
    re.lastIndex = from;
    for (let m = re.exec(text); m !== null && m.index <= to; m = re.exec(text)) found.push(m);
    next = to + 1;
  }
  return found;
}
