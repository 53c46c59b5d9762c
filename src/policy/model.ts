import type { EntityJson, SchemaJson, Type } from '@cedar-policy/cedar-wasm/nodejs';
import { VERBS, type EntityRef } from '../core/action.js';
import type { WardenConfig } from '../config/schema.js';

/** The entity type a verb's resource has, and whether resources must be configured to exist. */
export const RESOURCE_TYPES: Record<(typeof VERBS)[number], { types: string[]; configured: boolean }> = {
  'tool.invoke': { types: ['Tool'], configured: true },
  'model.invoke': { types: ['Model'], configured: true },
  'kb.retrieve': { types: ['KnowledgeBase', 'Document'], configured: true },
  'memory.read': { types: ['Memory'], configured: false },
  'memory.write': { types: ['Memory'], configured: false },
  'event.publish': { types: ['EventSource'], configured: true },
  'event.consume': { types: ['EventSource'], configured: true },
  'agent.delegate': { types: ['Agent'], configured: true },
};

/** The Cedar action an approver's vote is authorized under. */
export const APPROVE = 'approve';

export const RISK_LEVELS = { low: 1, medium: 2, high: 3, critical: 4 } as const;
export const SENSITIVITY_LEVELS = { public: 1, internal: 2, confidential: 3, restricted: 4 } as const;

export function entityKey(ref: EntityRef): string {
  return `${ref.type}::${JSON.stringify(ref.id)}`;
}

const str: Type<string> = { type: 'String' };
const long: Type<string> = { type: 'Long' };
const bool: Type<string> = { type: 'Boolean' };
const record = (attributes: Record<string, Type<string> & { required?: boolean }>): Type<string> => ({ type: 'Record', attributes });
const set = (element: Type<string>): Type<string> => ({ type: 'Set', element });
const optional = <T extends Type<string>>(t: T) => ({ ...t, required: false });

function tagRecord(items: { tags: Record<string, string> }[]): Type<string> {
  const keys = new Set(items.flatMap((i) => Object.keys(i.tags)));
  return record(Object.fromEntries([...keys].sort().map((k) => [k, optional(str)])));
}

const ARG_CEDAR_TYPES: Record<string, Type<string>> = {
  string: str,
  long,
  boolean: bool,
  strings: set(str),
};

/** The arguments of the built-in actions, as policies may name them. */
const VERB_ARGS: Partial<Record<string, Record<string, Type<string> & { required?: boolean }>>> = {
  'kb.retrieve': { query: optional(str), top_k: optional(long) },
  'agent.delegate': { tools: optional(set(str)), ttl_seconds: optional(long), task: optional(str) },
};

/** The Cedar schema generated from the configuration: policies are validated against it at load. */
export function buildSchema(config: WardenConfig): SchemaJson<string> {
  const args: Record<string, Type<string> & { required?: boolean }> = {};
  for (const tool of config.tools) {
    for (const [name, type] of Object.entries(tool.args)) args[name] = optional(ARG_CEDAR_TYPES[type] ?? str);
  }
  const labels = Object.fromEntries(Object.keys(args).map((name) => [name, optional(set(str))]));
  const history = {
    calls: record(Object.fromEntries(config.tools.map((t) => [t.id, long]))),
    totals: record(
      Object.fromEntries(
        config.tools.flatMap((t) => {
          const numeric = Object.entries(t.args).filter(([, type]) => type === 'long');
          return numeric.length ? [[t.id, record(Object.fromEntries(numeric.map(([name]) => [name, long])))]] : [];
        }),
      ),
    ),
  };
  const context = (verb: string): Type<string> =>
    record({
      // Requests are not validated at run time, so undeclared arguments still reach the context;
      // policies can only name the declared ones.
      args: record(verb === 'tool.invoke' ? args : (VERB_ARGS[verb] ?? {})),
      // Scanner findings (and, later, provenance) per argument: `context.labels.to.contains("pii")`.
      labels: record(verb === 'tool.invoke' ? labels : {}),
      guard: record({ injection: bool, injection_score: long, pii: bool }),
      risk: record({ score: long }),
      // History (flow/history.ts): executed calls per tool, and running totals of numeric arguments.
      session: record({ steps: long, untrusted: bool, calls: history.calls, totals: history.totals }),
      hour: record({ calls: history.calls, totals: history.totals }),
      day: record({ calls: history.calls, totals: history.totals }),
      approval: record({ granted: bool, approvers: long }),
      // The delegation a call is made under ("" when none): `context.delegation.from == "finance-bot"`.
      delegation: record({ from: str, task: str }),
      // Anomaly detection (src/observe/anomaly.ts): `context.anomaly.anomalous`, a score 0–100, the alerting series.
      anomaly: record({ anomalous: bool, score: long, series: set(str) }),
      time: record({ unix: long, hour: long, weekday: long }),
      transport: record({ mtls: bool }),
      env: str,
    });
  const actions: Record<string, unknown> = Object.fromEntries(
    VERBS.map((verb) => [verb, { appliesTo: { principalTypes: ['Agent'], resourceTypes: RESOURCE_TYPES[verb].types, context: context(verb) } }]),
  );
  // Who may decide a parked action: an approver (a human), never an agent.
  actions[APPROVE] = {
    appliesTo: {
      principalTypes: ['Approver'],
      resourceTypes: [...new Set(VERBS.flatMap((v) => RESOURCE_TYPES[v].types))],
      context: record({ agent: str, verb: str, risk: long }),
    },
  };
  return {
    '': {
      entityTypes: {
        Org: {},
        OrgUnit: { memberOfTypes: ['OrgUnit', 'Org'] },
        Team: { memberOfTypes: ['OrgUnit', 'Org'] },
        Role: {},
        // The attributes an Agent has, so org-wide policies over any principal validate for both;
        // an approver's are empty (no tags, no clearance).
        Approver: { memberOfTypes: ['Team', 'OrgUnit', 'Org'], shape: record({ clearance: str, clearance_level: long, tags: tagRecord(config.agents) }) },
        Agent: {
          memberOfTypes: ['Role', 'Team', 'OrgUnit', 'Org'],
          shape: record({ clearance: str, clearance_level: long, tags: tagRecord(config.agents) }),
        },
        Server: {},
        Tool: {
          memberOfTypes: ['Server'],
          shape: record({ server: str, risk: str, risk_level: long, side_effects: bool, egress: bool, tags: tagRecord(config.tools) }),
        },
        Model: { shape: record({ provider: str, region: str, tags: tagRecord(config.models) }) },
        KnowledgeBase: {
          shape: record({ sensitivity: str, sensitivity_level: long, owner_team: str, tags: tagRecord(config.knowledge_bases) }),
        },
        Document: { memberOfTypes: ['KnowledgeBase'], shape: record({ sensitivity: str, sensitivity_level: long }) },
        EventSource: { shape: record({ types: { type: 'Set', element: str } }) },
        Memory: {},
      },
      actions: actions as SchemaJson<string>['']['actions'],
    },
  };
}

const uid = (type: string, id: string) => ({ type, id });

/** Every entity the configuration defines, with its parents. */
export function buildEntities(config: WardenConfig): EntityJson[] {
  const org = uid('Org', config.org.id);
  const unitOrOrg = (unit?: string) => (unit ? uid('OrgUnit', unit) : org);
  const entities: EntityJson[] = [{ uid: org, attrs: {}, parents: [] }];
  for (const u of config.org_units) entities.push({ uid: uid('OrgUnit', u.id), attrs: {}, parents: [unitOrOrg(u.parent)] });
  for (const t of config.teams) entities.push({ uid: uid('Team', t.id), attrs: {}, parents: [unitOrOrg(t.org_unit)] });
  for (const r of config.roles) entities.push({ uid: uid('Role', r.id), attrs: {}, parents: [] });
  for (const a of config.approvers) {
    entities.push({ uid: uid('Approver', a.id), attrs: { clearance: 'none', clearance_level: 0, tags: {} }, parents: [...a.teams.map((t) => uid('Team', t)), org] });
  }
  for (const a of config.agents) {
    const parents = [...a.roles.map((r) => uid('Role', r)), unitOrOrg(a.org_unit)];
    if (a.team) parents.push(uid('Team', a.team));
    entities.push({ uid: uid('Agent', a.id), attrs: { clearance: a.clearance, clearance_level: SENSITIVITY_LEVELS[a.clearance], tags: a.tags }, parents });
  }
  const servers = new Set(config.tools.map((t) => t.id.slice(0, t.id.indexOf('.'))));
  for (const s of servers) entities.push({ uid: uid('Server', s), attrs: {}, parents: [] });
  for (const t of config.tools) {
    const server = t.id.slice(0, t.id.indexOf('.'));
    entities.push({
      uid: uid('Tool', t.id),
      attrs: { server, risk: t.risk, risk_level: RISK_LEVELS[t.risk], side_effects: t.side_effects, egress: t.egress, tags: t.tags },
      parents: [uid('Server', server)],
    });
  }
  for (const m of config.models) {
    entities.push({ uid: uid('Model', m.id), attrs: { provider: m.provider, region: m.region ?? '', tags: m.tags }, parents: [] });
  }
  for (const k of config.knowledge_bases) {
    entities.push({
      uid: uid('KnowledgeBase', k.id),
      attrs: { sensitivity: k.sensitivity, sensitivity_level: SENSITIVITY_LEVELS[k.sensitivity], owner_team: k.owner_team ?? '', tags: k.tags },
      parents: [],
    });
  }
  for (const e of config.event_sources) entities.push({ uid: uid('EventSource', e.id), attrs: { types: e.types }, parents: [] });
  return entities;
}
