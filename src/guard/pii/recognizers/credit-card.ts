import type { PiiEntity } from '../../types.js';
import { CONTEXT_BOOST, clampScore, hasContextBefore } from '../context.js';
import { luhnValid } from '../validators.js';
import type { Recognizer } from '../recognizer.js';
import { allMatches } from '../matches.js';

// 12–19 digits, optionally split by single spaces or dashes; bounded, so linear.
const CARD = /(?<![\w.-])\d(?:[ -]?\d){11,18}(?![\w-]|\.\d)/g;
const CARD_CONTEXT = /\b(?:card|credit|debit|visa|mastercard|master card|amex|american express|discover|jcb|maestro|diners|cc|pan|payment)\b/;
// Luhn passes for one random number in ten, so digit runs labelled as something else stay out.
const OTHER_CONTEXT = /\b(?:order|invoice|tracking|shipment|ref|reference|ticket|account|acct|iban|phone|tel|fax|isbn|serial|id)\b[^\d]*$/;

export const creditCardRecognizer: Recognizer = {
  name: 'credit_card.luhn',
  types: ['CREDIT_CARD'],
  scan(text, out: PiiEntity[]) {
    for (const m of allMatches(CARD, text)) {
      const value = m[0];
      const groups = value.split(/[ -]/);
      // Separated cards come in groups of 4 (or Amex/Diners 4-6-5 / 4-6-4); "1 2 3 ..." is not a card.
      if (groups.length > 1 && groups.some((g) => g.length < 3)) continue;
      const digits = groups.join('');
      if (!luhnValid(digits) || /^(\d)\1+$/.test(digits)) continue;
      let score = 0.6;
      if (hasContextBefore(text, m.index, CARD_CONTEXT)) score += CONTEXT_BOOST;
      else if (hasContextBefore(text, m.index, OTHER_CONTEXT, 32)) score -= 0.3;
      out.push({ type: 'CREDIT_CARD', start: m.index, end: m.index + value.length, score: clampScore(score), recognizer: 'credit_card.luhn' });
    }
  },
};
