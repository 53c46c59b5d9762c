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

interface Entry {
  order: number;
  policy: LoadedPolicy;
  principal: ScopeTest;
  resource: ScopeTest;
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
      const principal = scopeOf(policy.json.principal);
      const resource = scopeOf(policy.json.resource);
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
