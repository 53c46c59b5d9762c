import type { PiiEntity } from '../../types.js';
import { textBefore } from '../context.js';
import { lexicon, type Lexicon } from '../lexicon.js';
import type { Recognizer } from '../recognizer.js';
import { isUpper, LETTER, UPPER } from '../charclass.js';

/**
 * PERSON and LOCATION without a model: runs of Title-case (or ALL-CAPS) tokens on one line are
 * split into place names (gazetteer n-grams) and person names, scored by gazetteer hits, name
 * morphology and context (honorifics, "my name is", "flew to"). Lower-case names are found only
 * after explicit cues ("my name is ...").
 */

// A capitalised token: letters, inner apostrophes/hyphens, an optional trailing period (initials).
// A possessive "'s" ends the token and the run ("Matej's address"), so it never glues to the next word.
const TOKEN = `[${UPPER}][${LETTER}]*(?:-[${LETTER}]+|['’](?![sS](?![${LETTER}]))[${LETTER}]+)*\\.?`;
// Tokens joined by spaces/tabs only (never a newline), up to 7 per run. Each token starts with an
// upper-case letter after a mandatory separator, so repetition is unambiguous.
const CAP_RUN = new RegExp(`(?<![${LETTER}0-9'’_-])${TOKEN}(?:[ \\t]{1,3}${TOKEN}){0,6}`, 'g');
const TOKEN_SPLIT = /[ \t]+/;

const HONORIFIC_WORDS: ReadonlySet<string> = new Set('mr mrs ms miss mx dr prof sir madam dame lord lady mister rev capt sgt'.split(' '));
const SUFFIX = /^(?:jr\.?|sr\.?|ii|iii|iv|phd|md)$/i;
const INITIAL = /^\p{Lu}\.?$/u;
const ORG_WORDS: ReadonlySet<string> = new Set(
  ('inc ltd llc corp co gmbh plc ag sa group bank university college school hospital orchestra company foundation institute ' +
    'association partners holdings technologies solutions systems services consulting capital media labs studio records act weekly ' +
    'stripes times news church club').split(' '),
);
// Surname endings common across European naming systems; a weak but useful signal for names
// the gazetteer has never seen.
const SURNAME_MORPHOLOGY = /(?:ov|ova|ev|eva|ski|ska|sky|cki|cka|son|sen|sson|poulos|escu|ić|ič|vić|ová|nen|dze|shvili|yan|ian|enko|uk|chuk|mann|stein|berg|ez|ini|elli|etti|akis|oglu|quist|strom|ström|dóttir|sdottir|aitė|ienė|aitis|auskas)$/;
const PERSON_CONTEXT = /(?:my name is|name is|names? ?:|i am|i'm|im|call me|called|named|dear|hi|hello|hey|thanks|sincerely|regards|signed|by|from|to|contact|with|and|mr\.?|mrs\.?|ms\.?|dr\.?)\s*[:,]?\s*$/;
const PLACE_CONTEXT = /(?:\bin|\bfrom|\bto|\bat|\bnear|\bvisit(?:ed|ing)?|\bcity(?: of)?|\bcountry|\btown|\bvillage|\bborn in|\blive[sd]? in|\bmoved (?:here )?(?:from|to)|\bflew to|\btravel(?:l)?ing to|\bbased in|\bheadquartered in|\bof)\s*[:,]?\s*$/;
const STRONG_PLACE_CONTEXT = /(?:flew to|fly to|travel(?:l)?ing to|moved (?:here )?from|moved to|live in|living in|lives in|grew up in|born in|city of|city|town of|visit(?:ed|ing)?|based in|trip to|from the town of)\s*[:,]?\s*$/;
const EXPLICIT_NAME = /\b(?:my name is|name is|my name's|i am|i'm|call me|first name is|last name is|last name\?|first name\?)\s+([\p{L}\p{M}'’-]+(?:[ \t][\p{L}\p{M}'’-]+)?)/giu;

/** A run token with its word-class tests done once; the run analysis consults them many times. */
interface Token {
  text: string;
  key: string;
  start: number;
  end: number;
  honorific: boolean;
  org: boolean;
  suffix: boolean;
  initial: boolean;
  first: boolean;
  last: boolean;
  common: boolean;
}

export const namesRecognizer: Recognizer = {
  name: 'names',
  types: ['PERSON', 'LOCATION'],
  scan(text, out: PiiEntity[]) {
    const lex = lexicon();
    for (const m of text.matchAll(CAP_RUN)) {
      // Extended-A interleaves cases, so the class admits some lower-case starts; drop them here.
      if (!isUpper(m[0])) continue;
      const tokens = tokenize(m[0], m.index, lex);
      analyseRun(text, tokens, lex, out);
    }
    for (const m of text.matchAll(EXPLICIT_NAME)) explicitName(m, lex, out);
  },
};

function tokenize(run: string, offset: number, lex: Lexicon): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (const part of run.split(TOKEN_SPLIT)) {
    const at = run.indexOf(part, pos);
    pos = at + part.length;
    const lower = part.toLowerCase();
    const key = lower.endsWith('.') ? lower.slice(0, -1) : lower;
    tokens.push({
      text: part,
      key,
      start: offset + at,
      end: offset + at + part.length,
      honorific: HONORIFIC_WORDS.has(key),
      org: ORG_WORDS.has(key),
      suffix: SUFFIX.test(part),
      initial: INITIAL.test(part),
      first: lex.first.has(key),
      last: lex.last.has(key),
      common: lex.common.has(key),
    });
  }
  return tokens;
}

function analyseRun(text: string, tokens: Token[], lex: Lexicon, out: PiiEntity[]): void {
  let i = 0;
  let honorific = false;
  // Sentence-initial function words and honorifics lead a run but are not part of a name.
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    if (t.honorific) {
      honorific = true;
      i++;
    } else if (t.common && !t.first && !lex.places.has(t.key)) {
      i++;
    } else break;
  }
  while (i < tokens.length) {
    const place = longestPlace(tokens, i, lex);
    if (place > 0 && !(honorific && i === 0)) {
      const first = tokens[i] as Token;
      const last = tokens[i + place - 1] as Token;
      const personish = place === 1 && (first.first || first.last);
      const sequenceLen = personSpanLength(tokens, i, lex);
      // A place word that continues into a longer person-like run ("Allen Jackson") is a name.
      if (!(personish && sequenceLen > 1)) {
        pushPlace(text, first.start, last.end, place, personish, lex, out);
        i += place;
        honorific = false;
        continue;
      }
    }
    const len = personSpanLength(tokens, i, lex);
    if (len === 0) {
      i++;
      honorific = false;
      continue;
    }
    const span = tokens.slice(i, i + len);
    const score = personScore(text, span, honorific);
    if (score > 0) {
      const first = span[0] as Token;
      const last = span[span.length - 1] as Token;
      const end = last.text.endsWith('.') && !last.initial && !last.suffix ? last.end - 1 : last.end;
      out.push({ type: 'PERSON', start: first.start, end, score, recognizer: 'person.gazetteer' });
    }
    i += len;
    honorific = false;
  }
}

/** Number of tokens from `i` that form the longest gazetteer place name. */
function longestPlace(tokens: Token[], i: number, lex: Lexicon): number {
  let key = '';
  let best = 0;
  for (let n = 1; n <= lex.maxPlaceTokens && i + n - 1 < tokens.length; n++) {
    const t = tokens[i + n - 1] as Token;
    key = n === 1 ? t.key : `${key} ${t.key}`;
    if (lex.places.has(key)) best = n;
  }
  return best;
}

function pushPlace(text: string, start: number, end: number, tokens: number, personish: boolean, lex: Lexicon, out: PiiEntity[]): void {
  const before = textBefore(text, start, 40);
  const value = text.slice(start, end);
  let score = tokens > 1 ? 0.7 : 0.6;
  const placeContext = PLACE_CONTEXT.test(before);
  if (STRONG_PLACE_CONTEXT.test(before)) score = 0.9;
  else if (placeContext) score += 0.15;
  if (personish && !placeContext) score -= 0.2;
  // Common words that happen to be towns ("Reading", "Mobile") need context to count.
  if (!placeContext && lex.common.has(value.toLowerCase())) score -= 0.3;
  out.push({ type: 'LOCATION', start, end, score: Math.round(score * 100) / 100, recognizer: 'location.gazetteer' });
}

/** How many tokens from `i` could be one person's name: stops at org words, places, common words. */
function personSpanLength(tokens: Token[], i: number, lex: Lexicon): number {
  let n = 0;
  while (i + n < tokens.length && n < 4) {
    const t = tokens[i + n] as Token;
    if (t.org || t.honorific) break;
    if (n > 0 && t.suffix) {
      n++;
      break;
    }
    const known = t.first || t.last;
    if (!known && t.common) break;
    if (n > 0 && !known && !t.initial && longestPlace(tokens, i + n, lex) > 0) break;
    n++;
  }
  return n;
}

function personScore(text: string, span: Token[], honorific: boolean): number {
  const words = span.filter((t) => !t.initial && !t.suffix);
  if (words.length === 0) return 0;
  const hasInitial = span.length > words.length && span.length >= 3;
  const firstKnown = (words[0] as Token).first;
  const lastWord = words[words.length - 1] as Token;
  const lastKnown = lastWord.last || lastWord.first || SURNAME_MORPHOLOGY.test(lastWord.key);
  const known = words.filter((t) => t.first || t.last).length;
  const anyCommon = words.some((t) => t.common);
  // ALL-CAPS runs are headings, acronyms and place lines far more often than names.
  const allCaps = words.every((t) => t.text.length > 1 && t.text === t.text.toUpperCase());
  const before = textBefore(text, (span[0] as Token).start, 32);
  const cue = honorific || PERSON_CONTEXT.test(before);

  let score: number;
  if (words.length >= 2) {
    if (firstKnown && lastKnown) score = 0.85;
    else if (hasInitial && (firstKnown || lastKnown || known > 0)) score = 0.8;
    else if (known >= 1 && !anyCommon) score = 0.65;
    else if (hasInitial) score = 0.55;
    else score = 0.3;
  } else {
    const t = words[0] as Token;
    const isName = t.first || t.last;
    if (isName && !t.common) score = 0.55;
    else if (isName) score = 0.35;
    else score = SURNAME_MORPHOLOGY.test(t.key) ? 0.35 : 0.2;
  }
  if (allCaps) score -= 0.3;
  if (cue) score += honorific ? 0.4 : 0.2;
  return Math.min(1, Math.round(score * 100) / 100);
}

/** "my name is patricia desrosiers": lower-case names after an explicit cue. */
function explicitName(m: RegExpMatchArray, lex: Lexicon, out: PiiEntity[]): void {
  const group = m[1] ?? '';
  const index = (m.index ?? 0) + m[0].length - group.length;
  const parts = group.split(/[ \t]/);
  const isName = (w: string): boolean => {
    const k = w.toLowerCase();
    return (lex.first.has(k) || lex.last.has(k) || /^\p{Lu}/u.test(w)) && !lex.common.has(k);
  };
  if (!isName(parts[0] ?? '')) return;
  const second = parts[1];
  // An unknown second word still counts as a surname unless it is ordinary vocabulary.
  const surname = second !== undefined && (isName(second) || (second.length >= 3 && !lex.common.has(second.toLowerCase())));
  const len = surname ? group.length : (parts[0] ?? '').length;
  out.push({ type: 'PERSON', start: index, end: index + len, score: 0.75, recognizer: 'person.cue' });
}
