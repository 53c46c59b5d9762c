/**
 * Which attributes of `context`, `principal` and `resource` a policy can read. Cedar converts
 * every value handed to it across the WASM boundary on every call, so Warden hands over only what
 * the policies of a slice can read; anything else cannot change the decision or its errors.
 */
export interface PathTree {
  /** The value at this path is used as a whole (compared, or read by an operator we do not trace). */
  whole: boolean;
  children: Map<string, PathTree>;
}

export type Root = 'context' | 'principal' | 'resource';
export type RootPaths = Record<Root, PathTree>;

const node = (): PathTree => ({ whole: false, children: new Map() });
export const emptyPaths = (): RootPaths => ({ context: node(), principal: node(), resource: node() });

function mark(tree: PathTree, path: readonly string[]): void {
  let at = tree;
  for (const key of path) {
    if (at.whole) return;
    let next = at.children.get(key);
    if (!next) at.children.set(key, (next = node()));
    at = next;
  }
  at.whole = true;
}

function pathOf(expr: unknown): { root: string; path: string[] } | undefined {
  if (typeof expr !== 'object' || expr === null) return undefined;
  const e = expr as { Var?: string; '.'?: { left: unknown; attr: string } };
  if (typeof e.Var === 'string') return { root: e.Var, path: [] };
  if (e['.']) {
    const inner = pathOf(e['.'].left);
    return inner && { root: inner.root, path: [...inner.path, e['.'].attr] };
  }
  return undefined;
}

/** Adds every attribute path the expression (a policy's JSON conditions) can read to `into`. */
export function collectPaths(expr: unknown, into: RootPaths): void {
  if (Array.isArray(expr)) {
    for (const e of expr) collectPaths(e, into);
    return;
  }
  if (typeof expr !== 'object' || expr === null) return;
  const e = expr as Record<string, unknown>;
  const access = (e['.'] ?? e.has) as { left: unknown; attr: string | string[] } | undefined;
  if (access) {
    const base = pathOf(access.left);
    if (base && base.root in into) {
      mark(into[base.root as Root], [...base.path, ...(Array.isArray(access.attr) ? access.attr : [access.attr])]);
      return;
    }
  }
  // The whole context used directly (compared, say): hand it over whole. A bare principal or
  // resource is compared or tested for membership, which needs no attributes.
  if (e.Var === 'context') {
    into.context.whole = true;
    return;
  }
  for (const value of Object.values(e)) collectPaths(value, into);
}

export function mergePaths(into: RootPaths, from: RootPaths): void {
  const merge = (a: PathTree, b: PathTree) => {
    if (b.whole) a.whole = true;
    for (const [k, child] of b.children) {
      let mine = a.children.get(k);
      if (!mine) a.children.set(k, (mine = node()));
      merge(mine, child);
    }
  };
  merge(into.context, from.context);
  merge(into.principal, from.principal);
  merge(into.resource, from.resource);
}

/** The part of a JSON value the tree can read. */
export function prune(value: unknown, tree: PathTree): unknown {
  if (tree.whole || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of tree.children) {
    if (Object.hasOwn(value, key)) out[key] = prune((value as Record<string, unknown>)[key], child);
  }
  return out;
}

/**
 * The entities a policy tests membership in (`in E`, `is T in E`, `in [E1, E2]`), as entity keys;
 * `any` when a membership test has a right side that is not a literal. Only these ancestors of the
 * principal and the resource can matter to Cedar.
 */
export function membershipTargets(policy: { principal: unknown; resource: unknown; conditions: unknown }, keyOf: (uid: { type: string; id: string }) => string): Set<string> | 'any' {
  const targets = new Set<string>();
  let any = false;
  const literal = (x: unknown): string | undefined => {
    const v = (x as { Value?: { __entity?: { type: string; id: string } } } | null)?.Value?.__entity;
    return v ? keyOf(v) : undefined;
  };
  const scope = (c: unknown) => {
    const s = c as { op?: string; entity?: { __entity?: { type: string; id: string }; type?: string; id?: string }; in?: { entity?: unknown } } | null;
    const uid = (u: unknown) => {
      const x = u as { __entity?: { type: string; id: string }; type?: string; id?: string } | undefined;
      const ref = x?.__entity ?? (x?.type !== undefined && x?.id !== undefined ? { type: x.type, id: x.id } : undefined);
      return ref ? keyOf(ref) : undefined;
    };
    if (s?.op === 'in') {
      const k = uid(s.entity);
      if (k) targets.add(k);
      else any = true;
    }
    if (s?.op === 'is' && s.in) {
      const k = uid(s.in.entity);
      if (k) targets.add(k);
      else any = true;
    }
  };
  scope(policy.principal);
  scope(policy.resource);
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const e = node as Record<string, unknown>;
    const inOp = e.in as { left: unknown; right: unknown } | undefined;
    const isIn = (e.is as { in?: unknown } | undefined)?.in;
    for (const right of [inOp?.right, isIn]) {
      if (right === undefined) continue;
      const single = literal(right);
      const set = (right as { Set?: unknown[] } | null)?.Set?.map(literal);
      if (single) targets.add(single);
      else if (set && set.every((k) => k !== undefined)) set.forEach((k) => targets.add(k!));
      else any = true;
    }
    Object.values(e).forEach(walk);
  };
  walk(policy.conditions);
  return any ? 'any' : targets;
}
