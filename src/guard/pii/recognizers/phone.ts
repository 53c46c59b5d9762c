import type { PiiEntity } from '../../types.js';
import { CONTEXT_BOOST, clampScore, hasContextBefore } from '../context.js';
import type { Recognizer } from '../recognizer.js';
import { allMatches } from '../matches.js';

// [+cc] [(area)] group (sep group){0,5} [ext]. Separators are single characters and groups
// bounded, so each start position costs a constant; the look-behind pins starts to run starts.
const PHONE =
  /(?<![\w+./-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,6}(?:[ .-]\d{1,6}){0,5}(?:[ ]?(?:x|ext\.?|#)[ .]?\d{1,5})?(?![\w/-]|\.\d)/g;
const CONTEXT = /\b(?:phone|tel|telephone|mobile|cell|fax|call|desk|contact|whatsapp|dial|text me|ph|number|reach)\b/;
const US_SHAPE = /^(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}/;
const DATE_SHAPE = /^\d{4}[-.]\d{1,2}[-.]\d{1,2}$|^\d{1,2}[-.]\d{1,2}[-.]\d{4}$/;
const IPV4_SHAPE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const SSN_SHAPE = /^\d{3}-\d{2}-\d{4}$/;

export const phoneRecognizer: Recognizer = {
  name: 'phone',
  types: ['PHONE_NUMBER'],
  scan(text, out: PiiEntity[]) {
    for (const m of allMatches(PHONE, text)) {
      const value = m[0];
      const main = value.replace(/\s?(?:x|ext\.?|#)[ .]?\d{1,5}$/, '');
      const digits = main.replace(/\D/g, '');
      if (digits.length < 7 || digits.length > 15) continue;
      if (DATE_SHAPE.test(main) || IPV4_SHAPE.test(main) || SSN_SHAPE.test(main)) continue;
      const groups = main.replace(/^\+\d{1,3}/, '').split(/[ .\-()]+/).filter((g) => g.length > 0);
      // "1 2 3 4 5 6 7" and similar runs of single digits are lists, not numbers to dial.
      if (groups.slice(1).some((g) => g.length < 2)) continue;
      // An unseparated digit run is an id unless it carries a '+' country code.
      if (groups.length === 1 && !main.startsWith('+')) continue;
      let score = main.startsWith('+') || main.startsWith('(') || US_SHAPE.test(main) ? 0.6 : 0.5;
      if (hasContextBefore(text, m.index, CONTEXT)) score += CONTEXT_BOOST;
      out.push({ type: 'PHONE_NUMBER', start: m.index, end: m.index + value.length, score: clampScore(score), recognizer: 'phone' });
    }
  },
};
