/**
 * The literal shortcut in front of the injection rules' regexes. Each rule states what every match
 * of it must contain (its requirement, written beside the rule in rules.ts); this module compiles
 * all requirements into one automaton and finds, in one pass over the char codes, the line pairs
 * that meet some rule's requirement. Only those neighbourhoods are then searched with regexes.
 */

/**
 * A necessary condition for a rule to match: any one of its conjunctions holds, where a
 * conjunction holds when each of its groups has a literal that occurs in the text a match spans.
 * Literals are plain substrings of canonical text, so `\b`, optional parts and gaps never make a
 * literal miss: a literal only has to lie inside every match of the branch it stands for.
 */
export type Requirement = ReadonlyArray<ReadonlyArray<readonly string[]>>;

/**
 * Where rule matches can lie: `regions`, sorted and disjoint, for the one pass of every rule at
 * once; and per line pair, the rules whose requirement it meets, so that a neighbourhood is only
 * searched with the rules that can match in it.
 */
export interface Candidates {
  regions: Array<[number, number]>;
  pairStarts: number[];
  pairEnds: number[];
  pairRules: number[];
}

/**
 * Compiles one requirement per rule (rule i = bit i of the masks in `pairRules`); `reachAfter` is
 * how far past its line's end a match can reach into the next line.
 */
export function compilePrefilter(requirements: readonly Requirement[], reachAfter: number): (text: string) => Candidates {
  /**
   * The requirements compiled into one Aho–Corasick automaton over char codes: a single table
   * lookup per character finds every literal of every group at once, however many share a prefix
   * ("the …", "in your …"), and each state knows the groups whose literals end there. Characters
   * that occur in no literal share one symbol, so the table stays small.
   */
  const groupLiterals: string[][] = [];
  const conjunctions: number[][] = [];
  /** The rule (index into `requirements`) of each conjunction. */
  const conjunctionRule: number[] = [];
  for (const [rule, requirement] of requirements.entries()) {
    for (const conjunction of requirement) {
      conjunctionRule.push(rule);
      const groups: number[] = [];
      for (const group of conjunction) {
        if (group.some((literal) => literal.length === 0 || literal.includes('\n'))) throw new Error('rule-prefilter: literals must be non-empty and within a line');
        groups.push(groupLiterals.length);
        groupLiterals.push([...group]);
      }
      conjunctions.push(groups);
    }
  }

  /**
   * Char code → symbol of the automaton. ASCII characters of the literals get a symbol each, 0 is
   * every character no literal holds, and non-ASCII characters of the literals share a few symbols
   * by their code: a literal then also "occurs" where other letters of its script stand, which only
   * makes a few more lines candidates, while the table stays small enough to stay in cache.
   */
  const SYMBOL = new Uint8Array(0x10000);
  const NON_ASCII_SYMBOLS = 24;
  let symbolCount = 1;
  const literalCodes = new Set<number>();
  for (const group of groupLiterals) for (const literal of group) for (let i = 0; i < literal.length; i++) literalCodes.add(literal.charCodeAt(i));
  for (const c of [...literalCodes].sort((a, b) => a - b)) if (c < 0x80) SYMBOL[c] = symbolCount++;
  const firstNonAsciiSymbol = symbolCount;
  symbolCount += NON_ASCII_SYMBOLS;
  for (const c of literalCodes) if (c >= 0x80) SYMBOL[c] = firstNonAsciiSymbol + (c % NON_ASCII_SYMBOLS);

  /** Fixed from here on: a constant keeps the hot loop's index arithmetic cheap. */
  const SYMBOLS = symbolCount;
  const { DELTA, OUT_OFFSETS, OUT_GROUPS } = (() => {
    // The trie, with the groups of the literals ending at each node.
    const children: Array<Map<number, number>> = [new Map()];
    const ends: Array<Set<number>> = [new Set()];
    for (const [g, group] of groupLiterals.entries()) {
      for (const literal of group) {
        let node = 0;
        for (let i = 0; i < literal.length; i++) {
          const sym = SYMBOL[literal.charCodeAt(i)] ?? 0;
          let next = children[node]?.get(sym);
          if (next === undefined) {
            next = children.length;
            children.push(new Map());
            ends.push(new Set());
            children[node]?.set(sym, next);
          }
          node = next;
        }
        ends[node]?.add(g);
      }
    }
    // Breadth first, so a node's failure state (its longest proper suffix in the trie) is complete
    // before the node: its transitions and outputs follow from that state's.
    const states = children.length;
    if (states > 0xffff) throw new Error('rule-prefilter: too many literal states for 16-bit transitions');
    const delta = new Uint16Array(states * SYMBOLS);
    const fail = new Uint16Array(states);
    const queue: number[] = [];
    for (const [sym, child] of children[0] ?? []) {
      delta[sym] = child;
      queue.push(child);
    }
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q] ?? 0;
      const f = fail[node] ?? 0;
      for (const g of ends[f] ?? []) ends[node]?.add(g);
      for (let sym = 0; sym < SYMBOLS; sym++) delta[node * SYMBOLS + sym] = delta[f * SYMBOLS + sym] ?? 0;
      for (const [sym, child] of children[node] ?? []) {
        fail[child] = delta[f * SYMBOLS + sym] ?? 0;
        delta[node * SYMBOLS + sym] = child;
        queue.push(child);
      }
    }
    const offsets = new Int32Array(states + 1);
    const flat: number[] = [];
    for (let node = 0; node < states; node++) {
      offsets[node] = flat.length;
      flat.push(...(ends[node] ?? []));
      offsets[node + 1] = flat.length;
    }
    return { DELTA: delta, OUT_OFFSETS: offsets, OUT_GROUPS: Int32Array.from(flat) };
  })();

  // Each conjunction is listed under its first group: it can only hold where that group was seen,
  // so a line pair only evaluates the conjunctions of the groups it holds.
  const BY_FIRST_OFFSETS = new Int32Array(groupLiterals.length + 1);
  const BY_FIRST: number[] = [];
  for (let g = 0; g < groupLiterals.length; g++) {
    BY_FIRST_OFFSETS[g] = BY_FIRST.length;
    for (const [c, groups] of conjunctions.entries()) if (groups[0] === g) BY_FIRST.push(c);
    BY_FIRST_OFFSETS[g + 1] = BY_FIRST.length;
  }
  const CONJ_BY_FIRST = Int32Array.from(BY_FIRST);
  const CONJ_RULE = Int32Array.from(conjunctionRule);
  const CONJ_OFFSETS = new Int32Array(conjunctions.length + 1);
  const CONJ_GROUPS = new Int32Array(conjunctions.reduce((n, c) => n + c.length, 0));
  for (let c = 0, k = 0; c < conjunctions.length; c++) {
    CONJ_OFFSETS[c] = k;
    for (const g of conjunctions[c] ?? []) CONJ_GROUPS[k++] = g;
    CONJ_OFFSETS[c + 1] = k;
  }
  /** Per group, the number (from 1) of the last line an occurrence of one of its literals lay on. */
  const groupSeen = new Int32Array(groupLiterals.length);
  /** The distinct groups seen on the previous line and on the current one. */
  let seenBefore = new Int32Array(groupLiterals.length);
  let seenNow = new Int32Array(groupLiterals.length);

  /**
   * The rules (bit i for requirements[i]) with a conjunction whose first group is in
   * `seen[0..count)` and whose every group was seen on line `from` or later.
   */
  function rulesMet(seen: Int32Array, count: number, from: number): number {
    let rules = 0;
    for (let s = 0; s < count; s++) {
      const g = seen[s] ?? 0;
      for (let j = BY_FIRST_OFFSETS[g] ?? 0, jEnd = BY_FIRST_OFFSETS[g + 1] ?? 0; j < jEnd; j++) {
        const c = CONJ_BY_FIRST[j] ?? 0;
        let holds = true;
        for (let k = (CONJ_OFFSETS[c] ?? 0) + 1, end = CONJ_OFFSETS[c + 1] ?? 0; k < end; k++) {
          if ((groupSeen[CONJ_GROUPS[k] ?? 0] ?? 0) < from) {
            holds = false;
            break;
          }
        }
        if (holds) rules |= 1 << (CONJ_RULE[c] ?? 0);
      }
    }
    return rules;
  }

  /**
   * A line and the next one (a few patterns may cross one line break) are a candidate when the two
   * together hold what some rule's requirement asks for.
   */
  return function candidates(text: string): Candidates {
    const n = text.length;
    const found: Candidates = { regions: [], pairStarts: [], pairEnds: [], pairRules: [] };
    if (n === 0) return found;
    const { regions, pairStarts, pairEnds, pairRules } = found;
    let last: [number, number] | undefined;
    // Lines are numbered from 1 so that 0 in groupSeen means "never seen".
    groupSeen.fill(0);
    let line = 1;
    let lineStart = 0;
    let previousStart = 0;
    let previousEnd = -1;
    const emit = (rules: number, start: number, lineEnd: number, nextEnd: number): void => {
      const end = Math.min(nextEnd, lineEnd + reachAfter);
      pairStarts.push(start);
      pairEnds.push(end);
      pairRules.push(rules);
      if (last !== undefined && start <= last[1]) {
        last[1] = Math.max(last[1], end);
      } else {
        last = [start, end];
        regions.push(last);
      }
    };
    let state = 0;
    let before = 0;
    let now = 0;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? text.charCodeAt(i) : 0x0a;
      if (c === 0x0a) {
        // Line `line` ends at i: the previous line and this one together decide the previous line.
        if (before + now > 0 && line > 1) {
          const rules = rulesMet(seenBefore, before, line - 1) | rulesMet(seenNow, now, line - 1);
          if (rules !== 0) emit(rules, previousStart, previousEnd, i);
        }
        previousStart = lineStart;
        previousEnd = i;
        line++;
        lineStart = i + 1;
        state = 0;
        const swap = seenBefore;
        seenBefore = seenNow;
        seenNow = swap;
        before = now;
        now = 0;
        continue;
      }
      state = DELTA[state * SYMBOLS + (SYMBOL[c] ?? 0)] ?? 0;
      for (let k = OUT_OFFSETS[state] ?? 0, end = OUT_OFFSETS[state + 1] ?? 0; k < end; k++) {
        const g = OUT_GROUPS[k] ?? 0;
        if (groupSeen[g] !== line) {
          groupSeen[g] = line;
          seenNow[now++] = g;
        }
      }
    }
    // The last line has no next line: it decides alone (`line` is now one past it).
    if (before > 0) {
      const rules = rulesMet(seenBefore, before, line - 1);
      if (rules !== 0) emit(rules, previousStart, previousEnd, n);
    }
    return found;
  };
}
