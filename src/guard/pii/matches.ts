/**
 * Every match of a global regex, as `[...text.matchAll(re)]` would give them. `matchAll` clones
 * the regex on every call (a species construction); on short texts that clone, not the search,
 * was most of a recognizer's time (7× slower than an `exec` loop on the presidio texts).
 * Matches are collected before the caller looks at them, so a loop body that uses `re` again
 * cannot disturb the iteration. Callers must not share `re` with code that leaves `lastIndex`
 * non-zero: matchAll started there, this starts at 0.
 */
export function allMatches(re: RegExp, text: string): RegExpExecArray[] {
  const found: RegExpExecArray[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    found.push(m);
    // An empty match would repeat forever; step past it as matchAll does (by code point under u/v).
    if (m[0].length === 0) re.lastIndex = advance(text, re.lastIndex, re.unicode || re.flags.includes('v'));
  }
  return found;
}

function advance(text: string, index: number, unicode: boolean): number {
  if (!unicode || index + 1 >= text.length) return index + 1;
  const c = text.charCodeAt(index);
  if (c < 0xd800 || c > 0xdbff) return index + 1;
  const d = text.charCodeAt(index + 1);
  return d >= 0xdc00 && d <= 0xdfff ? index + 2 : index + 1;
}
