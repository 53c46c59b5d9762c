import type { PiiEntity } from '../../types.js';
import { ibanValid, IBAN_LENGTHS } from '../validators.js';
import type { Recognizer } from '../recognizer.js';

// Country code, check digits, then up to 30 alphanumerics optionally grouped by single spaces.
// The run may swallow a following word ("... 59 and"), so the country's length decides the end.
const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,30}/g;

export const ibanRecognizer: Recognizer = {
  name: 'iban.mod97',
  types: ['IBAN_CODE'],
  scan(text, out: PiiEntity[]) {
    // The run can swallow the next IBAN ("DE89… IBAN DE44…"), so the search resumes right after
    // what was taken (or one character on, when nothing was), not after the whole run.
    const re = new RegExp(IBAN.source, 'g');
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      re.lastIndex = m.index + 1;
      const value = m[0];
      const expected = IBAN_LENGTHS[value.slice(0, 2).toUpperCase()];
      if (expected === undefined) continue;
      // Walk the match until `expected` alphanumerics are consumed, to find the real end.
      let count = 0;
      let end = 0;
      while (end < value.length && count < expected) {
        if (value[end] !== ' ') count++;
        end++;
      }
      if (count !== expected) continue;
      const next = text.charCodeAt(m.index + end);
      // The IBAN must end at a token boundary; "GB..22chars" glued to more letters is something else.
      if (!Number.isNaN(next) && /[A-Za-z0-9]/.test(String.fromCharCode(next)) && value[end] !== ' ') continue;
      const compact = value.slice(0, end).replace(/ /g, '');
      if (!ibanValid(compact)) continue;
      out.push({ type: 'IBAN_CODE', start: m.index, end: m.index + end, score: 1, recognizer: 'iban.mod97' });
      re.lastIndex = m.index + end;
    }
  },
};
