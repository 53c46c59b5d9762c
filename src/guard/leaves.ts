/**
 * Tool arguments and results are JSON of any shape; scanners read text. This walks every string
 * leaf (object keys included, since a key can carry text too) and lets the caller replace it, with
 * a bounded depth: the strings of a subtree deeper than the bound are gathered (without recursion,
 * so no nesting can overflow the stack) and scanned as one text, rather than skipped; when that
 * text is rewritten, the subtree is replaced by it. Nothing reaches an agent unscanned.
 */

export type LeafVisitor = (text: string) => string;

export function mapStringLeaves(value: unknown, visit: LeafVisitor, maxDepth: number): unknown {
  return walk(value, visit, maxDepth, 0);
}

function walk(value: unknown, visit: LeafVisitor, maxDepth: number, depth: number): unknown {
  if (typeof value === 'string') return visit(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxDepth) {
    const text = gatherStrings(value);
    const visited = visit(text);
    return visited === text ? value : visited;
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = walk(item, visit, maxDepth, depth + 1);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const nextKey = visit(key);
    const next = walk(item, visit, maxDepth, depth + 1);
    if (nextKey !== key || next !== item) changed = true;
    out[nextKey] = next;
  }
  return changed ? out : value;
}

/** Every key and string of a subtree, one per line, gathered with an explicit stack. */
function gatherStrings(root: unknown): string {
  const out: string[] = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const value = stack.pop();
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
    else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]![1], entries[i]![0]);
    }
  }
  return out.join('\n');
}

/**
 * A text that is itself JSON (MCP tools often return their data as a JSON string in a text
 * item) is walked leaf by leaf, so one injected field is neutralised without losing the rest.
 */
export function mapTextOrJson(text: string, visit: LeafVisitor, maxDepth: number, cache?: JsonCache): string {
  let parsed = cache?.get(text);
  if (parsed === undefined) {
    parsed = looksLikeJson(text) ? parseOrNotJson(text) : NOT_JSON;
    cache?.set(text, parsed);
  }
  if (parsed === NOT_JSON) return visit(text);
  const mapped = mapStringLeaves(parsed, visit, maxDepth);
  return mapped === parsed ? text : JSON.stringify(mapped);
}

/** Texts already parsed, so a result walked twice (to collect its strings, then to rewrite them) is parsed once. */
export type JsonCache = Map<string, unknown>;

const NOT_JSON = Symbol('not JSON');

/** Whether the first character that is not white space opens an object or an array. */
function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b || c === 0x5b;
  }
  return false;
}

function parseOrNotJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}
