import type { PiiEntity } from '../../types.js';
import { CONTEXT_BOOST, clampScore, hasContextBefore } from '../context.js';
import { ssnValid } from '../validators.js';
import type { Recognizer } from '../recognizer.js';
import { allMatches } from '../matches.js';

const SSN = /(?<![\w.-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w-]|\.\d)/g;
const CONTEXT = /\b(?:ssn|ssns|social security|social sec|ss#|ss #|taxpayer|tin)\b/;

export const ssnRecognizer: Recognizer = {
  name: 'us_ssn',
  types: ['US_SSN'],
  scan(text, out: PiiEntity[]) {
    for (const m of allMatches(SSN, text)) {
      const [value, area = '', sep = '', group = '', serial = ''] = m;
      if (!ssnValid(area, group, serial)) continue;
      // A bare 9-digit run is usually an id; only the dashed shape stands on its own.
      let score = sep === '-' ? 0.6 : 0.2;
      if (hasContextBefore(text, m.index, CONTEXT)) score += CONTEXT_BOOST + 0.05;
      out.push({ type: 'US_SSN', start: m.index, end: m.index + value.length, score: clampScore(score), recognizer: 'us_ssn' });
    }
  },
};
