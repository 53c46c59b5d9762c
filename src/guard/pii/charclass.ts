/**
 * Character-class fragments for regexes on the hot path. V8 runs `\p{...}` classes (which need
 * the `u` flag) several times slower than plain ranges, so name and address patterns use
 * these BMP ranges for the scripts the gazetteer covers (Latin, Greek, Cyrillic) instead.
 */

/** Letters and combining marks: Latin + Latin-1 + Extended-A/B, IPA, Greek, Cyrillic. */
export const LETTER = 'A-Za-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u024F\\u0300-\\u036F\\u0370-\\u03FF\\u0400-\\u04FF';

/**
 * Possible upper-case first letters. Latin Extended-A interleaves cases, so the whole block is
 * included and callers confirm with `isUpper` where it matters.
 */
export const UPPER = 'A-Z\\u00C0-\\u00D6\\u00D8-\\u00DE\\u0100-\\u017F\\u0386-\\u03AB\\u0400-\\u042F';

/** Whether the first character of `word` is an upper-case letter. */
export function isUpper(word: string): boolean {
  const c = word.charAt(0);
  return c !== c.toLowerCase();
}
