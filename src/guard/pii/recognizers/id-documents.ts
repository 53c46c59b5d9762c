import type { PiiEntity } from '../../types.js';
import { hasContextBefore } from '../context.js';
import type { Recognizer } from '../recognizer.js';

// Passport and licence numbers are short alphanumerics that look like any other id, so these
// patterns only count when a context word sits close before them (score below threshold otherwise).
const PASSPORT = /(?<![\w-])[A-Za-z]{0,2}\d{6,9}(?![\w-])/g;
const PASSPORT_CONTEXT = /\b(?:passport|passport no|passport number|passport#)\b/;
const LICENSE = /(?<![\w-])(?:[A-Za-z]\d{3,14}|\d{7,9}|\d{3,4}-\d{2,3}-\d{4}|[A-Za-z]{2}\d{6}[A-Za-z]?)(?![\w-])/g;
const PASSPORT_ANYWHERE = /passport/i;
const LICENSE_ANYWHERE = /dl|driv|licen[cs]e/i;
const LICENSE_CONTEXT = /\b(?:driver'?s?|drivers|driving|licen[cs]e|dl|dl#|dln)\b/;

export const idDocumentRecognizer: Recognizer = {
  name: 'id_document',
  types: ['PASSPORT_NUMBER', 'US_DRIVER_LICENSE'],
  scan(text, out: PiiEntity[]) {
    // Both patterns need a context word, so text without one anywhere is skipped outright.
    for (const m of PASSPORT_ANYWHERE.test(text) ? text.matchAll(PASSPORT) : []) {
      if (!hasContextBefore(text, m.index, PASSPORT_CONTEXT, 40)) continue;
      out.push({ type: 'PASSPORT_NUMBER', start: m.index, end: m.index + m[0].length, score: 0.75, recognizer: 'passport.context' });
    }
    for (const m of LICENSE_ANYWHERE.test(text) ? text.matchAll(LICENSE) : []) {
      if (!hasContextBefore(text, m.index, LICENSE_CONTEXT, 40)) continue;
      out.push({ type: 'US_DRIVER_LICENSE', start: m.index, end: m.index + m[0].length, score: 0.7, recognizer: 'us_driver_license.context' });
    }
  },
};
