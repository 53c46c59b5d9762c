/**
 * Fixed-string replacements for context regexes of the form `(?:w1|w2|...)\s*[:,]?\s*$`.
 * Such a regex has no anchor on the left, so V8 retries the whole alternation at every position
 * of the window; here only the one or two places a cue word can end are checked. Each checker
 * answers exactly what its regex did, including `\s`, `\b` and (for ASCII-only `i` regexes) case.
 */

/** Code units a non-`u` JS regex matches with `\s` (WhiteSpace and LineTerminator). */
export function isRegexSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** `\w` without the `u` flag: ASCII letters, digits and underscore. */
export function isAsciiWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** How the cue word may be followed before the end of the window. */
type Tail =
  /** `\s*[:,]?\s*$` */
  | 'colon'
  /** `\s*$` */
  | 'space'
  /** `[ \t]+$` */
  | 'blank';

export interface CueOptions {
  tail: Tail;
  /** Each word is preceded by `\b` in the regex (words here always start with a letter). */
  boundary: boolean;
  /** The regex had the `i` flag (and no `u`): ASCII letters match either case, nothing else does. */
  ignoreCase?: boolean;
}

/** A compiled cue list; `test(s)` equals the regex's `test` on the same window string. */
export class SuffixCue {
  /** Words by their last code unit (lower-case): one char test rules out most of the list. */
  private readonly byLast: ReadonlyMap<number, readonly string[]>;
  private readonly opts: CueOptions;

  constructor(words: readonly string[], opts: CueOptions) {
    const byLast = new Map<number, string[]>();
    for (const w of words) {
      const c = w.charCodeAt(w.length - 1);
      const list = byLast.get(c);
      if (list === undefined) byLast.set(c, [w]);
      else list.push(w);
    }
    this.byLast = byLast;
    this.opts = opts;
  }

  test(s: string): boolean {
    let p1 = s.length;
    if (this.opts.tail === 'blank') {
      while (p1 > 0) {
        const c = s.charCodeAt(p1 - 1);
        if (c !== 32 && c !== 9) break;
        p1--;
      }
      // `[ \t]+` needs at least one blank.
      return p1 < s.length && this.endsAt(s, p1);
    }
    while (p1 > 0 && isRegexSpace(s.charCodeAt(p1 - 1))) p1--;
    // Words never end in whitespace, so a word can end only where the whitespace run starts…
    if (this.endsAt(s, p1)) return true;
    if (this.opts.tail === 'space' || p1 === 0) return false;
    const c = s.charCodeAt(p1 - 1);
    if (c !== 58 && c !== 44) return false;
    // …or, past an optional colon/comma, where the whitespace before that starts.
    let p2 = p1 - 1;
    while (p2 > 0 && isRegexSpace(s.charCodeAt(p2 - 1))) p2--;
    return this.endsAt(s, p2);
  }

  private endsAt(s: string, q: number): boolean {
    if (q === 0) return false;
    let last = s.charCodeAt(q - 1);
    if (this.opts.ignoreCase === true && last >= 65 && last <= 90) last += 32;
    const words = this.byLast.get(last);
    if (words === undefined) return false;
    for (const w of words) {
      const from = q - w.length;
      if (from < 0) continue;
      if (this.opts.ignoreCase === true ? !matchesAsciiIgnoreCase(s, from, w) : !s.startsWith(w, from)) continue;
      if (this.opts.boundary && from > 0 && isAsciiWord(s.charCodeAt(from - 1))) continue;
      return true;
    }
    return false;
  }
}

/** `w` is lower-case ASCII; only A-Z fold onto it, as in a non-`u` `i` regex. */
function matchesAsciiIgnoreCase(s: string, from: number, w: string): boolean {
  for (let k = 0; k < w.length; k++) {
    let c = s.charCodeAt(from + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== w.charCodeAt(k)) return false;
  }
  return true;
}
