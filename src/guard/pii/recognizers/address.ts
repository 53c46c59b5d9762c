import type { PiiEntity } from '../../types.js';
import { hasContextBefore } from '../context.js';
import { lexicon, type Lexicon } from '../lexicon.js';
import type { Recognizer } from '../recognizer.js';
import { allMatches } from '../matches.js';
import { LETTER, UPPER } from '../charclass.js';

/**
 * STREET_ADDRESS by shape: a street line ("<number> <Words> <Street|Ave|...>" or the European
 * "<Street-word> <number>"), then greedily the parts that follow it on the same or next lines
 * (unit, city, state, postcode, country) while they still look like address parts.
 */

// Capitalised words plus the lower-case prefixes and particles street names use ("rue de la", "ul.").
// Particles need a right boundary, or "de" would match the start of "deploy".
const WORD = `(?:[${UPPER}][${LETTER}'’.-]*|(?:ul|al|os|pl|av|bd)\\.|(?:rue|via|viale|calle|rua|de|del|della|delle|di|da|do|dos|das|du|des|la|le|van|von|der|den|tér|út|utca)(?![${LETTER}]))`;
// Up to five words between optional house numbers and a trailing number; every repeat starts
// after a mandatory separator, so each start position costs a bounded amount of work.
const STREET_LINE = new RegExp(
  `(?<![${LETTER}0-9])(?:\\d{1,6}[A-Za-z]?[ \\t]{1,3}){0,2}${WORD}(?:[ \\t]{1,3}${WORD}){0,4}(?:[ \\t]{1,3}\\d{1,5}[A-Za-z]?\\.?)?`,
  'g',
);
const MILITARY = /(?<![\w])(?:(?:PSC|CMR|Unit)[ \t]\d{1,5},?[ \t]Box[ \t]\d{1,5}|(?:USS|USNS|USNV|USCGC)[ \t][A-Z][a-z]+)\s{0,3}[\n, ]\s{0,3}(?:APO|FPO|DPO)[ \t]A[AEP][ \t]\d{5}/g;
const UNIT = /^[ \t]*[,\n]?[ \t]*(?:>[ \t]*)?\n?[ \t]*(?:>[ \t]*)?(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Room|Floor|Fl\.|#)[ \t]?\d{1,5}[A-Za-z]?/i;
const STANDALONE_UNIT = /(?<![\p{L}\p{N}])(?:Apt\.|Apartment|Suite|Ste\.)[ \t]\d{1,5}[A-Za-z]?(?![\p{L}\p{N}])/gu;
const ADDRESS_CONTEXT = /(?:address|addr|live at|lives at|living at|located at|send (?:it |them )?to|deliver(?:ed)? to|ship(?:ped)? to|moved to|drops you off at|taxi to|billing|shipping|mailing)\b[^.\n]{0,12}$/;
// Tail parts after the street line: separated by a comma or a line break (with optional spaces).
// E-mail quote markers ("> ") and one blank line may sit between parts of a pasted address.
const PART = /^[ \t]*(?:,[ \t]*\n?|(?:\n[ \t]*(?:>[ \t]*)*){1,2}(?:,[ \t]*)?)[ \t]*([^\n,>]{1,60})/;
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
    // Jump between literal hits: a full-text unicode regex scan costs more than the rest of this recognizer.
    for (let at = text.indexOf('orner of'); at !== -1; at = text.indexOf('orner of', at + 8)) {
      // Sticky: try with a leading "the " first, then from the "C" itself.
      CORNER.lastIndex = Math.max(0, at - 5);
      let m = CORNER.exec(text);
      if (m === null && at > 0) {
        CORNER.lastIndex = at - 1;
        m = CORNER.exec(text);
      }
      if (m !== null) {
        out.push({ type: 'STREET_ADDRESS', start: m.index, end: m.index + m[0].length, score: 0.85, recognizer: 'street_address.corner' });
      }
    }
    if (text.includes('PO')) {
      for (const m of allMatches(MILITARY, text)) {
        out.push({ type: 'STREET_ADDRESS', start: m.index, end: m.index + m[0].length, score: 0.85, recognizer: 'street_address.military' });
      }
    }
    if (UNIT_WORD.test(text)) {
      for (const m of allMatches(STANDALONE_UNIT, text)) {
        out.push({ type: 'STREET_ADDRESS', start: m.index, end: m.index + m[0].length, score: 0.55, recognizer: 'street_address.unit' });
      }
    }
  },
};

const DIGIT = /\d/g;
// "the corner of <street> and <street>": an intersection is an address even without a house
// number. Each side is one to six words on the same line; the first may hold "St." abbreviations.
const CORNER_SIDE = `[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}'’.-]*(?:[ \\t][\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}'’.-]*){0,5}?`;
const CORNER = new RegExp(`(?<![\\p{L}])(?:[Tt]he[ \\t])?[Cc]orner[ \\t]of[ \\t]${CORNER_SIDE}[ \\t]and[ \\t][\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}'’-]*(?:[ \\t][\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}'’-]*){0,3}`, 'yu');
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
  const tail = extendTail(text, start + line.length, lex);
  if (tail.parts > 0) {
    // Each unit/city/postcode part that follows confirms the street line; the whole block then
    // outranks a city line that also reads as a person's name ("María Albina").
    const whole = Math.min(1, Math.round((score + 0.05 * tail.parts) * 100) / 100);
    out.push({ type: 'STREET_ADDRESS', start, end: tail.end, score: whole, recognizer: 'street_address' });
  }
  // The street line alone, in case the whole block loses to something it overlaps.
  out.push({ type: 'STREET_ADDRESS', start, end: start + line.length, score: Math.max(0, Math.round((score - 0.01) * 100) / 100), recognizer: 'street_address' });
}

function streetLineScore(text: string, line: string, start: number, lex: Lexicon): number {
  const parts = line.split(/[ \t]+/);
  const leading = /^\d/.test(parts[0] ?? '');
  const trailing = /^\d/.test(parts[parts.length - 1] ?? '');
  const words = parts.filter((p) => !/^\d/.test(p));
  if (words.length === 0 || (!leading && !trailing)) return 0;
  let streetish = false;
  let functional = 0;
  let capitalised = true;
  for (const w of words) {
    const f = wordFlags(w, lex);
    if ((f & STREETISH) !== 0) streetish = true;
    if ((f & FUNCTIONAL) !== 0) functional++;
    if ((f & CAPITALISED) === 0) capitalised = false;
  }
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

const STREETISH = 1;
const FUNCTIONAL = 2;
const CAPITALISED = 4;

// Street lines repeat the same words ("Street", "Avenue", city names), and a word's flags
// depend only on its text, so each distinct word is classified once. Bounded so unique words
// cannot grow the caches without limit; cleared if the lexicon object ever changes.
const CACHE_MAX = 50_000;
const WORD_FLAGS = new Map<string, number>();
const PART_CACHE = new Map<string, boolean>();
let cacheLexicon: Lexicon | undefined;

function checkCacheLexicon(lex: Lexicon): void {
  if (cacheLexicon === lex) return;
  WORD_FLAGS.clear();
  PART_CACHE.clear();
  cacheLexicon = lex;
}

function wordFlags(w: string, lex: Lexicon): number {
  checkCacheLexicon(lex);
  const hit = WORD_FLAGS.get(w);
  if (hit !== undefined) return hit;
  const k = w.toLowerCase();
  let f = 0;
  // Sentences ("in 2019 I bought 3 ...") are full of function words; street names are not.
  // A morpheme only counts on a word that is not ordinary English ("during" ends in "ring").
  if (lex.street.has(k) || lex.street.has(k.replace(/\.$/, '')) || (MORPHEME.test(k) && !lex.common.has(k)) || PREFIX.test(k)) f |= STREETISH;
  if (lex.common.has(k) && !lex.street.has(k)) f |= FUNCTIONAL;
  if (/^[\p{Lu}]/u.test(w) || PREFIX.test(w) || /^(?:de|del|della|delle|di|da|du|des|la|le|van|von|der|den|tér|út|utca)$/.test(w)) f |= CAPITALISED;
  if (WORD_FLAGS.size >= CACHE_MAX) WORD_FLAGS.clear();
  WORD_FLAGS.set(w, f);
  return f;
}

/** Extends the address over unit, city, state, postcode and country parts that follow. */
function extendTail(text: string, from: number, lex: Lexicon): { end: number; parts: number } {
  let end = from;
  let found = 0;
  // Each of UNIT, PART and the trail regex can only start with a few characters (after blanks);
  // checking that first skips the slice and the regex for the many street lines with no tail.
  const unit = canStartUnit(text.charCodeAt(skipBlanks(text, end, end + 40))) ? UNIT.exec(text.slice(end, end + 40)) : null;
  if (unit !== null) {
    end += unit[0].length;
    found++;
  }
  for (let parts = 0; parts < 5; parts++) {
    const c = text.charCodeAt(skipBlanks(text, end, end + 80));
    const m = c === 44 || c === 10 ? PART.exec(text.slice(end, end + 80)) : null;
    if (m === null) break;
    const part = m[1] ?? '';
    // Keep the longest run of leading words that still look like address parts ("DC 20500 please" → "DC 20500").
    const words = part.split(/([ \t]+)/);
    let kept = '';
    for (let w = 0; w < words.length; w += 2) {
      const candidate = words.slice(0, w + 1).join('').trim();
      // No early stop: a prefix can fail where the longer part passes ("New" vs "New Zealand").
      if (candidate.length > 0 && addressPart(candidate, lex)) kept = words.slice(0, w + 1).join('');
    }
    if (kept.trim().length === 0) break;
    end += m[0].length - part.length + kept.replace(/[ \t]+$/, '').length;
    found++;
  }
  // A same-line "City ST 12345" or bare postcode directly after the street line.
  const blank = text.charCodeAt(end);
  const trail = blank !== 32 && blank !== 9 ? null : /^[ \t]{1,3}(\p{Lu}[\p{L}\p{M}'’-]*(?:[ \t][\p{Lu}][\p{L}\p{M}'’-]*){0,3}(?:[ \t]\d{4,5})?|\d{4,5})(?![\p{L}\p{N}])/u.exec(text.slice(end, end + 80));
  if (trail !== null && addressPart((trail[1] ?? '').trim(), lex)) {
    end += trail[0].length;
    found++;
  }
  return { end, parts: found };
}

/** First index in [from, limit) that is not a space or tab (limit when all are). */
function skipBlanks(text: string, from: number, limit: number): number {
  let i = from;
  const to = Math.min(limit, text.length);
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** Characters UNIT can begin with after its leading blanks: a separator, quote marker or unit word (any case). */
function canStartUnit(c: number): boolean {
  const lower = c >= 65 && c <= 90 ? c + 32 : c;
  // , \n > # a(pt) s(uite) u(nit) f(lat) r(oom)
  return lower === 44 || lower === 10 || lower === 62 || lower === 35 || lower === 97 || lower === 115 || lower === 117 || lower === 102 || lower === 114;
}

function addressPart(part: string, lex: Lexicon): boolean {
  checkCacheLexicon(lex);
  const hit = PART_CACHE.get(part);
  if (hit !== undefined) return hit;
  const result = addressPartUncached(part, lex);
  if (PART_CACHE.size >= CACHE_MAX) PART_CACHE.clear();
  PART_CACHE.set(part, result);
  return result;
}

function addressPartUncached(part: string, lex: Lexicon): boolean {
  if (part.length === 0 || /[:;!?@]/.test(part)) return false;
  if (POSTCODE.test(part)) return true;
  if (/^(?:Apt\.?|Suite|Unit|Flat|#)[ \t]?\d/i.test(part)) return true;
  const words = part.split(/[ \t]+/);
  // A known multi-word place with an optional postcode ("New Zealand 34694"): "New" alone is ordinary.
  const place = words.filter((w) => !/^\d/.test(w)).join(' ').toLowerCase();
  if (place.length > 0 && lex.places.has(place)) return true;
  // "Finland 41600", "SAINT-PRIEST France", "Cyprus (Greek) 78891": capitalised words and a postcode.
  return words.every((w) => {
    const k = w.toLowerCase().replace(/[().]/g, '');
    if (k.length === 0) return true;
    if (/^\d{3,6}(?:-\d{3,4})?$/.test(w)) return true;
    if (lex.states.has(k) && w === w.toUpperCase()) return true;
    return /^[(]?\p{Lu}/u.test(w) && !(lex.common.has(k) && !lex.places.has(k));
  });
}
