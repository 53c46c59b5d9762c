import type { PiiEntity } from '../../types.js';
import type { Recognizer } from '../recognizer.js';

// Matching is anchored on each '@': walk back over local-part characters (at most 64), then run
// a sticky, bounded pattern from there. Cost is linear in the text whatever it contains.
const EMAIL = /[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/y;
const LOCAL_CHAR = /[\w.%+-]/;
const TLD = /^[A-Za-z]{2,24}$/;

export const emailRecognizer: Recognizer = {
  name: 'email',
  types: ['EMAIL_ADDRESS'],
  scan(text, out: PiiEntity[]) {
    for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
      let start = at;
      while (start > 0 && at - start < 65 && LOCAL_CHAR.test(text[start - 1] ?? '')) start--;
      if (start === at || (start > 0 && LOCAL_CHAR.test(text[start - 1] ?? ''))) continue;
      EMAIL.lastIndex = start;
      const m = EMAIL.exec(text);
      if (m === null) continue;
      const value = m[0];
      const localEnd = value.indexOf('@');
      const local = value.slice(0, localEnd);
      const labels = value.slice(localEnd + 1).split('.');
      const tld = labels[labels.length - 1] ?? '';
      if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) continue;
      if (!TLD.test(tld) || labels.some((l) => l.length === 0 || l.startsWith('-') || l.endsWith('-'))) continue;
      out.push({ type: 'EMAIL_ADDRESS', start, end: start + value.length, score: 1, recognizer: 'email' });
    }
  },
};
