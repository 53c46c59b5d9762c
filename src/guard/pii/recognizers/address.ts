import type { PiiEntity } from '../../types.js';
import { hasContextBefore } from '../context.js';
import { lexicon, type Lexicon } from '../lexicon.js';
import type { Recognizer } from '../recognizer.js';
import { LETTER, UPPER } from '../charclass.js';

/**
 * STREET_ADDRESS by shape: a street line ("<number> <Words> <Street|Ave|...>" or the European
 * "<Street-word> <number>"), then greedily the parts that follow it on the same or next lines
 * (unit, city, state, postcode, country) while they still look like address parts.
 */

// Capitalised words plus the lower-case prefixes and particles street names use ("rue de la", "ul.").
const WORD = `(?:[${UPPER}][${LETTER}'’.-]*|(?:ul|al|os|pl|av|bd)\\.|rue|via|viale|calle|rua|de|del|della|delle|di|da|du|des|la|le|van|von|der|den|tér|út|utca)`;
// Up to five words between optional house numbers and a trailing number; every repeat starts
// after a mandatory separator, so each start position costs a bounded amount of work.
const STREET_LINE = new RegExp(
  `(?<![${LETTER}0-9])(?:\\d{1,6}[A-Za-z]?[ \\t]{1,3}){0,2}${WORD}(?:[ \\t]{1,3}${WORD}){0,4}(?:[ \\t]{1,3}\\d{1,5}[A-Za-z]?\\.?)?`,
  'g',
);
const MILITARY = /(?<![\w])(?:(?:PSC|CMR|Unit)[ \t]\d{1,5},?[ \t]Box[ \t]\d{1,5}|(?:USS|USNS|USNV|USCGC)[ \t][A-Z][a-z]+)\s{0,3}[\n, ]\s{0,3}(?:APO|FPO|DPO)[ \t]A[AEP][ \t]\d{5}/g;
const UNIT = /^[ \t]*[,\n]?[ \t]*\n?[ \t]*(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Room|Floor|Fl\.|#)[ \t]?\d{1,5}[A-Za-z]?/i;
const STANDALONE_UNIT = /(?<![\p{L}\p{N}])(?:Apt\.|Apartment|Suite|Ste\.)[ \t]\d{1,5}[A-Za-z]?(?![\p{L}\p{N}])/gu;
const ADDRESS_CONTEXT = /(?:address|addr|live at|lives at|living at|located at|send (?:it |them )?to|deliver(?:ed)? to|ship(?:ped)? to|moved to|drops you off at|taxi to|billing|shipping|mailing)\b[^.\n]{0,12}$/;
// Tail parts after the street line: separated by a comma or a line break (with optional spaces).
const PART = /^[ \t]*(?:,[ \t]*\n?|\n[ \t]*(?:,[ \t]*)?)[ \t]*([^\n,]{1,60})/;
const POSTCODE = /^(?:\d{3,6}(?:-\d{3,4})?|\d{2}-\d{3}|\d{3} \d{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|\d{4} ?[A-Z]{2})$/;
const MORPHEME = /(?:katu|tie|kuja|polku|gatan|gata|vägen|väg|veien|vegen|straße|strasse|str\.|gasse|weg|laan|straat|vej|gade|utca|út|tér|allee|platz|ring|damm|steig|ulica|iela|gatve|tee|maantee|tänav|puiestee)$/;
const PREFIX = /^(?:ul\.|al\.|os\.|pl\.|rue|via|viale|piazza|calle|avenida|av\.|rua|strada|avinguda|carrer|plaza|paseo|boulevard|bd\.|chemin|impasse|allée|quai|place|route|strada|vicolo|corso|largo)$/i;

export const addressRecognizer: Recognizer = {
  name: 'street_address',
  types: ['STREET_ADDRESS'],
  scan(text, out: PiiEntity[]) {
    const lex = lexicon();
    // A street line never contains a character outside `segmentChar`, so every match lies inside
    // one segment; it needs a digit, so only segments with a digit are searched. The next STREET_LINE match at or after some earlier search start; still valid for any later
    // start up to its index, which keeps the regex work linear across segments.
    let pending: RegExpExecArray | null = null;
    let pos = 0;
    let exhausted = false;
    while (!exhausted) {
      DIGIT.lastIndex = pos;
      const digit = DIGIT.exec(text);
      if (digit === null) break;
      // `pos` follows a separator (or is 0), so the walk back stops at the real segment start.
      let from = digit.index;
      let letters = false;
      while (from > pos) {
        const c = text.charCodeAt(from - 1);
        if (!segmentChar(c)) break;
        letters ||= c >= 65;
        from--;
      }
      let end = digit.index + 1;
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (!segmentChar(c)) break;
        letters ||= c >= 65;
        end++;
      }
      pos = end + 1;
      // Digits and punctuation only ("0.25", "2024-09-01"): no word, so no street line.
      if (!letters) continue;
      for (;;) {
        if (pending === null || pending.index < from) {
          STREET_LINE.lastIndex = from;
          pending = STREET_LINE.exec(text);
          if (pending === null) {
            exhausted = true;
            break;
          }
        }
        if (pending.index >= end) break;
        const line = pending[0];
        from = pending.index + line.length;
        if (/\d/.test(line)) streetLine(text, line, pending.index, lex, out);
        pending = null;
      }
    }
    if (text.includes('PO')) {
      for (const m of text.matchAll(MILITARY)) {
        out.push({ type: 'STREET_ADDRESS', start: m.index, end: m.index + m[0].length, score: 0.85, recognizer: 'street_address.military' });
      }
    }
    if (UNIT_WORD.test(text)) {
      for (const m of text.matchAll(STANDALONE_UNIT)) {
        out.push({ type: 'STREET_ADDRESS', start: m.index, end: m.index + m[0].length, score: 0.55, recognizer: 'street_address.unit' });
      }
    }
  },
};

const DIGIT = /\d/g;
const UNIT_WORD = /Apt\.|Apartment|Suite|Ste\./;

/** Characters a STREET_LINE match can contain (a superset): LETTER, digits, blanks, ' ’ . - */
function segmentChar(c: number): boolean {
  if (c < 0x80) {
    return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 32 || c === 9 || c === 39 || c === 46 || c === 45;
  }
  return c === 0x2019 || (c >= 0xc0 && c <= 0x4ff && c !== 0xd7 && c !== 0xf7);
}

function streetLine(text: string, line: string, start: number, lex: Lexicon, out: PiiEntity[]): void {
  const score = streetLineScore(text, line, start, lex);
  if (score <= 0) return;
  const end = extendTail(text, start + line.length, lex);
  out.push({ type: 'STREET_ADDRESS', start, end, score, recognizer: 'street_address' });
}

function streetLineScore(text: string, line: string, start: number, lex: Lexicon): number {
  const parts = line.split(/[ \t]+/);
  const leading = /^\d/.test(parts[0] ?? '');
  const trailing = /^\d/.test(parts[parts.length - 1] ?? '');
  const words = parts.filter((p) => !/^\d/.test(p));
  if (words.length === 0 || (!leading && !trailing)) return 0;
  // Sentences ("in 2019 I bought 3 ...") are full of function words; street names are not.
  const streetish = words.some((w) => {
    const k = w.toLowerCase();
    return lex.street.has(k) || lex.street.has(k.replace(/\.$/, '')) || MORPHEME.test(k) || PREFIX.test(k);
  });
  const functional = words.filter((w) => lex.common.has(w.toLowerCase()) && !lex.street.has(w.toLowerCase())).length;
  const capitalised = words.every((w) => /^[\p{Lu}]/u.test(w) || PREFIX.test(w) || /^(?:de|del|della|delle|di|da|du|des|la|le|van|von|der|den|tér|út|utca)$/.test(w));
  let score: number;
  if (streetish && capitalised) score = leading || trailing ? 0.8 : 0;
  else if (leading && trailing && capitalised && functional === 0) score = 0.7;
  else if ((leading || trailing) && capitalised && functional === 0) score = 0.35;
  else if (streetish && functional <= 1) score = 0.45;
  else return 0;
  // Checked last: the window regex is the expensive part and most lines are already rejected.
  if (hasContextBefore(text, start, ADDRESS_CONTEXT, 60)) score += 0.3;
  return Math.min(1, score);
}

/** Extends the address over unit, city, state, postcode and country parts that follow. */
function extendTail(text: string, from: number, lex: Lexicon): number {
  let end = from;
  const unit = UNIT.exec(text.slice(end, end + 40));
  if (unit !== null) end += unit[0].length;
  for (let parts = 0; parts < 5; parts++) {
    const m = PART.exec(text.slice(end, end + 80));
    if (m === null) break;
    const part = m[1] ?? '';
    // Keep the longest run of leading words that still look like address parts ("DC 20500 please" → "DC 20500").
    const words = part.split(/([ \t]+)/);
    let kept = '';
    for (let w = 0; w < words.length; w += 2) {
      const candidate = words.slice(0, w + 1).join('').trim();
      if (candidate.length > 0 && addressPart(candidate, lex)) kept = words.slice(0, w + 1).join('');
      else if (candidate.length > 0) break;
    }
    if (kept.trim().length === 0) break;
    end += m[0].length - part.length + kept.replace(/[ \t]+$/, '').length;
  }
  // A same-line "City ST 12345" or bare postcode directly after the street line.
  const trail = /^[ \t]{1,3}(\p{Lu}[\p{L}\p{M}'’-]*(?:[ \t][\p{Lu}][\p{L}\p{M}'’-]*){0,3}(?:[ \t]\d{4,5})?|\d{4,5})(?![\p{L}\p{N}])/u.exec(text.slice(end, end + 80));
  if (trail !== null && addressPart((trail[1] ?? '').trim(), lex)) end += trail[0].length;
  return end;
}

function addressPart(part: string, lex: Lexicon): boolean {
  if (part.length === 0 || /[:;!?@]/.test(part)) return false;
  if (POSTCODE.test(part)) return true;
  if (/^(?:Apt\.?|Suite|Unit|Flat|#)[ \t]?\d/i.test(part)) return true;
  const words = part.split(/[ \t]+/);
  // "Finland 41600", "SAINT-PRIEST France", "Cyprus (Greek) 78891": capitalised words and a postcode.
  return words.every((w) => {
    const k = w.toLowerCase().replace(/[().]/g, '');
    if (k.length === 0) return true;
    if (/^\d{3,6}(?:-\d{3,4})?$/.test(w)) return true;
    if (lex.states.has(k) && w === w.toUpperCase()) return true;
    return /^[(]?\p{Lu}/u.test(w) && !(lex.common.has(k) && !lex.places.has(k));
  });
}
