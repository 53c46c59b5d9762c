import { createHash } from 'node:crypto';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { AuthorizationAnswer, CedarValueJson, EntityJson, SchemaJson } from '@cedar-policy/cedar-wasm/nodejs';
import { isVerb, type EntityRef } from '../core/action.js';
import type { Decision } from '../core/decision.js';
import type { PolicyEngine, PolicyRequest } from '../core/ports.js';
import { entityKey, RESOURCE_TYPES } from './model.js';
import type { LoadedPolicy } from './policy-files.js';
import { PolicyIndex } from './policy-index.js';
import { toCedarContext } from './context.js';
import { emptyPaths, mergePaths, prune, type PathTree } from './attribute-paths.js';

interface Slice {
  policies: LoadedPolicy[];
  /** The context attributes the slice's policies can read: only those cross into Cedar. */
  context: PathTree;
  setId: string;
  /** The same slice without approval policies; built on first need. */
  withoutApproval?: string;
  entities: EntityJson[];
}

const MAX_SLICES = 20_000;
let generation = 0;

/**
 * Decides requests with Cedar over the slice of policies and entities a request can touch.
 * Policies are preparsed once per distinct slice and reused.
 */
export class CedarPolicyEngine implements PolicyEngine {
  private readonly index: PolicyIndex;
  private readonly entities = new Map<string, EntityJson>();
  private readonly ancestors = new Map<string, Set<string>>();
  private readonly slices = new Map<string, Slice>();
  private readonly preparsed = new Map<string, string>();
  private readonly prefix = `g${++generation}`;
  readonly policies: readonly LoadedPolicy[];
  /** Identifies this policy set: an approval granted under one version does not carry over to another. */
  readonly version: string;

  constructor(
    policies: readonly LoadedPolicy[],
    entities: readonly EntityJson[],
    readonly schema: SchemaJson<string>,
  ) {
    this.policies = policies;
    this.version = createHash('sha256')
      .update(policies.map((p) => `${p.id}\0${p.text}`).join('\0'))
      .digest('hex')
      .slice(0, 16);
    this.index = new PolicyIndex(policies);
    for (const e of entities) this.entities.set(keyOf(e.uid), e);
  }

  resourceFor(verb: string, resourceId: string): EntityRef | undefined {
    if (!isVerb(verb)) return undefined;
    const spec = RESOURCE_TYPES[verb];
    for (const type of spec.types) {
      const ref = { type, id: resourceId };
      if (this.entities.has(entityKey(ref))) return ref;
    }
    return spec.configured ? undefined : { type: spec.types[0] ?? 'Memory', id: resourceId };
  }

  mayAllow(principal: EntityRef, action: string, resource: EntityRef): boolean {
    const candidates = this.index.candidates(principal, this.ancestorsOf(principal), action, resource, this.ancestorsOf(resource));
    const forbidden = candidates.some((p) => p.json.effect === 'forbid' && p.layer !== 'approval' && p.json.conditions.length === 0);
    return !forbidden && candidates.some((p) => p.json.effect === 'permit');
  }

  decide(request: PolicyRequest): Decision {
    let slice: Slice;
    let context;
    try {
      slice = this.sliceFor(request);
      // The whole context is checked (a smuggled `__entity` is refused wherever it hides), then
      // only what the slice can read crosses into Cedar.
      context = prune(toCedarContext(request.context), slice.context) as Record<string, CedarValueJson>;
    } catch (err) {
      return { decision: 'error', policies: [], obligations: {}, reason: 'evaluation_error', errors: [message(err)] };
    }
    if (slice.policies.length === 0) return { decision: 'deny', policies: [], obligations: {}, reason: 'default_deny', errors: [] };

    const call = (setId: string): AuthorizationAnswer =>
      cedar.statefulIsAuthorized({
        principal: request.principal,
        action: { type: 'Action', id: request.action },
        resource: request.resource,
        context,
        preparsedPolicySetId: setId,
        entities: slice.entities,
      });
    const first = call(slice.setId);
    if (first.type === 'failure') return evaluationError(first.errors.map((e) => e.message));
    const { decision, diagnostics } = first.response;
    // INVARIANT: Cedar skips a policy whose evaluation errors; a skipped forbid would fail open.
    if (diagnostics.errors.length > 0) return evaluationError(diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`));
    const byId = (id: string) => slice.policies.find((p) => p.id === id);
    const determining = diagnostics.reason.map(byId).filter((p): p is LoadedPolicy => p !== undefined);
    if (decision === 'allow') return { decision: 'allow', policies: diagnostics.reason, obligations: obligationsOf(determining), errors: [] };
    if (determining.length === 0) return { decision: 'deny', policies: [], obligations: {}, reason: 'default_deny', errors: [] };
    if (!determining.every((p) => p.layer === 'approval')) {
      const hard = determining.filter((p) => p.layer !== 'approval').map((p) => p.id);
      return { decision: 'deny', policies: hard, obligations: {}, reason: 'forbidden', errors: [] };
    }
    // Only approval policies denied: approval is needed if the rest of the set would allow.
    slice.withoutApproval ??= this.preparse(slice.policies.filter((p) => p.layer !== 'approval'));
    const second = call(slice.withoutApproval);
    if (second.type === 'success' && second.response.decision === 'allow' && second.response.diagnostics.errors.length === 0) {
      return { decision: 'approval_required', policies: diagnostics.reason, obligations: obligationsOf(determining), errors: [] };
    }
    return { decision: 'deny', policies: [], obligations: {}, reason: 'default_deny', errors: [] };
  }

  private sliceFor(request: PolicyRequest): Slice {
    const cacheKey = `${entityKey(request.principal)}|${request.action}|${entityKey(request.resource)}`;
    const cached = this.slices.get(cacheKey);
    if (cached) return cached;
    const pAnc = this.ancestorsOf(request.principal);
    const rAnc = this.ancestorsOf(request.resource);
    const policies = this.index.candidates(request.principal, pAnc, request.action, request.resource, rAnc);
    // Cedar needs the data of the principal, the resource and the entities conditions read, each
    // with its ancestors; handing it every ancestor as a direct parent keeps the slice small.
    // Of the principal and the resource, only the attributes the slice's policies read cross over.
    const paths = emptyPaths();
    for (const p of policies) mergePaths(paths, p.paths);
    // Which attributes each carried entity needs: all of them for entities conditions name, the
    // read paths for the principal and the resource (merged, should they be the same entity).
    const wanted = new Map<string, { ref: EntityRef; attrs: PathTree | 'all' }>();
    const want = (ref: EntityRef, attrs: PathTree | 'all') => {
      const key = entityKey(ref);
      const before = wanted.get(key)?.attrs;
      if (before === 'all' || attrs === 'all' || before === undefined) wanted.set(key, { ref, attrs: before === 'all' ? 'all' : attrs });
      else {
        const merged = emptyPaths();
        mergePaths(merged, { ...emptyPaths(), context: before });
        mergePaths(merged, { ...emptyPaths(), context: attrs });
        wanted.set(key, { ref, attrs: merged.context });
      }
    };
    for (const ref of policies.flatMap((p) => p.entities)) want(ref, 'all');
    want(request.principal, paths.principal);
    want(request.resource, paths.resource);
    // Only ancestors some policy tests membership in can matter; an entity left with no attribute
    // and no such ancestor is not handed over at all (Cedar then knows it by its id alone).
    const tested = policies.some((p) => p.memberships === 'any') ? 'any' : new Set(policies.flatMap((p) => [...(p.memberships as Set<string>)]));
    const entities: EntityJson[] = [];
    for (const [key, { ref, attrs }] of wanted) {
      const e = this.entities.get(key);
      if (!e) continue;
      const ancestors = [...this.ancestorsOf(ref)].filter((k) => tested === 'any' || tested.has(k));
      const kept = attrs === 'all' ? e.attrs : (prune(e.attrs, attrs) as EntityJson['attrs']);
      if (attrs !== 'all' && ancestors.length === 0 && Object.keys(kept).length === 0) continue;
      entities.push({ uid: e.uid, parents: ancestors.map((k) => this.uidOf(k)), attrs: kept });
    }
    const slice: Slice = { policies, context: paths.context, setId: policies.length ? this.preparse(policies) : '', entities };
    if (this.slices.size >= MAX_SLICES) this.slices.delete(this.slices.keys().next().value as string);
    this.slices.set(cacheKey, slice);
    return slice;
  }

  private uidOf(key: string): EntityJson['uid'] {
    const e = this.entities.get(key);
    if (e) return e.uid;
    const sep = key.indexOf('::');
    return { type: key.slice(0, sep), id: JSON.parse(key.slice(sep + 2)) as string };
  }

  private preparse(policies: readonly LoadedPolicy[]): string {
    const key = policies.map((p) => p.id).join('\u0000');
    const existing = this.preparsed.get(key);
    if (existing) return existing;
    if (this.preparsed.size >= MAX_SLICES) {
      // Bounded memory: start over, and reuse the ids (preparsing under an id replaces that set).
      this.preparsed.clear();
      this.slices.clear();
    }
    const setId = `${this.prefix}:${this.preparsed.size}`;
    const result = cedar.preparsePolicySet(setId, { staticPolicies: Object.fromEntries(policies.map((p) => [p.id, p.text])) });
    if (result.type === 'failure') throw new Error(result.errors.map((e) => e.message).join('; '));
    this.preparsed.set(key, setId);
    return setId;
  }

  /** Keys of every ancestor of an entity (transitively), cached for configured entities. */
  private ancestorsOf(ref: EntityRef): Set<string> {
    const key = entityKey(ref);
    const cached = this.ancestors.get(key);
    if (cached) return cached;
    if (!this.entities.has(key)) return new Set();
    const out = new Set<string>();
    const stack = [...(this.entities.get(key)?.parents ?? [])];
    while (stack.length) {
      const parentKey = keyOf(stack.pop()!);
      if (out.has(parentKey)) continue;
      out.add(parentKey);
      stack.push(...(this.entities.get(parentKey)?.parents ?? []));
    }
    this.ancestors.set(key, out);
    return out;
  }
}

function keyOf(uid: EntityJson['uid']): string {
  return entityKey('__entity' in uid ? uid.__entity : uid);
}

/** Limits that several determining policies set combine to the strictest; other values are listed. */
const lower = (a: number, b: number) => Math.min(a, b);
const higher = (a: number, b: number) => Math.max(a, b);
const STRICTEST: Record<string, (a: number, b: number) => number> = { max_rows: lower, max_tokens: lower, approvers: higher };

function obligationsOf(policies: readonly LoadedPolicy[]): Record<string, string> {
  const values = new Map<string, string[]>();
  for (const p of policies) for (const [k, v] of Object.entries(p.obligations)) values.set(k, [...(values.get(k) ?? []), v]);
  const out: Record<string, string> = {};
  for (const [key, list] of [...values].sort(([a], [b]) => a.localeCompare(b))) {
    const strictest = STRICTEST[key];
    const numbers = list.map(Number);
    out[key] = strictest && numbers.every(Number.isFinite) ? String(numbers.reduce(strictest)) : [...new Set(list)].sort().join(',');
  }
  return out;
}

function evaluationError(errors: string[]): Decision {
  return { decision: 'error', policies: [], obligations: {}, reason: 'evaluation_error', errors };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
