/**
 * Text normalization for the content guard. Attackers dodge pattern and n-gram detectors with
 * cheap tricks — look-alike letters, invisible characters, spaced-out words, leetspeak, markup in
 * the middle of words, base64 — so every detector reads the text through `normalize` first.
 *
 * Everything here is linear in the input and skips a step entirely when a cheap precondition
 * shows it cannot apply, because the scanners sit on every call and ordinary text must stay fast.
 */

/** The readings of one text that detectors should look at. */
export interface NormalizedText {
  /**
   * Lower case, NFKC, invisible and bidi controls removed, Cyrillic/Greek look-alikes folded to
   * Latin inside mixed-script words, HTML tags and inline emphasis markers removed, entities decoded,
   * spaced-out letters joined, runs of blanks collapsed. Line breaks are kept so documents can
   * still be cut into lines.
   */
  canonical: string;
  /**
   * Further readings that only exist when the text hides something: decoded base64 / hex /
   * URL-encoded runs, Unicode tag smuggling, a leetspeak reading. Each is canonicalized too.
   * Empty for ordinary text.
   */
  decoded: string[];
}

/** Upper bound on decoded candidate runs per text: a log full of hashes must not cost more than it is worth. */
const MAX_DECODE_CANDIDATES = 32;
const MAX_DECODED_CHARS = 64 * 1024;

// Zero-width, soft hyphen, bidi embeddings/isolates, word joiners, BOM and variation selectors:
// they render as nothing, so they only ever serve to split a word a detector would see.
// The class lists combining marks and variation selectors on purpose: they are what gets removed.
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class
  /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]|\udb40[\udc00-\udc7f]|\udb40[\udd00-\uddef]/g;
// Anything outside printable ASCII and common whitespace (controls count too: NFKC leaves them be).
const HAS_NON_ASCII = /[^ -~\t\n\r]/;

/** Cyrillic and Greek letters that render like Latin ones (after lower-casing). */
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', һ: 'h', і: 'i', ї: 'i', ј: 'j', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p',
  с: 'c', ѕ: 's', т: 't', у: 'y', х: 'x', ԁ: 'd', ԛ: 'q', ԝ: 'w', ɡ: 'g', ɩ: 'i', ı: 'i',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y',
  ω: 'w', ϲ: 'c', ϳ: 'j',
};
const HOMOGLYPH_CLASS = new RegExp(`[${Object.keys(HOMOGLYPHS).join('')}]`, 'g');
const HAS_CONFUSABLE_SCRIPT = /[\u0370-\u03ff\u0400-\u052f\u0131\u0261\u0269]/;
// Only words that mix Latin with look-alikes are folded: genuine Russian or Greek text stays
// readable for the rules written in those languages.
const MIXED_WORD = /[\p{L}\p{M}]*[a-z][\p{L}\p{M}]*/gu;

// Only real HTML tag names: a fake `<system>` tag is itself a signal the rules look for.
const INLINE_TAG = /<\/?(?:a|abbr|b|bdi|bdo|cite|code|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|span|strike|strong|sub|sup|tt|u|var|wbr)(?:\s[^<>]{0,300})?\/?>/gi;
const BLOCK_TAG = /<\/?(?:address|article|aside|blockquote|body|br|button|caption|center|col|colgroup|dd|details|dialog|div|dl|dt|fieldset|figcaption|figure|footer|form|h[1-6]|head|header|hr|html|iframe|img|input|label|legend|li|link|main|meta|nav|noscript|ol|option|p|pre|script|section|select|style|summary|svg|table|tbody|td|textarea|tfoot|th|thead|title|tr|ul)(?:\s[^<>]{0,300})?\/?>/gi;
const HTML_COMMENT_MARK = /<!--|-->/g;
// Emphasis, code and strike markers inside a word ("ig**no**re", "ig`nor`e").
const HAS_MARKUP_CHAR = /[*~`]/;
const INWORD_MARKUP = /(?<=\p{L})[*~`]{1,3}(?=\p{L})/gu;

const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]{2,8}));/gi;
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', colon: ':', sol: '/', lpar: '(', rpar: ')',
  period: '.', comma: ',', excl: '!', quest: '?', num: '#', dollar: '$', percnt: '%', lowbar: '_',
};

// Single spaces are left alone: replacing each of them would dominate the cost on ordinary text.
const BLANKS = /[ \t\f\v\u00a0\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{2,}|[\t\f\v\u00a0\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/g;
const CR = /\r\n?/g;

const MIN_ENCODED_RUN = 16;
const ESCAPED_HEX_RUN = /(?:\\x[0-9a-fA-F]{2}){8,}/g;
const URL_ESCAPE = /%[0-9a-fA-F]{2}/;
const URL_ESCAPES = /(?:%[0-9a-fA-F]{2})+/g;
const TAG_CHARS = /\udb40[\udc20-\udc7e]/g;
const HAS_TAG_CHARS = /\udb40[\udc20-\udc7e]/;

// Digits inside words; '@' and '$' alone are too common (emails, prices) to justify a second view.
const LEET_HINT = /[a-z][013457][a-z]|(?<![a-z0-9])[013457][a-z]{2}/;
// The leetspeak reading: 0 → o, 1 → i, 3 → e, 4 → a, 5 → s, 7 → t, @ → a, $ → s (see leetLetter).

/** Reads a text the way the detectors should: see {@link NormalizedText}. Never throws. */
export function normalize(text: string): NormalizedText {
  const wellFormed = text.toWellFormed();
  const canonical = canonicalize(wellFormed);
  const decoded: string[] = [];
  const seen = new Set<string>([canonical]);
  const add = (view: string): void => {
    if (view.length > 0 && !seen.has(view)) {
      seen.add(view);
      decoded.push(view);
    }
  };
  for (const raw of decodeHidden(wellFormed)) add(canonicalize(raw));
  const leet = leetView(canonical);
  if (leet !== undefined) add(leet);
  return { canonical, decoded };
}

/** Only the canonical reading (see {@link NormalizedText.canonical}); idempotent. */
export function canonicalize(input: string): string {
  let text = input.toWellFormed().replace(CR, '\n');
  if (text.includes('&')) text = decodeEntities(text);
  if (text.includes('<')) text = text.replace(HTML_COMMENT_MARK, ' ').replace(INLINE_TAG, '').replace(BLOCK_TAG, '\n');
  if (HAS_NON_ASCII.test(text)) {
    text = text.normalize('NFKC').replace(INVISIBLE, '');
  }
  text = text.toLowerCase();
  if (HAS_CONFUSABLE_SCRIPT.test(text)) text = foldHomoglyphs(text);
  if (HAS_MARKUP_CHAR.test(text)) text = text.replace(INWORD_MARKUP, '');
  text = joinSpacedLetters(text);
  return text.replace(BLANKS, ' ');
}

function decodeEntities(text: string): string {
  return text.replace(ENTITY, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec !== undefined || hex !== undefined) {
      const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[(name ?? '').toLowerCase()] ?? whole;
  });
}

function foldHomoglyphs(text: string): string {
  return text.replace(MIXED_WORD, (word) =>
    HAS_CONFUSABLE_SCRIPT.test(word) ? word.replace(HOMOGLYPH_CLASS, (ch) => HOMOGLYPHS[ch] ?? ch) : word,
  );
}

/**
 * Joins runs of three or more single letters separated by one space, dot, dash or underscore
 * ("i g n o r e" → "ignore"). A wider gap between such runs is the word break the attacker kept,
 * and survives as a space. One pass: a failed run is skipped whole, never re-scanned.
 */
function joinSpacedLetters(text: string): string {
  const n = text.length;
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < n) {
    // A run that gets joined has a letter, a separator, a letter and a separator: skip straight
    // to the next separator two places before another, since nothing before it can be joined.
    let s = i + 1;
    while (s < n && !(isSeparator(text.charCodeAt(s)) && isSeparator(text.charCodeAt(s + 2)))) s++;
    if (s >= n) break;
    i = s - 1;
    if (!isLetterAt(text, i) || (i > 0 && isWordAt(text, i - 1)) || i + 2 >= n) {
      i++;
      continue;
    }
    let j = i;
    while (j + 2 < n && isSeparator(text.charCodeAt(j + 1)) && isLetterAt(text, j + 2)) j += 2;
    // The last letter may begin an ordinary word ("a b cd"): it does not belong to the run.
    if (j + 1 < n && isWordAt(text, j + 1)) j -= 2;
    if (j - i >= 4) {
      out += text.slice(copied, i);
      for (let k = i; k <= j; k += 2) out += text[k];
      copied = j + 1;
    }
    i = Math.max(j + 1, i + 1);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function isSeparator(c: number): boolean {
  // Letters fail the first comparison: they are most of the text.
  return c < 0x60 && (c === 0x20 || c === 0x2e || c === 0x2d || c === 0x5f);
}

const NON_ASCII_LETTER = /\p{L}/u;
const NON_ASCII_WORD = /[\p{L}\p{N}\p{M}]/u;

function isLetterAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
  return NON_ASCII_LETTER.test(text[i] ?? '');
}

function isWordAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
  return NON_ASCII_WORD.test(text[i] ?? '');
}

/** Decodes base64 / hex / URL-escaped runs and Unicode tag characters that read as mostly printable text. */
function decodeHidden(text: string): string[] {
  const out: string[] = [];
  let budget = MAX_DECODED_CHARS;
  const keep = (decoded: string | undefined): void => {
    if (decoded === undefined || budget <= 0) return;
    const clipped = decoded.slice(0, budget);
    budget -= clipped.length;
    out.push(clipped);
  };
  if (HAS_TAG_CHARS.test(text)) {
    let smuggled = '';
    for (const m of text.matchAll(TAG_CHARS)) smuggled += String.fromCharCode(m[0].charCodeAt(1) - 0xdc00);
    keep(smuggled);
  }
  if (text.length >= MIN_ENCODED_RUN) {
    for (const run of encodedRuns(text)) keep(decodeRun(run));
    if (text.includes('\\x')) {
      let candidates = 0;
      for (const m of text.matchAll(ESCAPED_HEX_RUN)) {
        if (++candidates > MAX_DECODE_CANDIDATES) break;
        keep(readable(Buffer.from(m[0].replace(/\\x/g, ''), 'hex').toString('utf8')));
      }
    }
  }
  if (URL_ESCAPE.test(text)) {
    keep(
      readable(
        text.replace(URL_ESCAPES, (run) => {
          try {
            return decodeURIComponent(run);
          } catch {
            return run;
          }
        }),
      ),
    );
  }
  return out;
}

/** Runs of the base64 alphabet long enough to hide a sentence, found in one pass. */
function encodedRuns(text: string): string[] {
  const runs: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    const inAlphabet =
      (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2b || c === 0x2f || c === 0x3d || c === 0x2d || c === 0x5f;
    if (inAlphabet) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start >= MIN_ENCODED_RUN) {
      runs.push(text.slice(start, i));
      if (runs.length >= MAX_DECODE_CANDIDATES) break;
    }
    start = -1;
  }
  return runs;
}

function decodeRun(run: string): string | undefined {
  if (/^[0-9a-fA-F]+$/.test(run)) {
    return run.length % 2 === 0 ? readable(Buffer.from(run, 'hex').toString('utf8')) : undefined;
  }
  // A plain word or identifier ("internationalization", "snake_case_name") is not worth decoding.
  if (!/[A-Z]/.test(run) || !/[a-z]/.test(run)) return undefined;
  return readable(Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
}

/** The decoded text if it is mostly printable and has words in it, else undefined. */
function readable(decoded: string): string | undefined {
  if (decoded.length < 6) return undefined;
  let printable = 0;
  let letters = 0;
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) || c === 0x7f) continue;
    printable++;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c >= 0xc0) letters++;
  }
  return printable >= decoded.length * 0.9 && letters >= decoded.length * 0.5 && decoded.includes(' ') ? decoded : undefined;
}

/** Tokens longer than this are ids, hashes or keys rather than disguised words. */
const MAX_LEET_TOKEN = 24;

/**
 * A leetspeak reading of the lines that hold a token mixing letters with look-alike digits or
 * symbols, only those lines: ids and hashes in a log would otherwise make every document be read
 * twice in full. Hex-only tokens (hashes, UUID parts) are left alone for the same reason.
 */
function leetView(canonical: string): string | undefined {
  if (!LEET_HINT.test(canonical)) return undefined;
  const n = canonical.length;
  let view = '';
  let line = '';
  let copied = 0;
  let lineChanged = false;
  let i = 0;
  while (i <= n) {
    const c = i < n ? canonical.charCodeAt(i) : 0x0a;
    if (c === 0x0a) {
      if (lineChanged) view += (view === '' ? '' : '\n') + line + canonical.slice(copied, i);
      line = '';
      lineChanged = false;
      copied = i + 1;
      i++;
      continue;
    }
    if (!isLeetTokenChar(c)) {
      i++;
      continue;
    }
    let j = i;
    let leet = 0;
    let letters = 0;
    let nonHex = 0;
    for (; j < n; j++) {
      const d = canonical.charCodeAt(j);
      if (d >= 0x61 && d <= 0x7a) {
        letters++;
        if (d > 0x66) nonHex++;
      } else if ((d >= 0x30 && d <= 0x39) || d === 0x40 || d === 0x24) {
        if (leetLetter(d) !== d) leet++;
      } else {
        break;
      }
    }
    if (leet > 0 && letters > 0 && j - i <= MAX_LEET_TOKEN && (nonHex > 0 || canonical.charCodeAt(i) === 0x40 || canonical.charCodeAt(i) === 0x24)) {
      const codes: number[] = [];
      for (let k = i; k < j; k++) codes.push(leetLetter(canonical.charCodeAt(k)));
      line += canonical.slice(copied, i) + String.fromCharCode(...codes);
      copied = j;
      lineChanged = true;
    }
    i = j;
  }
  return view === '' ? undefined : view;
}

/** The letter a leetspeak digit or symbol stands for, else the character itself. */
function leetLetter(c: number): number {
  switch (c) {
    case 0x30:
      return 0x6f; // 0 → o
    case 0x31:
      return 0x69; // 1 → i
    case 0x33:
      return 0x65; // 3 → e
    case 0x34:
      return 0x61; // 4 → a
    case 0x35:
      return 0x73; // 5 → s
    case 0x37:
      return 0x74; // 7 → t
    case 0x40:
      return 0x61; // @ → a
    case 0x24:
      return 0x73; // $ → s
    default:
      return c;
  }
}

function isLeetTokenChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x40 || c === 0x24;
}
