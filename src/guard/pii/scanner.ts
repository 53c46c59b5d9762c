import type { PiiEntity, PiiScanner } from '../types.js';
import type { Recognizer } from './recognizer.js';
import { addressRecognizer } from './recognizers/address.js';
import { creditCardRecognizer } from './recognizers/credit-card.js';
import { dateRecognizer } from './recognizers/dates.js';
import { emailRecognizer } from './recognizers/email.js';
import { ibanRecognizer } from './recognizers/iban.js';
import { idDocumentRecognizer } from './recognizers/id-documents.js';
import { ipRecognizer } from './recognizers/ip.js';
import { namesRecognizer } from './recognizers/names.js';
import { phoneRecognizer } from './recognizers/phone.js';
import { secretsRecognizer } from './recognizers/secrets.js';
import { ssnRecognizer } from './recognizers/ssn.js';
import { urlRecognizer } from './recognizers/url.js';
import { resolveOverlaps } from './resolve.js';

export interface PiiScannerOptions {
  /** Entity types to report (default: all). Unknown names are ignored. */
  entities?: string[];
  /** Candidates scoring below this are dropped before overlap resolution (default 0.5). */
  minScore?: number;
}

export const DEFAULT_MIN_SCORE = 0.5;

/** Every recognizer, in no particular order: overlap resolution decides between them. */
export const RECOGNIZERS: readonly Recognizer[] = [
  secretsRecognizer,
  emailRecognizer,
  urlRecognizer,
  ipRecognizer,
  creditCardRecognizer,
  ibanRecognizer,
  ssnRecognizer,
  phoneRecognizer,
  dateRecognizer,
  idDocumentRecognizer,
  addressRecognizer,
  namesRecognizer,
];

/** Entity types the local scanner can report. */
export const PII_ENTITY_TYPES: readonly string[] = [...new Set(RECOGNIZERS.flatMap((r) => r.types))].sort();

export function createPiiScanner(options: PiiScannerOptions = {}): PiiScanner {
  const wanted = options.entities === undefined ? undefined : new Set(options.entities);
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE;
  const recognizers = RECOGNIZERS.filter((r) => wanted === undefined || r.types.some((t) => wanted.has(t)));
  return {
    scan(text: string): PiiEntity[] {
      if (text.length === 0) return [];
      const candidates: PiiEntity[] = [];
      for (const r of recognizers) r.scan(text, candidates);
      // Filter by type before resolving so an unwanted type never hides a wanted one it overlaps.
      const eligible = candidates.filter((c) => c.score >= minScore && (wanted === undefined || wanted.has(c.type)));
      return resolveOverlaps(eligible);
    },
  };
}
