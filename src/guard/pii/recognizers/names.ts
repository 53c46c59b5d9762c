import type { PiiEntity } from '../../types.js';
import { textBefore } from '../context.js';
import { lexicon, type Lexicon } from '../lexicon.js';
import type { Recognizer } from '../recognizer.js';
import { allMatches } from '../matches.js';
import { isUpper, LETTER, UPPER } from '../charclass.js';
import { SuffixCue } from '../cues.js';

/**
 * PERSON and LOCATION without a model: runs of Title-case (or ALL-CAPS) tokens on one line are
 * split into place names (gazetteer n-grams) and person names, scored by gazetteer hits, name
 * morphology and context (honorifics, "my name is", "flew to"). Lower-case names are found only
 * after explicit cues ("my name is ...").
 */

// A capitalised token: letters, inner apostrophes/hyphens, an optional trailing period (initials).
// A possessive "'s" ends the token and the run ("Matej's address"), so it never glues to the next word.
// A token never ends inside a word or number ("DE" of the IBAN "DE8937...").
const TOKEN = `[${UPPER}][${LETTER}]*(?:-[${LETTER}]+|['’](?![sS](?![${LETTER}]))[${LETTER}]+)*\\.?(?![${LETTER}0-9_])`;
// Tokens joined by spaces/tabs only (never a newline), up to 7 per run. Each token starts with an
// upper-case letter after a mandatory separator, so repetition is unambiguous.
const CAP_RUN = new RegExp(`(?<![${LETTER}0-9'’_-])${TOKEN}(?:[ \\t]{1,3}${TOKEN}){0,6}`, 'g');

const HONORIFIC_WORDS: ReadonlySet<string> = new Set('mr mrs ms miss mx dr prof sir madam dame lord lady mister rev capt sgt'.split(' '));
const SUFFIX = /^(?:jr\.?|sr\.?|ii|iii|iv|phd|md)$/i;
const INITIAL = /^\p{Lu}\.?$/u;
// Organisation words: a run containing one names an organisation, so the Title-case words before
// it in that run are the organisation's name, not a person's ("Aunt Bertha Inc", "Fuse TV").
const ORG_WORDS: ReadonlySet<string> = new Set(
  ('inc incorporated ltd llc llp corp corporation co gmbh plc ag sa nv bv oy ab group bank university college school ' +
    'hospital clinic orchestra company foundation institute association partners holdings technologies technology solutions ' +
    'systems services consulting capital media labs lab studio studios records act weekly stripes times news church club ' +
    'tv radio insurance investments associates agency council committee society airlines airways motors pharma pharmaceuticals ' +
    'enterprises industries international global networks software analytics ventures trust fund markets brands foods ' +
    'entertainment publishing press productions band choir ensemble quartet trio festival museum library academy ' +
    'restaurant cafe hotel inn bar pub store shop mall centre center stadium arena theatre theater cinema').split(' '),
);
// Job titles and roles that precede a name in running text ("Producer James Sparks").
const ROLE_WORDS: ReadonlySet<string> = new Set(
  ('producer director manager officer ceo cto cfo coo vp president chairman chairwoman chair founder cofounder engineer ' +
    'developer designer doctor nurse professor teacher lawyer attorney judge senator governor mayor minister secretary ' +
    'editor writer author reporter journalist analyst consultant assistant intern agent detective inspector officer ' +
    'sergeant captain general colonel lieutenant commander coach player singer drummer guitarist artist actor actress ' +
    'chef pastor father brother sister uncle aunt cousin grandma grandpa king queen prince princess duke ' +
    'customer client user patient employee member candidate applicant speaker host guest').split(' '),
);
// Surname endings common across European naming systems; a weak but useful signal for names
// the gazetteer has never seen.
const SURNAME_MORPHOLOGY = /(?:ov|ova|ev|eva|ski|ska|sky|cki|cka|son|sen|sson|poulos|escu|ić|ič|vić|ová|nen|dze|shvili|yan|ian|enko|uk|chuk|mann|stein|berg|ez|ini|elli|etti|akis|oglu|quist|strom|ström|dóttir|sdottir|aitė|ienė|aitis|auskas)$/;
// Strong cues name a person almost always; weak ones ("to", "and") also precede places and organisations.
// These cue lists end a lower-cased window; each SuffixCue is the regex in its comment, spelled out.
// /(?:my name is|name is|names? ?:|name\?|i am|i'm|im|call me|called|named|dear|hi|hello|hey|thanks|thank you|sincerely|regards|signed|contact|assistant to|speak to|talk to|ask|told|married|mr\.?|mrs\.?|ms\.?|dr\.?|prof\.?)\s*[:,]?\s*$/
const PERSON_CONTEXT = new SuffixCue(
  [
    'my name is', 'name is', 'name:', 'names:', 'name :', 'names :', 'name?', 'i am', "i'm", 'im', 'call me', 'called', 'named', 'dear', 'hi',
    'hello', 'hey', 'thanks', 'thank you', 'sincerely', 'regards', 'signed', 'contact', 'assistant to', 'speak to', 'talk to', 'ask', 'told',
    'married', 'mr', 'mr.', 'mrs', 'mrs.', 'ms', 'ms.', 'dr', 'dr.', 'prof', 'prof.',
  ],
  { tail: 'colon', boundary: false },
);
// /\b(?:by|from|to|with|and|at)\s*$/
const WEAK_PERSON_CONTEXT = new SuffixCue(['by', 'from', 'to', 'with', 'and', 'at'], { tail: 'space', boundary: true });
// Verbs and possessives right after a span that say it is someone ("X said", "X's killers").
const PERSON_AFTER = /^(?:['’]s?(?![\p{L}])|,? (?:the|a|an) [\p{Ll}]+ [\p{Ll}]+,? said|:[ \t]*["“]|[ \t]+(?:said|says|wrote|writes|explained|told|asked|replied|shouted|lives|lived|is from|was born|will be (?:talking|speaking)|is (?:very|a|an|the|my|our|your)|has been|who is))/u;
// /(?:\bin|\bfrom|\bto|\bat|\bnear|\bvisit(?:ed|ing)?|\bcity(?: of)?|\bcountry|\btown|\bvillage|\bborn in|\blive[sd]? in|\bmoved (?:here )?(?:from|to)|\bflew to|\btravel(?:l)?ing to|\bbased in|\bheadquartered in|\bof)\s*[:,]?\s*$/
const PLACE_CONTEXT = new SuffixCue(
  [
    'in', 'from', 'to', 'at', 'near', 'visit', 'visited', 'visiting', 'city', 'city of', 'country', 'town', 'village', 'born in', 'live in',
    'lives in', 'lived in', 'moved from', 'moved to', 'moved here from', 'moved here to', 'flew to', 'traveling to', 'travelling to', 'based in',
    'headquartered in', 'of',
  ],
  { tail: 'colon', boundary: true },
);
// /(?:flew to|fly to|travel(?:l)?ing to|moved (?:here )?from|moved to|live in|living in|lives in|grew up in|born in|city of|city|town of|visit(?:ed|ing)?|based in|trip to|from the town of)\s*[:,]?\s*$/
const STRONG_PLACE_CONTEXT = new SuffixCue(
  [
    'flew to', 'fly to', 'traveling to', 'travelling to', 'moved here from', 'moved from', 'moved to', 'live in', 'living in', 'lives in',
    'grew up in', 'born in', 'city of', 'city', 'town of', 'visit', 'visited', 'visiting', 'based in', 'trip to', 'from the town of',
  ],
  { tail: 'colon', boundary: false },
);
// A house number right after a name-like run makes it a street ("Joaquin Suarez 2906").
const HOUSE_NUMBER_AFTER = /^[ \t]+(?:u\.[ \t]*)?\d{1,5}[A-Za-z]?(?![\p{L}\p{N}])(?![ \t]+(?:years?|yrs?|y\/o|people|times|percent|%))/u;
// Cues after which an unknown Title-case or ALL-CAPS run is a place ("flew to Loeches").
// /\b(?:flew to|fly(?:ing)? to|travel(?:l)?(?:ed|ing)? to|moved (?:here )?(?:from|to)|grew up in|born in|based in|headquartered in|located in|originally from|lives? in|living in|i'?m in|i am in|we are in|(?:city|town|village) of|home (?:city|town)|year in|arrived (?:at|in)|returned to|trip to|visit(?:ed|ing)?|coming to|world to|where:)[ \t]+$/i
const PLACE_CUE = new SuffixCue(
  [
    'flew to', 'fly to', 'flying to', 'travel to', 'traveled to', 'traveling to', 'travell to', 'travelled to', 'travelling to', 'moved from',
    'moved to', 'moved here from', 'moved here to', 'grew up in', 'born in', 'based in', 'headquartered in', 'located in', 'originally from',
    'live in', 'lives in', 'living in', 'im in', "i'm in", 'i am in', 'we are in', 'city of', 'town of', 'village of', 'home city', 'home town',
    'year in', 'arrived at', 'arrived in', 'returned to', 'trip to', 'visit', 'visited', 'visiting', 'coming to', 'world to', 'where:',
  ],
  { tail: 'blank', boundary: true, ignoreCase: true },
);
const PLACE_CUE_TAIL = 40;
// List propagation: a single-token item joined to a recognised name by ", " / " and " ("Kónya, Becker
// and Vasquez"). The item must not continue into a longer Title-case run, which would make it part
// of an organisation or multi-word name ("Lucid and Loveland Technologies").
const LIST_NEXT = new RegExp(`(?:,[ \\t]+(?:and[ \\t]+)?|[ \\t]+and[ \\t]+)(${TOKEN})(?![ \\t]+[${UPPER}])`, 'y');
const LIST_PREV = new RegExp(`(${TOKEN})(?:,[ \\t]+(?:and[ \\t]+)?|[ \\t]+and[ \\t]+)$`);
const LIST_PREV_WINDOW = 48;
// A Title-case word right before a left-hand list item makes that item the tail of a longer name.
const CAP_WORD_BEFORE = new RegExp(`[${UPPER}][${LETTER}]*\\.?[ \\t]+$`);
// Propagated names carry less evidence than their seed, so they sit just above the default threshold.
const LIST_SCORE = 0.52;
// After a list item, a house number or a street particle means the "list" was a name and an address.
const ADDRESS_AFTER = /^[ \t]+(?:\d|[a-z]{1,3}\.?[ \t]+(?:\d|[A-Z\u00C0-\u00DE]))/;
const FIRM_BEFORE = /\b(?:at|from|for|of|join(?:ed)?|works? for)[ \t]+$/;
const LINE_START = /(?:^|\n)[ \t>]*$/;
const LINE_END = /^[ \t.]*(?:\n|$)/;
// Speaker labels: one word at line start, a colon, then speech (a letter or an opening quote).
const SPEAKER_LABEL = new RegExp(`(?:^|\\n)[ \\t>]*([${LETTER}][${LETTER}'’-]*)[ \\t]*:[ \\t]*(?=["“${LETTER}])`, 'g');
const SPEAKER_SCORE = 0.6;
// Label words of logs, notes and chat transcripts that the common-word list lacks.
const LABEL_WORDS: ReadonlySet<string> = new Set(
  ('note notes warning warn error info debug trace todo fixme summary question answer status result output input example ' +
    'update reply tip hint step bot system human ai model prompt response request reason cause action details description ' +
    'comment comments q a re').split(' '),
);
// Every EXPLICIT_NAME cue contains one of these; no non-ASCII letter case-folds onto them under
// `iu`, so the ASCII-only `i` test is exact, and several times cheaper than the `\b` + `\p{L}` search.
const EXPLICIT_NAME_GATE = /name|i am|i'm|call me/i;
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
  role: boolean;
  first: boolean;
  last: boolean;
  common: boolean;
  /** The key alone is a gazetteer place / starts a longer one: longestPlace's first step, per word. */
  placeOne: boolean;
  placePrefix: boolean;
  /** SURNAME_MORPHOLOGY matches the key. */
  morph: boolean;
  /** longestPlace from this token, memoised (-1: not yet computed); see longestPlace. */
  place: number;
}

export const namesRecognizer: Recognizer = {
  name: 'names',
  types: ['PERSON', 'LOCATION'],
  scan(text, out: PiiEntity[]) {
    const lex = lexicon();
    const seedsFrom = out.length;
    for (const m of allMatches(CAP_RUN, text)) {
      // Extended-A interleaves cases, so the class admits some lower-case starts; drop them here.
      if (!isUpper(m[0])) continue;
      const tokens = tokenize(m[0], m.index, lex);
      // A word ending in a period ends a sentence unless it is an initial or an abbreviation
      // ("United States. Producer James"), so the run is analysed in sentence pieces.
      let from = 0;
      for (let k = 0; k < tokens.length; k++) {
        const t = tokens[k] as Token;
        if (k + 1 < tokens.length && t.text.endsWith('.') && !t.initial && !t.honorific && !t.suffix && t.text.length > 3) {
          analyseRun(text, tokens.slice(from, k + 1), lex, out);
          from = k + 1;
        }
      }
      analyseRun(text, from === 0 ? tokens : tokens.slice(from), lex, out);
    }
    if (EXPLICIT_NAME_GATE.test(text)) for (const m of allMatches(EXPLICIT_NAME, text)) explicitName(m, lex, out);
    propagateLists(text, seedsFrom, lex, out);
    // Colons are rare in prose without dialogue, so most texts skip the label search entirely.
    if (text.includes(':')) speakerLabels(text, lex, out);
  },
};

/** Whether a lone list item or label word can be a name: not a known place, organisation or ordinary word. */
function nameLikeWord(word: string, lex: Lexicon): boolean {
  const cls = classify(word, lex);
  if (cls.common || cls.org || cls.honorific || cls.role || cls.suffix || cls.initial || lex.street.has(cls.key)) return false;
  if (lex.countries.has(cls.key)) return false;
  // Many first names are also towns somewhere; only a word the name lists lack is read as a place.
  if (lex.places.has(cls.key) && !cls.first && !cls.last) return false;
  // ALL-CAPS words are acronyms and headings far more often than names.
  return !(word.length > 1 && word === word.toUpperCase());
}

/**
 * Names listed next to a recognised name are names too ("founders: Kónya, Becker and Vasquez"):
 * lists are homogeneous, so the seed vouches for its unknown neighbours.
 */
function propagateLists(text: string, seedsFrom: number, lex: Lexicon, out: PiiEntity[]): void {
  const seedsTo = out.length;
  if (seedsTo === seedsFrom) return;
  const done = new Set<number>();
  for (let k = seedsFrom; k < seedsTo; k++) {
    const e = out[k] as PiiEntity;
    if (e.type !== 'PERSON' || e.score < 0.5 || done.has(e.start)) continue;
    const items: { start: number; end: number }[] = [];
    // Rightwards: follow the list until an item fails.
    let at = e.end;
    for (;;) {
      LIST_NEXT.lastIndex = at;
      const m = LIST_NEXT.exec(text);
      if (m === null) break;
      const raw = m[1] ?? '';
      const word = stripPeriod(raw);
      const start = m.index + m[0].length - raw.length;
      if (!isUpper(word) || !nameLikeWord(word, lex) || ADDRESS_AFTER.test(text.slice(start + raw.length, start + raw.length + 24))) break;
      items.push({ start, end: start + word.length });
      // A sentence-final period ends the list.
      if (word.length !== raw.length) break;
      at = start + word.length;
    }
    // Leftwards.
    let end = e.start;
    for (;;) {
      const from = Math.max(0, end - LIST_PREV_WINDOW);
      // LIST_PREV ends in ", " or " and ": skip the regex unless the blanks before `end` follow ',' or 'd'.
      let b = end;
      while (b > from && isBlank(text.charCodeAt(b - 1))) b--;
      if (b === end || b === from || (text.charCodeAt(b - 1) !== 44 && text.charCodeAt(b - 1) !== 100)) break;
      const m = LIST_PREV.exec(text.slice(from, end));
      if (m === null) break;
      const word = m[1] ?? '';
      const start = from + m.index;
      const prev = start > 0 ? text.charAt(start - 1) : ' ';
      // The match must start a word, and a Title-case word before it would make it part of a longer name.
      if (/[\p{L}\p{N}'’_-]/u.test(prev) || CAP_WORD_BEFORE.test(text.slice(Math.max(0, start - 24), start))) break;
      if (word.endsWith('.') || !isUpper(word) || !nameLikeWord(word, lex)) break;
      items.push({ start, end: start + word.length });
      end = start;
    }
    if (items.length === 0) continue;
    let listStart = e.start;
    let listEnd = e.end;
    for (const it of items) {
      listStart = Math.min(listStart, it.start);
      listEnd = Math.max(listEnd, it.end);
    }
    // "Surname, Surname and Surname" alone on a line or after "at"/"from" is a firm's name
    // ("works at Hale, Booth and Crane"): the seeds there are not people either.
    if (items.length >= 2 && isFirmContext(text, listStart, listEnd)) {
      for (let j = seedsFrom; j < seedsTo; j++) {
        const s = out[j] as PiiEntity;
        if (s.type === 'PERSON' && s.start >= listStart && s.end <= listEnd) {
          s.score = 0;
          done.add(s.start);
        }
      }
      continue;
    }
    for (const it of items) {
      if (done.has(it.start)) continue;
      done.add(it.start);
      out.push({ type: 'PERSON', start: it.start, end: it.end, score: LIST_SCORE, recognizer: 'person.list' });
    }
  }
}

function isFirmContext(text: string, start: number, end: number): boolean {
  const before = textBefore(text, start, 24);
  if (FIRM_BEFORE.test(before)) return true;
  return LINE_START.test(before) && LINE_END.test(text.slice(end, end + 8));
}

function stripPeriod(word: string): string {
  return word.endsWith('.') ? word.slice(0, -1) : word;
}

/**
 * Dialogue speaker labels ("Ubul: What a wife."): a lone word before a colon at line start is a
 * name when at least two lines of the text are labelled that way, which tells dialogue apart
 * from a single "Note: ..." line. Header words ("Subject", "Fax") are ordinary vocabulary and fail.
 */
function speakerLabels(text: string, lex: Lexicon, out: PiiEntity[]): void {
  const labels: { start: number; word: string }[] = [];
  for (const m of allMatches(SPEAKER_LABEL, text)) {
    const word = m[1] ?? '';
    // The label's prefix is only newline, blanks and quote markers, so the word starts after them.
    const start = m.index + m[0].length - m[0].replace(/^[\n \t>]*/, '').length;
    labels.push({ start, word });
  }
  if (labels.length < 2) return;
  for (const { start, word } of labels) {
    if (LABEL_WORDS.has(word.toLowerCase()) || !nameLikeWord(word, lex)) continue;
    // A lower-case label is a name only if the name lists know it ("mika: who are you?").
    if (!isUpper(word)) {
      const cls = classify(word, lex);
      if (!cls.first && !cls.last) continue;
    }
    out.push({ type: 'PERSON', start, end: start + word.length, score: SPEAKER_SCORE, recognizer: 'person.speaker' });
  }
}

function tokenize(run: string, offset: number, lex: Lexicon): Token[] {
  const tokens: Token[] = [];
  // Parts are separated by spaces/tabs only, and a run starts and ends with a token, so a
  // char-code walk finds exactly what `split(/[ \t]+/)` would, without the regex and indexOf.
  let at = 0;
  while (at < run.length) {
    let end = at + 1;
    while (end < run.length) {
      const c = run.charCodeAt(end);
      if (c === 32 || c === 9) break;
      end++;
    }
    const part = run.slice(at, end);
    const cls = classify(part, lex);
    tokens.push({
      text: part,
      key: cls.key,
      start: offset + at,
      end: offset + end,
      honorific: cls.honorific,
      org: cls.org,
      suffix: cls.suffix,
      initial: cls.initial,
      role: cls.role,
      first: cls.first,
      last: cls.last,
      common: cls.common,
      placeOne: cls.placeOne,
      placePrefix: cls.placePrefix,
      morph: cls.morph,
      place: -1,
    });
    at = end;
    while (at < run.length) {
      const c = run.charCodeAt(at);
      if (c !== 32 && c !== 9) break;
      at++;
    }
  }
  return tokens;
}

type TokenClass = Omit<Token, 'text' | 'start' | 'end' | 'place'>;

// Word classes depend only on the token's text, and the same words recur across texts
// (sentence starters, names, places), so each distinct text is classified once. Bounded so a
// stream of unique tokens cannot grow it without limit.
const CLASS_CACHE = new Map<string, TokenClass>();
const CLASS_CACHE_MAX = 50_000;
let classLexicon: Lexicon | undefined;

function classify(part: string, lex: Lexicon): TokenClass {
  if (classLexicon !== lex) {
    CLASS_CACHE.clear();
    classLexicon = lex;
  }
  const hit = CLASS_CACHE.get(part);
  if (hit !== undefined) return hit;
  const lower = part.toLowerCase();
  const key = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  const cls: TokenClass = {
    key,
    honorific: HONORIFIC_WORDS.has(key),
    org: ORG_WORDS.has(key),
    suffix: SUFFIX.test(part),
    initial: INITIAL.test(part),
    role: ROLE_WORDS.has(key),
    first: lex.first.has(key),
    last: lex.last.has(key),
    common: lex.common.has(key),
    placeOne: lex.places.has(key),
    placePrefix: lex.placePrefixes.has(key),
    morph: SURNAME_MORPHOLOGY.test(key),
  };
  if (CLASS_CACHE.size >= CLASS_CACHE_MAX) CLASS_CACHE.clear();
  CLASS_CACHE.set(part, cls);
  return cls;
}

function analyseRun(text: string, tokens: Token[], lex: Lexicon, out: PiiEntity[]): void {
  let i = 0;
  let honorific = false;
  // Sentence-initial function words, roles and honorifics lead a run but are not part of a name;
  // a place name that starts with one ("South Africa", "United States") is kept whole.
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    if (t.honorific) {
      honorific = true;
      i++;
    } else if ((t.role || (t.common && !t.first)) && longestPlace(tokens, i, lex) === 0) {
      i++;
    } else break;
  }
  // Everything before the run's last organisation word names that organisation.
  let orgEnd = -1;
  for (let k = tokens.length - 1; k >= i; k--) {
    if ((tokens[k] as Token).org) {
      orgEnd = k;
      break;
    }
  }
  if (i < tokens.length && !honorific && cuePlace(text, tokens, i, lex, out)) return;
  while (i < tokens.length) {
    const place = longestPlace(tokens, i, lex);
    // A place inside an organisation's name ("Boston University", "Country Club") is not reported.
    if (place > 0 && i + place - 1 <= orgEnd) {
      i += place;
      honorific = false;
      continue;
    }
    if (place > 0 && !(honorific && i === 0)) {
      const first = tokens[i] as Token;
      const last = tokens[i + place - 1] as Token;
      const personish = place === 1 && (first.first || first.last) && !lex.countries.has(first.key);
      const sequenceLen = personSpanLength(tokens, i, lex);
      // A place word that continues into a longer person-like run ("Allen Jackson") is a name.
      if (!(personish && sequenceLen > 1)) {
        pushPlace(text, first.start, last.end, place, personish, lex, out);
        // A lone first name that is also a town ("Gary") is scored both ways; context decides.
        if (!personish || i < orgEnd) {
          i += place;
          honorific = false;
          continue;
        }
      }
    }
    const len = personSpanLength(tokens, i, lex);
    if (len === 0) {
      i++;
      honorific = false;
      continue;
    }
    const span = tokens.slice(i, i + len);
    const score = i + len - 1 < orgEnd ? 0 : personScore(text, span, honorific, lex);
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

/**
 * An unknown place right after a travel/residence cue ("flew to Loeches", "based in NAANTALI"):
 * up to four tokens that are not ordinary words. Pushes it and returns true when the cue holds.
 */
function cuePlace(text: string, tokens: Token[], i: number, lex: Lexicon, out: PiiEntity[]): boolean {
  const first = tokens[i] as Token;
  const before = text.slice(Math.max(0, first.start - PLACE_CUE_TAIL), first.start);
  if (!PLACE_CUE.test(before)) return false;
  let n = 0;
  while (i + n < tokens.length && n < 4) {
    const t = tokens[i + n] as Token;
    if (t.org || t.honorific || (t.common && !lex.places.has(t.key))) break;
    n++;
  }
  if (n === 0) return false;
  const last = tokens[i + n - 1] as Token;
  const end = last.text.endsWith('.') && !last.initial ? last.end - 1 : last.end;
  // A gazetteer hit under the same cue is the surest; an unseen name still beats a lone first name.
  const known = longestPlace(tokens, i, lex) > 0;
  out.push({ type: 'LOCATION', start: first.start, end, score: known ? 0.9 : 0.8, recognizer: 'location.cue' });
  return true;
}

/** Number of tokens from `i` that form the longest gazetteer place name. */
function longestPlace(tokens: Token[], i: number, lex: Lexicon): number {
  // Each token belongs to exactly one analysed array (the sentence pieces partition the run)
  // and is always looked up at the same index in it, so the answer can live on the token.
  const from = tokens[i];
  if (from === undefined) return 0;
  if (from.place < 0) from.place = longestPlaceUncached(tokens, i, lex);
  return from.place;
}

function longestPlaceUncached(tokens: Token[], i: number, lex: Lexicon): number {
  const head = tokens[i] as Token;
  // Most words start no multi-word place, so the per-word flags answer without a set lookup.
  if (!head.placePrefix || lex.maxPlaceTokens < 2 || i + 1 >= tokens.length) return head.placeOne ? 1 : 0;
  let key = head.key;
  let best = head.placeOne ? 1 : 0;
  for (let n = 2; n <= lex.maxPlaceTokens && i + n - 1 < tokens.length; n++) {
    const t = tokens[i + n - 1] as Token;
    key = `${key} ${t.key}`;
    if (lex.places.has(key)) best = n;
    if (!lex.placePrefixes.has(key)) break;
  }
  return best;
}

function pushPlace(text: string, start: number, end: number, tokens: number, personish: boolean, lex: Lexicon, out: PiiEntity[]): void {
  // A sentence-final period belongs to the sentence, not the place.
  if (text.charCodeAt(end - 1) === 46) end--;
  const before = textBefore(text, start, 40);
  const value = text.slice(start, end);
  let score = tokens > 1 ? 0.7 : 0.6;
  const placeContext = PLACE_CONTEXT.test(before);
  const strong = STRONG_PLACE_CONTEXT.test(before);
  if (strong) score = 0.9;
  else if (placeContext) score += 0.15;
  // "at/to/from Gary" fits a person as well as a town; only a travel cue settles it for the town.
  if (personish && !strong) score -= 0.2;
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
    // A town after a first name ends the run only if it is not the name's last word ("James Sparks").
    const surnameTown = n === 1 && (tokens[i] as Token).first && i + n === tokens.length - 1 && !lex.countries.has(t.key);
    if (n > 0 && !known && !t.initial && !surnameTown && longestPlace(tokens, i + n, lex) > 0) break;
    n++;
  }
  return n;
}

function personScore(text: string, span: Token[], honorific: boolean, lex: Lexicon): number {
  const words = span.filter((t) => !t.initial && !t.suffix);
  if (words.length === 0) return 0;
  const hasInitial = span.length > words.length && span.length >= 3;
  const firstKnown = (words[0] as Token).first;
  const lastWord = words[words.length - 1] as Token;
  const lastKnown = lastWord.last || lastWord.first || lastWord.morph;
  const known = words.filter((t) => t.first || t.last).length;
  const anyCommon = words.some((t) => t.common);
  // ALL-CAPS runs are headings, acronyms and place lines far more often than names.
  const allCaps = words.every((t) => t.text.length > 1 && t.text === t.text.toUpperCase());
  const first = span[0] as Token;
  const before = textBefore(text, first.start, 32);
  const cue = honorific || PERSON_CONTEXT.test(before);
  const weakCue = !cue && WEAK_PERSON_CONTEXT.test(before);
  const last = span[span.length - 1] as Token;
  const after = canStartPersonAfter(text.charCodeAt(last.end)) && PERSON_AFTER.test(text.slice(last.end, last.end + 40));

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
    else score = t.morph ? 0.35 : 0.2;
  }
  if (allCaps) score -= 0.3;
  if (cue) score += honorific ? 0.4 : 0.25;
  else if (weakCue) score += 0.1;
  if (after) score += words.length >= 2 ? 0.25 : 0.15;
  // Street names are often named after people; a street word or house number settles it.
  if (!honorific && ((lastWord.key !== '' && lex.street.has(lastWord.key) && !lastWord.first) || (isBlank(text.charCodeAt(last.end)) && HOUSE_NUMBER_AFTER.test(text.slice(last.end, last.end + 24))))) score -= 0.35;
  return Math.min(1, Math.round(score * 100) / 100);
}

/** First characters PERSON_AFTER can start with: an apostrophe, comma, colon or blank. */
function canStartPersonAfter(c: number): boolean {
  return c === 32 || c === 9 || c === 39 || c === 0x2019 || c === 44 || c === 58;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
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
