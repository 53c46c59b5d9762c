/**
 * Span plumbing for the PII evaluation: offsets from Python (code points) into JavaScript string
 * indices, the entity-type families the table scores on, and span recovery for peers that only
 * hand back redacted text.
 */

export interface Span {
  type: string;
  start: number;
  end: number;
}

/**
 * Maps code-point offsets of `text` to UTF-16 indices. Built once per text: the dataset's offsets
 * come from Python, and any character outside the BMP before a span shifts every JS index after it.
 */
export function codePointToUtf16(text: string): (cp: number) => number {
  const table: number[] = [0];
  let unit = 0;
  for (const ch of text) {
    unit += ch.length;
    table.push(unit);
  }
  return (cp: number) => {
    const at = table[cp];
    if (at === undefined) throw new RangeError(`code-point offset ${cp} outside text of ${table.length - 1} code points`);
    return at;
  };
}

/**
 * Presidio-research scores GPE / STREET_ADDRESS as LOCATION and DOMAIN_NAME as URL; peers name the
 * same things differently again, so matching happens on these families, not on raw type names.
 */
const FAMILY: Record<string, string> = {
  GPE: 'LOCATION',
  STREET_ADDRESS: 'LOCATION',
  ADDRESS: 'LOCATION',
  CITY: 'LOCATION',
  COUNTRY: 'LOCATION',
  LOCATION: 'LOCATION',
  DOMAIN_NAME: 'URL',
  URL: 'URL',
};

export function entityFamily(type: string): string {
  return FAMILY[type] ?? type;
}

export interface SpanCounts {
  /** Gold spans found. */
  tp: number;
  /** Predictions that match no gold span. */
  fp: number;
  /** Gold spans not found. */
  fn: number;
  /** Predictions that match a gold span; precision is matchedPredicted / (matchedPredicted + fp). */
  matchedPredicted: number;
}

/**
 * A stricter, one-to-one alternative to Warden's `scoreSpans` (which lets one long prediction find
 * several gold pieces), kept for comparison and pinned by the tests: a prediction matches a gold entity of the same family when the spans overlap; each side
 * matches at most once (largest overlap first). Only types in `scope` count, on both sides, so a
 * peer's out-of-scope findings (a gamer tag, a tracking number) are neither hits nor false alarms.
 */
export function overlapScore(gold: readonly Span[], pred: readonly Span[], scope: ReadonlySet<string>): SpanCounts {
  const g = gold.filter((s) => scope.has(entityFamily(s.type)));
  const p = pred.filter((s) => scope.has(entityFamily(s.type)));
  const pairs: Array<{ gi: number; pi: number; overlap: number }> = [];
  g.forEach((gs, gi) => {
    p.forEach((ps, pi) => {
      const overlap = Math.min(gs.end, ps.end) - Math.max(gs.start, ps.start);
      if (overlap > 0 && entityFamily(gs.type) === entityFamily(ps.type)) pairs.push({ gi, pi, overlap });
    });
  });
  pairs.sort((a, b) => b.overlap - a.overlap || a.gi - b.gi || a.pi - b.pi);
  const usedG = new Set<number>();
  const usedP = new Set<number>();
  for (const { gi, pi } of pairs) {
    if (usedG.has(gi) || usedP.has(pi)) continue;
    usedG.add(gi);
    usedP.add(pi);
  }
  return { tp: usedG.size, fp: p.length - usedP.size, fn: g.length - usedG.size, matchedPredicted: usedP.size };
}

type Token = { kind: 'lit'; ch: string } | { kind: 'ph'; type: string; raw: string };

export interface Recovered {
  spans: Span[];
  /** False when no alignment exists (the peer changed text outside its placeholders, e.g. by normalising). */
  aligned: boolean;
}

/** Above this many DP cells the alignment would cost more than the scan; such texts are reported unaligned. */
const MAX_CELLS = 20_000_000;

/**
 * Recovers the spans a redactor replaced by aligning its output with the input. `placeholder` is a
 * global regex over the redacted text whose match is one placeholder; `typeOf` names the entity from
 * that match. Literal text must match exactly and each placeholder stands for at least one input
 * character, so the alignment is found by dynamic programming over (input position, output token),
 * never by a greedy search that a repeated separator could derail. Where several alignments exist
 * the choice is: a placeholder that also occurs literally in the input at that point is literal
 * text; otherwise the shortest replaced span that neither starts nor ends with whitespace, else the
 * shortest.
 */
export function recoverRedactedSpans(original: string, redacted: string, placeholder: RegExp, typeOf: (match: RegExpExecArray) => string | undefined): Recovered {
  const tokens: Token[] = [];
  const re = new RegExp(placeholder.source, placeholder.flags.includes('g') ? placeholder.flags : `${placeholder.flags}g`);
  let last = 0;
  for (let m = re.exec(redacted); m !== null; m = re.exec(redacted)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const type = typeOf(m);
    if (type === undefined) continue;
    for (const ch of redacted.slice(last, m.index)) tokens.push({ kind: 'lit', ch });
    tokens.push({ kind: 'ph', type, raw: m[0] });
    last = m.index + m[0].length;
  }
  for (const ch of redacted.slice(last)) tokens.push({ kind: 'lit', ch });
  if (!tokens.some((t) => t.kind === 'ph')) return { spans: [], aligned: original === redacted };

  const n = original.length;
  const m = tokens.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) return { spans: [], aligned: false };
  const w = m + 1;
  // ok[i*w+j]: original.slice(i) aligns with tokens.slice(j). any[i*w+j]: ok holds for some k > i at column j.
  const ok = new Uint8Array((n + 1) * w);
  const any = new Uint8Array((n + 2) * w);
  ok[n * w + m] = 1;
  for (let j = m; j >= 0; j--) {
    for (let i = n; i >= 0; i--) {
      if (j < m) {
        const t = tokens[j]!;
        let v = 0;
        if (t.kind === 'lit') {
          if (original.startsWith(t.ch, i) && i + t.ch.length <= n && ok[(i + t.ch.length) * w + j + 1]) v = 1;
        } else {
          if (any[i * w + j + 1]) v = 1;
          else if (original.startsWith(t.raw, i) && ok[(i + t.raw.length) * w + j + 1]) v = 1;
        }
        ok[i * w + j] = v;
      }
      // any[i][j] = OR over k in (i, n] of ok[k][j]
      any[i * w + j] = i + 1 <= n ? (ok[(i + 1) * w + j]! | any[(i + 1) * w + j]!) : 0;
    }
  }
  if (!ok[0]) return { spans: [], aligned: false };

  const spans: Span[] = [];
  let i = 0;
  for (let j = 0; j < m; j++) {
    const t = tokens[j]!;
    if (t.kind === 'lit') {
      i += t.ch.length;
      continue;
    }
    if (original.startsWith(t.raw, i) && ok[(i + t.raw.length) * w + j + 1]) {
      i += t.raw.length;
      continue;
    }
    let chosen = -1;
    for (let k = i + 1; k <= n; k++) {
      if (!ok[k * w + j + 1]) continue;
      if (chosen < 0) chosen = k;
      if (!/\s/.test(original[i]!) && !/\s/.test(original[k - 1]!)) {
        chosen = k;
        break;
      }
    }
    spans.push({ type: t.type, start: i, end: chosen });
    i = chosen;
  }
  return { spans, aligned: true };
}

export interface Normalized {
  text: string;
  /** Maps a span of the normalised text back to the input, widened to whole input characters where it cuts through an expansion. */
  toOriginal(span: Span): Span | undefined;
}

/**
 * Normalises `text` one code point at a time while remembering where each output unit came from, so
 * spans a peer reports on its normalised copy (e.g. NFKC: "½" → "1⁄2") can be mapped back. Returns
 * undefined when per-character normalisation is not the same as normalising the whole text
 * (composing sequences), since the offsets would then be guesses.
 */
export function normalizeWithOffsets(text: string, perChar: (ch: string) => string, whole: (t: string) => string): Normalized | undefined {
  const starts: number[] = [];
  const ends: number[] = [];
  let out = '';
  let at = 0;
  for (const ch of text) {
    const n = perChar(ch);
    for (let k = 0; k < n.length; k++) {
      starts.push(at);
      ends.push(at + ch.length);
    }
    out += n;
    at += ch.length;
  }
  if (out !== whole(text)) return undefined;
  return {
    text: out,
    toOriginal: (s) => {
      const start = starts[s.start];
      const end = ends[s.end - 1];
      return start === undefined || end === undefined || end <= start ? undefined : { type: s.type, start, end };
    },
  };
}
