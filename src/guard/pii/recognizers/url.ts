import type { PiiEntity } from '../../types.js';
import type { Recognizer } from '../recognizer.js';
import { allMatches } from '../matches.js';

// Bounded run of characters RFC 3986 allows in a URL; trailing sentence punctuation is trimmed after.
const URL_RE = /(?<![\w.-])(?:(?:https?|ftp|wss?):\/\/|www\.)[^\s<>"'`{}|\\^]{2,2048}/gi;
const URL_HINT = /:\/\/|www\./i;
const TRAILING = /[.,;:!?)\]}'"]+$/;

export const urlRecognizer: Recognizer = {
  name: 'url',
  types: ['URL'],
  scan(text, out: PiiEntity[]) {
    if (!URL_HINT.test(text)) return;
    for (const m of allMatches(URL_RE, text)) {
      let value = m[0];
      // Keep a ')' that closes a '(' inside the URL (Wikipedia-style links).
      const trimmed = value.replace(TRAILING, '');
      value = trimmed.includes('(') && value.startsWith(trimmed + ')') ? trimmed + ')' : trimmed;
      const host = value.replace(/^[a-z]+:\/\//i, '').split(/[/?#:]/)[0] ?? '';
      if (!host.includes('.') && !host.startsWith('localhost')) continue;
      out.push({ type: 'URL', start: m.index, end: m.index + value.length, score: 0.85, recognizer: 'url' });
    }
  },
};
