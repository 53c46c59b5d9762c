import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VERBS } from '../core/action.js';
import type { Decision } from '../core/decision.js';
import type { PolicyRequest } from '../core/ports.js';
import { configSchema, type WardenConfig } from '../config/schema.js';
import { CedarPolicyEngine } from './cedar-engine.js';
import { defaultContext, mergeContext } from '../core/context.js';
import { toCedarContext } from './context.js';
import { buildEntities, buildSchema, RESOURCE_TYPES } from './model.js';
import { loadPolicyFile, type LoadedPolicy } from './policy-files.js';

const NOW = new Date('2025-01-01T12:00:00Z');

// ---------------------------------------------------------------------------------------------
// Reference: the engine's decision logic, but over the WHOLE policy set and ALL entities.
// ---------------------------------------------------------------------------------------------

function reference(policies: readonly LoadedPolicy[], entities: EntityJson[], request: PolicyRequest): Decision {
  const error = (errors: string[]): Decision => ({ decision: 'error', policies: [], obligations: {}, reason: 'evaluation_error', errors });
  const defaultDeny: Decision = { decision: 'deny', policies: [], obligations: {}, reason: 'default_deny', errors: [] };
  let context;
  try {
    context = toCedarContext(request.context);
  } catch (err) {
    return error([String(err)]);
  }
  const run = (set: readonly LoadedPolicy[]) =>
    cedar.isAuthorized({
      principal: request.principal,
      action: { type: 'Action', id: request.action },
      resource: request.resource,
      context,
      policies: { staticPolicies: Object.fromEntries(set.map((p) => [p.id, p.text])) },
      entities,
    });
  const first = run(policies);
  if (first.type === 'failure') return error(first.errors.map((e) => e.message));
  const { decision, diagnostics } = first.response;
  if (diagnostics.errors.length > 0) return error(diagnostics.errors.map((e) => e.error.message));
  const determining = diagnostics.reason.map((id) => policies.find((p) => p.id === id)!);
  const obligations = Object.assign({}, ...determining.map((p) => p.obligations)) as Record<string, string>;
  if (decision === 'allow') return { decision: 'allow', policies: diagnostics.reason, obligations, errors: [] };
  if (determining.length === 0) return defaultDeny;
  const hard = determining.filter((p) => p.layer !== 'approval');
  if (hard.length > 0) return { decision: 'deny', policies: hard.map((p) => p.id), obligations: {}, reason: 'forbidden', errors: [] };
  const second = run(policies.filter((p) => p.layer !== 'approval'));
  if (second.type === 'success' && second.response.decision === 'allow' && second.response.diagnostics.errors.length === 0) {
    return { decision: 'approval_required', policies: diagnostics.reason, obligations, errors: [] };
  }
  return defaultDeny;
}

/**
 * The part of a decision the two implementations must agree on exactly. Obligations are compared
 * unless two determining policies set the same obligation differently: which one wins then is
 * covered by its own example test below.
 */
function comparable(d: Decision, policies: readonly LoadedPolicy[]) {
  const values = new Map<string, Set<string>>();
  for (const p of policies.filter((p) => d.policies.includes(p.id))) {
    for (const [key, value] of Object.entries(p.obligations)) values.set(key, (values.get(key) ?? new Set()).add(value));
  }
  const conflicting = [...values.values()].some((v) => v.size > 1);
  return { decision: d.decision, policies: [...d.policies].sort(), reason: d.reason, obligations: conflicting ? 'conflicting' : d.obligations };
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const ROLES = ['r1', 'r2', 'r3'];
const TEAMS = ['t1', 't2'];
const UNITS = ['u1', 'u2'];
const AGENTS = ['a1', 'a2', 'a3'];
const SERVERS = ['s1', 's2', 's3'];
const TOOL_NAMES = ['s1.read', 's1.write', 's2.pay', 's2.look', 's3.rm'];
const ARG_TYPES = { amount: 'long', to: 'string', urgent: 'boolean', labels: 'strings' } as const;
type ArgName = keyof typeof ARG_TYPES;
const ARG_NAMES = Object.keys(ARG_TYPES) as ArgName[];

const subset = <T>(items: readonly T[]) => fc.subarray([...items]);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: arb, weight: 1 });

const agentArb = (id: string) =>
  fc.record({
    id: fc.constant(id),
    roles: subset(ROLES),
    team: maybe(fc.constantFrom(...TEAMS)),
    org_unit: maybe(fc.constantFrom(...UNITS)),
    tags: fc.record({ env: fc.constantFrom('prod', 'dev'), clearance: fc.constantFrom('low', 'high') }, { requiredKeys: [] }),
  });

const toolArb = (id: string) =>
  fc.record({
    id: fc.constant(id),
    risk: fc.constantFrom('low', 'medium', 'high', 'critical'),
    side_effects: fc.boolean(),
    egress: fc.boolean(),
    args: subset(ARG_NAMES).map((names) => Object.fromEntries(names.map((n) => [n, ARG_TYPES[n]]))),
  });

const configArb: fc.Arbitrary<WardenConfig> = fc
  .record({
    u2Parent: maybe(fc.constant('u1')),
    teamUnits: fc.tuple(maybe(fc.constantFrom(...UNITS)), maybe(fc.constantFrom(...UNITS))),
    agents: fc.tuple(...AGENTS.map(agentArb)),
    tools: subset(TOOL_NAMES).chain((ids) => fc.tuple(...ids.map(toolArb))),
    kbSensitivity: fc.constantFrom('public', 'internal', 'confidential', 'restricted'),
  })
  .map((g) =>
    configSchema.parse({
      version: 1,
      org: { id: 'org' },
      org_units: [{ id: 'u1' }, { id: 'u2', parent: g.u2Parent }],
      teams: TEAMS.map((id, i) => ({ id, org_unit: g.teamUnits[i] })),
      roles: ROLES.map((id) => ({ id })),
      agents: g.agents,
      tools: g.tools,
      knowledge_bases: [{ id: 'kb1', sensitivity: g.kbSensitivity, owner_team: 't1' }],
      event_sources: [{ id: 'ev1', types: ['x.created'] }],
    }),
  );

const principalScope = fc.constantFrom(
  'principal',
  'principal',
  'principal in Org::"org"',
  'principal == Agent::"a1"',
  'principal == Agent::"a2"',
  ...ROLES.map((r) => `principal in Role::"${r}"`),
  ...TEAMS.map((t) => `principal in Team::"${t}"`),
  ...UNITS.map((u) => `principal in OrgUnit::"${u}"`),
  'principal in Org::"org"',
  'principal is Agent',
  'principal is Agent in Team::"t1"',
  'principal is Agent in OrgUnit::"u1"',
  'principal == Role::"r1"', // rejected by strict validation: skipped
);

const resourceScope = fc.constantFrom(
  'resource',
  'resource',
  'resource is Tool',
  ...TOOL_NAMES.map((t) => `resource == Tool::"${t}"`),
  ...SERVERS.map((s) => `resource in Server::"${s}"`),
  'resource is Tool',
  'resource is Tool in Server::"s2"',
  'resource == KnowledgeBase::"kb1"',
  'resource is KnowledgeBase',
  'resource is Memory',
  'resource == EventSource::"ev1"',
);

const actionScope = fc.oneof(
  fc.constant('action'),
  fc.constant('action == Action::"tool.invoke"'),
  fc.constantFrom(...VERBS).map((v) => `action == Action::"${v}"`),
  subset(VERBS)
    .filter((vs) => vs.length > 0)
    .map((vs) => `action in [${vs.map((v) => `Action::"${v}"`).join(', ')}]`),
);

/** Conditions; some can raise evaluation errors at run time, some fail strict validation. */
const condition = fc.constantFrom(
  'context.args has amount && context.args.amount > 100',
  'context.args has amount && context.args.amount * 4611686018427387904 > 0', // overflows when amount >= 2 or <= -3
  'context.args.amount > 5', // optional attribute without `has`: rejected by strict validation
  'context.args has to && context.args.to like "*@corp.example"',
  'context.args has labels && context.args.labels.contains("secret")',
  'context.args has urgent && context.args.urgent',
  'resource is Tool && resource.risk_level >= 3',
  'resource.risk_level >= 3',
  'resource is Tool && resource.egress',
  'principal.tags has env && principal.tags.env == "prod"',
  'principal.tags.env == "prod"', // optional tag without `has`: rejected by strict validation
  'principal in Team::"t1"',
  'principal in OrgUnit::"u1"',
  'resource in Server::"s1"',
  'context.approval.granted',
  'context.risk.score + 9223372036854775000 > 0', // overflows when the score is large
  // Entity literals in conditions: these name entities other than the request's own.
  'Agent::"a2" in Role::"r1"',
  'Tool::"s1.read".risk_level >= 2',
  // Scope-like tests at the head of a condition, which the index treats as scope.
  'principal == Agent::"a1" && resource == Tool::"s2.pay"',
  'principal == Agent::"a2" && context.args has amount && context.args.amount * 4611686018427387904 > 0',
  'context.args has amount && context.args.amount * 4611686018427387904 > 0 && principal == Agent::"a3"',
  'resource in [Tool::"s1.read", Tool::"s1.write"] && principal in Role::"r2"',
  'Tool::"s2.pay" == resource && principal is Agent && resource.risk_level >= 2',
  'principal in Team::"t2" && Agent::"a1" in Team::"t2"',
);

interface PolicySpec {
  effect: 'permit' | 'forbid';
  approval: boolean;
  boundary: boolean;
  principal: string;
  action: string;
  resource: string;
  when?: string;
  unless?: string;
  obligation?: [string, string];
}

const policySpecArb: fc.Arbitrary<PolicySpec> = fc.record({
  effect: fc.constantFrom('permit', 'permit', 'forbid'),
  approval: fc.constantFrom(true, true, false),
  boundary: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  principal: principalScope,
  action: actionScope,
  resource: resourceScope,
  when: rarely(condition),
  unless: rarely(condition),
  obligation: maybe(fc.tuple(fc.constantFrom('redact', 'max_rows', 'notify'), fc.constantFrom('a', 'b'))),
});

function render(spec: PolicySpec, id: string): string {
  const lines = [`@id("${id}")`];
  if (spec.effect === 'forbid' && spec.approval && !spec.boundary) lines.push('@approval("required")');
  if (spec.obligation) lines.push(`@${spec.obligation[0]}("${spec.obligation[1]}")`);
  lines.push(`${spec.effect} (${spec.principal}, ${spec.action}, ${spec.resource})`);
  if (spec.when) lines.push(`when { ${spec.when} }`);
  if (spec.unless) lines.push(`unless { ${spec.unless} }`);
  return `${lines.join('\n')};`;
}

/** Mostly well-typed values; requests are not validated, so now and then a wrong type gets through. */
const argValue: Record<ArgName, fc.Arbitrary<unknown>> = {
  amount: fc.oneof(
    { arbitrary: fc.integer({ min: -5, max: 2000 }), weight: 8 },
    { arbitrary: fc.constantFrom(1.5, 'lots', 2 ** 40), weight: 1 },
  ),
  to: fc.oneof({ arbitrary: fc.constantFrom('bob@corp.example', 'eve@evil.example'), weight: 8 }, { arbitrary: fc.constant(7), weight: 1 }),
  urgent: fc.oneof({ arbitrary: fc.boolean(), weight: 8 }, { arbitrary: fc.constant('yes'), weight: 1 }),
  labels: fc.oneof({ arbitrary: fc.subarray(['secret', 'public']), weight: 8 }, { arbitrary: fc.constant('secret'), weight: 1 }),
};

const contextArb = fc
  .record({
    args: fc.record(argValue, { requiredKeys: [] }),
    approval: fc.record({ granted: fc.boolean() }),
    risk: fc.record({ score: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 100 }), weight: 8 }, { arbitrary: fc.constant(5000), weight: 1 }) }),
    smuggle: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ smuggle, ...context }): Record<string, unknown> =>
    // Rarely, an entity reference smuggled in through the context: refused as invalid input.
    smuggle === 0 ? { ...context, args: { ...context.args, who: { __entity: { type: 'Role', id: 'r1' } } } } : context,
  );

const RESOURCE_IDS = [...TOOL_NAMES, 's9.unknown', 'kb1', 'kb9', 'm1', 'ev1', 'a1', 'a2'];

const requestSpecArb = fc.record({
  agent: fc.constantFrom(...AGENTS, 'ghost'),
  verb: fc.oneof({ arbitrary: fc.constant('tool.invoke' as const), weight: 3 }, { arbitrary: fc.constantFrom(...VERBS), weight: 2 }),
  resource: fc.oneof({ arbitrary: fc.constantFrom(...TOOL_NAMES), weight: 3 }, { arbitrary: fc.constantFrom(...RESOURCE_IDS), weight: 2 }),
  context: contextArb,
});

type RequestSpec = typeof requestSpecArb extends fc.Arbitrary<infer T> ? T : never;

function toRequest(engine: CedarPolicyEngine, spec: RequestSpec): PolicyRequest {
  const resource = engine.resourceFor(spec.verb, spec.resource) ?? { type: RESOURCE_TYPES[spec.verb].types[0]!, id: spec.resource };
  return {
    principal: { type: 'Agent', id: spec.agent },
    action: spec.verb,
    resource,
    context: mergeContext(defaultContext('dev', NOW), spec.context),
  };
}

/** Loads each generated policy on its own and keeps those the loader accepts. */
function loadGenerated(specs: readonly PolicySpec[], config: WardenConfig): LoadedPolicy[] {
  const schema = buildSchema(config);
  return specs.flatMap((spec, i) => {
    const file = spec.boundary ? `boundaries/b${i}.cedar` : `policies/p${i}.cedar`;
    const { policies, problems } = loadPolicyFile(file, render(spec, `p${i}`), spec.boundary, schema, file);
    return problems.length ? [] : policies;
  });
}

// ---------------------------------------------------------------------------------------------
// Property
// ---------------------------------------------------------------------------------------------

describe('CedarPolicyEngine, differential against whole-set Cedar', () => {
  it('decides every request exactly as Cedar over all policies and all entities would', () => {
    const seen = new Map<string, number>();
    let policiesKept = 0;
    fc.assert(
      fc.property(configArb, fc.array(policySpecArb, { minLength: 1, maxLength: 10 }), fc.array(requestSpecArb, { minLength: 1, maxLength: 16 }), (config, specs, requests) => {
        const policies = loadGenerated(specs, config);
        policiesKept += policies.length;
        const entities = buildEntities(config);
        const engine = new CedarPolicyEngine(policies, entities, buildSchema(config));
        for (const spec of requests) {
          const request = toRequest(engine, spec);
          const expected = reference(policies, entities, request);
          const actual = engine.decide(request);
          seen.set(actual.decision, (seen.get(actual.decision) ?? 0) + 1);
          const counterexample = JSON.stringify({ request, policies: policies.map((p) => p.text) });
          expect(comparable(actual, policies), counterexample).toEqual(comparable(expected, policies));
        }
      }),
      { numRuns: 400, seed: 20250101 },
    );
    // The property is not vacuous: every outcome occurs and most generated policies load.
    for (const outcome of ['allow', 'deny', 'approval_required', 'error']) expect(seen.get(outcome) ?? 0).toBeGreaterThanOrEqual(5);
    expect(policiesKept).toBeGreaterThan(300);
  }, 120_000);
});
