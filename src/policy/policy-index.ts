import type { EntityUidJson, PrincipalConstraint } from '@cedar-policy/cedar-wasm/nodejs';
import type { EntityRef } from '../core/action.js';
import { entityKey } from './model.js';
import type { LoadedPolicy } from './policy-files.js';

type ScopeConstraint = PrincipalConstraint;

/** Tests one scope constraint against an entity and the keys of its ancestors. */
type ScopeTest = (ref: EntityRef, ancestors: ReadonlySet<string>) => boolean;

interface Scope {
  /** The entity the constraint names (`==` or `in`), used as an index key; absent for `All`, `is` and slots. */
  key?: string;
  test: ScopeTest;
}

function uidKey(uid: EntityUidJson): string {
  const ref = '__entity' in uid ? uid.__entity : uid;
  return entityKey(ref);
}

function scopeOf(c: ScopeConstraint): Scope {
  switch (c.op) {
    case 'All':
      return { test: () => true };
    case '==': {
      if (!('entity' in c)) return { test: () => true };
      const key = uidKey(c.entity);
      return { key, test: (ref) => entityKey(ref) === key };
    }
    case 'in': {
      if (!('entity' in c)) return { test: () => true };
      const key = uidKey(c.entity);
      return { key, test: (ref, anc) => anc.has(key) || entityKey(ref) === key };
    }
    case 'is': {
      const type = c.entity_type;
      const inner = c.in && 'entity' in c.in ? uidKey(c.in.entity) : undefined;
      return { test: (ref, anc) => ref.type === type && (inner === undefined || anc.has(inner) || entityKey(ref) === inner) };
    }
  }
}

type Var = 'principal' | 'resource';

/** A condition conjunct that constrains `principal` or `resource` exactly as a scope would. */
function conjunctScope(expr: unknown): { on: Var; scope: Scope } | undefined {
  if (typeof expr !== 'object' || expr === null) return undefined;
  const e = expr as Record<string, { left?: unknown; right?: unknown; entity_type?: string; in?: unknown }>;
  const varOf = (x: unknown): Var | undefined => {
    const v = (x as { Var?: string } | null)?.Var;
    return v === 'principal' || v === 'resource' ? v : undefined;
  };
  const entityOf = (x: unknown): string | undefined => {
    const uid = (x as { Value?: { __entity?: { type: string; id: string } } } | null)?.Value?.__entity;
    return uid ? entityKey(uid) : undefined;
  };
  if (e['==']) {
    const { left, right } = e['=='];
    const [v, key] = varOf(left) ? [varOf(left), entityOf(right)] : [varOf(right), entityOf(left)];
    if (v && key) return { on: v, scope: { key, test: (ref) => entityKey(ref) === key } };
  }
  if (e.in) {
    const v = varOf(e.in.left);
    const key = entityOf(e.in.right);
    if (v && key) return { on: v, scope: { key, test: (ref, anc) => anc.has(key) || entityKey(ref) === key } };
    const set = (e.in.right as { Set?: unknown[] } | null)?.Set;
    const keys = set?.map(entityOf);
    if (v && keys && keys.length > 0 && keys.every((k): k is string => k !== undefined)) {
      return { on: v, scope: { test: (ref, anc) => keys.some((k) => anc.has(k) || entityKey(ref) === k) } };
    }
  }
  if (e.is && e.is.in === undefined) {
    const v = varOf(e.is.left);
    const type = e.is.entity_type;
    if (v && type) return { on: v, scope: { test: (ref) => ref.type === type } };
  }
  return undefined;
}

/**
 * Scope-like tests at the head of a policy's first `when` clause (`principal == Agent::"a" && …`).
 * Only the unbroken prefix counts: those tests cannot error, so a request they exclude could not
 * have made the policy apply or err in Cedar's left-to-right evaluation either.
 */
function conditionScopes(policy: LoadedPolicy): { on: Var; scope: Scope }[] {
  const first = policy.json.conditions[0];
  if (!first || first.kind !== 'when') return [];
  const conjuncts: unknown[] = [];
  const flatten = (x: unknown): void => {
    const and = (x as { '&&'?: { left: unknown; right: unknown } } | null)?.['&&'];
    if (and) {
      flatten(and.left);
      flatten(and.right);
    } else conjuncts.push(x);
  };
  flatten(first.body);
  const scopes: { on: Var; scope: Scope }[] = [];
  for (const c of conjuncts) {
    const found = conjunctScope(c);
    if (!found) break;
    scopes.push(found);
  }
  return scopes;
}

interface Entry {
  order: number;
  policy: LoadedPolicy;
  principal: ScopeTest;
  resource: ScopeTest;
}

function all(scopes: Scope[]): ScopeTest {
  if (scopes.length === 1) return scopes[0]!.test;
  return (ref, anc) => scopes.every((s) => s.test(ref, anc));
}

class Bucket {
  readonly byPrincipal = new Map<string, Entry[]>();
  readonly anyPrincipal: Entry[] = [];
  add(entry: Entry, principalKey: string | undefined): void {
    if (principalKey === undefined) {
      this.anyPrincipal.push(entry);
      return;
    }
    const list = this.byPrincipal.get(principalKey);
    if (list) list.push(entry);
    else this.byPrincipal.set(principalKey, [entry]);
  }
}

/**
 * Indexes policies by their scope so a request is decided over only the policies whose scope can
 * match it. INVARIANT: a policy left out of a slice has a scope that cannot match the request, so
 * Cedar would never evaluate its conditions: the sliced decision equals the whole-set decision.
 */
export class PolicyIndex {
  private readonly byAction = new Map<string, Bucket>();
  private readonly anyAction = new Bucket();

  constructor(policies: readonly LoadedPolicy[]) {
    policies.forEach((policy, order) => {
      const extra = conditionScopes(policy);
      const principals = [scopeOf(policy.json.principal), ...extra.filter((x) => x.on === 'principal').map((x) => x.scope)];
      const resources = [scopeOf(policy.json.resource), ...extra.filter((x) => x.on === 'resource').map((x) => x.scope)];
      const principal = { key: principals.find((p) => p.key !== undefined)?.key, test: all(principals) };
      const resource = { test: all(resources) };
      const entry: Entry = { order, policy, principal: principal.test, resource: resource.test };
      const action = policy.json.action;
      if (action.op === 'All') {
        this.anyAction.add(entry, principal.key);
        return;
      }
      const uids = action.op === '==' ? ('entity' in action ? [action.entity] : []) : 'entities' in action ? action.entities : [action.entity];
      for (const uid of uids) {
        const id = '__entity' in uid ? uid.__entity.id : uid.id;
        let bucket = this.byAction.get(id);
        if (!bucket) this.byAction.set(id, (bucket = new Bucket()));
        bucket.add(entry, principal.key);
      }
    });
  }

  /** The policies that may apply, in load order. */
  candidates(
    principal: EntityRef,
    principalAncestors: ReadonlySet<string>,
    action: string,
    resource: EntityRef,
    resourceAncestors: ReadonlySet<string>,
  ): LoadedPolicy[] {
    const found = new Map<number, Entry>();
    const keys = [entityKey(principal), ...principalAncestors];
    const visit = (entries: readonly Entry[] | undefined) => {
      if (!entries) return;
      for (const e of entries) {
        if (!found.has(e.order) && e.principal(principal, principalAncestors) && e.resource(resource, resourceAncestors)) found.set(e.order, e);
      }
    };
    for (const bucket of [this.byAction.get(action), this.anyAction]) {
      if (!bucket) continue;
      visit(bucket.anyPrincipal);
      for (const key of keys) visit(bucket.byPrincipal.get(key));
    }
    return [...found.values()].sort((a, b) => a.order - b.order).map((e) => e.policy);
  }
}
