/**
 * Decision benchmark: Warden's CedarPolicyEngine.decide() against bare cedar-wasm on the whole
 * policy set, at 10, 100, 1,000 and 10,000 policies, plus a worst case where no policy has a scope.
 *
 * Bare Cedar is measured two ways, both with every entity of the configuration on every call:
 *   - `bare`      statefulIsAuthorized with the whole set preparsed once (the headline `bare_*`);
 *   - `bare_text` isAuthorized with the whole set as policy text, parsed on every call.
 * Timed Warden decisions are checked against the bare whole-set answer (all of them with WARDEN_BENCH_VERIFY_ALL=1); mismatches are printed.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { AuthorizationAnswer, CedarValueJson, EntityJson, SchemaJson } from '@cedar-policy/cedar-wasm/nodejs';
import { configSchema, type WardenConfig } from '../src/config/schema.js';
import type { EntityRef } from '../src/core/action.js';
import type { Decision } from '../src/core/decision.js';
import { CedarPolicyEngine } from '../src/policy/cedar-engine.js';
import { defaultContext, mergeContext } from '../src/core/context.js';
import { toCedarContext } from '../src/policy/context.js';
import { buildEntities, buildSchema } from '../src/policy/model.js';
import { loadPolicyFile, type LoadedPolicy } from '../src/policy/policy-files.js';
import type { BenchOptions } from './run.js';

const SIZES = [10, 100, 1_000, 10_000] as const;
const WORST_CASE_SIZE = 1_000;
const TIMED = 2_000;
/**
 * Timed calls of each bare variant per size. Warden is always timed on TIMED requests, and every
 * one of them is checked against a bare whole-set answer (computed untimed beyond `bare`).
 * `text` parses the whole set on every call: ~0.15 s a call at 1,000 policies and seconds at
 * 10,000 on a 2-core machine, so it is timed on fewer requests there.
 */
const COUNTS: Record<(typeof SIZES)[number], Counts> = {
  10: { bare: TIMED, text: TIMED },
  100: { bare: TIMED, text: TIMED },
  1_000: { bare: TIMED, text: 500 },
  10_000: { bare: 200, text: 10 },
};
/** Distinct agent/tool pairs per size; the warm-up decides each once (Warden's first sight of it). */
const POOL = 2_000;
const SEED = 0x5eed;
/** Fixed clock so contexts (and so decisions) are the same on every run. */
const NOW = new Date('2025-06-02T10:00:00Z');
const ENV = 'prod';

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** mulberry32: a uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }
}

// ---------------------------------------------------------------------------------------------
// Deployment generator

type ArgType = 'string' | 'long' | 'boolean' | 'strings';
type ArgName = 'path' | 'amount' | 'to' | 'currency' | 'account' | 'query' | 'limit' | 'url' | 'recipients' | 'dry_run' | 'ticket' | 'region';

/** One type per argument name: the schema merges every tool's arguments into one record. */
const ARG_TYPES: Record<ArgName, ArgType> = {
  path: 'string',
  amount: 'long',
  to: 'string',
  currency: 'string',
  account: 'string',
  query: 'string',
  limit: 'long',
  url: 'string',
  recipients: 'strings',
  dry_run: 'boolean',
  ticket: 'string',
  region: 'string',
};

type Risk = 'low' | 'medium' | 'high' | 'critical';
interface ToolKind {
  verb: string;
  risk: Risk;
  side_effects: boolean;
  egress: boolean;
  args: ArgName[];
}

const TOOL_KINDS: ToolKind[] = [
  { verb: 'get', risk: 'low', side_effects: false, egress: false, args: ['account'] },
  { verb: 'list', risk: 'low', side_effects: false, egress: false, args: ['limit'] },
  { verb: 'search', risk: 'low', side_effects: false, egress: false, args: ['query', 'limit'] },
  { verb: 'read', risk: 'low', side_effects: false, egress: false, args: ['path'] },
  { verb: 'create', risk: 'medium', side_effects: true, egress: false, args: ['ticket', 'region'] },
  { verb: 'update', risk: 'medium', side_effects: true, egress: false, args: ['ticket', 'dry_run'] },
  { verb: 'send', risk: 'medium', side_effects: true, egress: true, args: ['to', 'recipients'] },
  { verb: 'fetch', risk: 'medium', side_effects: false, egress: true, args: ['url'] },
  { verb: 'delete', risk: 'high', side_effects: true, egress: false, args: ['path', 'dry_run'] },
  { verb: 'export', risk: 'high', side_effects: false, egress: true, args: ['url', 'path'] },
  { verb: 'run', risk: 'high', side_effects: true, egress: false, args: ['query', 'dry_run'] },
  { verb: 'transfer', risk: 'critical', side_effects: true, egress: true, args: ['amount', 'to', 'currency'] },
];

const SERVER_NAMES = ['crm', 'bank', 'files', 'mail', 'jira', 'github', 'db', 'storage', 'slack', 'billing', 'hr', 'search'];

interface GenTool {
  id: string;
  server: string;
  kind: ToolKind;
}

interface Deployment {
  config: WardenConfig;
  tools: GenTool[];
  agents: string[];
  boundaryText: string;
  policyText: string;
  /** Tools each agent has some permit for: realistic traffic mostly asks for these. */
  permitted: Map<string, string[]>;
  counts: { permits: number; boundaries: number; approvals: number };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The people-and-tools part of a deployment with about n policies: agents, roles, teams, tools. */
function generateConfig(n: number, rng: Rng) {
  const agentCount = Math.max(3, Math.round(n / 10));
  const roleCount = Math.max(2, Math.round(n / 20));
  const teamCount = Math.max(2, Math.round(agentCount / 8));
  const unitCount = Math.max(1, Math.round(teamCount / 5));
  const toolCount = Math.max(6, Math.round(n / 5));
  const serverCount = Math.max(2, Math.round(toolCount / 12));

  const servers = Array.from({ length: serverCount }, (_, i) => `${SERVER_NAMES[i % SERVER_NAMES.length]}${Math.floor(i / SERVER_NAMES.length) || ''}`);
  const tools: GenTool[] = [];
  const perServer = new Map<string, number>();
  for (let i = 0; i < toolCount; i++) {
    // Every server gets tools; kinds cycle so each server has reads and writes.
    const server = i < serverCount ? (servers[i] as string) : rng.pick(servers);
    const k = perServer.get(server) ?? 0;
    perServer.set(server, k + 1);
    const kind = i < TOOL_KINDS.length ? (TOOL_KINDS[i] as ToolKind) : rng.pick(TOOL_KINDS);
    tools.push({ id: `${server}.${kind.verb}_${k}`, server, kind });
  }
  const roles = Array.from({ length: roleCount }, (_, i) => `role-${i}`);
  const teams = Array.from({ length: teamCount }, (_, i) => `team-${i}`);
  const units = Array.from({ length: unitCount }, (_, i) => `unit-${i}`);
  const agents = Array.from({ length: agentCount }, (_, i) => ({
    id: `agent-${i}`,
    // Every role has at least one agent; most agents have one role, some two.
    roles: [...new Set([roles[i % roleCount] as string, ...(rng.chance(0.4) ? [rng.pick(roles)] : [])])],
    team: rng.pick(teams),
    tags: { env: rng.chance(0.75) ? 'prod' : 'dev', clearance: rng.pick(['internal', 'confidential']) },
  }));
  const raw = {
    version: 1,
    org: { id: 'acme', name: 'Acme Corp' },
    env: ENV,
    org_units: units.map((id) => ({ id })),
    teams: teams.map((id, i) => ({ id, org_unit: units[i % unitCount] })),
    roles: roles.map((id) => ({ id })),
    agents,
    tools: tools.map((t) => ({
      id: t.id,
      risk: t.kind.risk,
      side_effects: t.kind.side_effects,
      egress: t.kind.egress,
      tags: t.kind.risk === 'critical' ? { data: 'financial' } : {},
      args: Object.fromEntries(t.kind.args.map((a) => [a, ARG_TYPES[a]])),
    })),
  };
  return { config: configSchema.parse(raw), tools, servers, roles, teams, agents };
}

/** A `when`/`unless` clause for a permit on a tool, shaped by what the tool's arguments are. */
function permitCondition(tool: GenTool, rng: Rng): string {
  const roll = rng.next();
  const args = tool.kind.args;
  if (roll < 0.6) {
    const arg = rng.pick(args);
    switch (arg) {
      case 'amount':
        return `when { context.args has amount && context.args.amount <= ${rng.pick([500, 1000, 5000, 20000])} }`;
      case 'path':
        return `when { context.args has path && context.args.path like "${rng.pick(['reports', 'shared', 'tmp', 'home'])}/*" }`;
      case 'to':
        return 'when { context.args has to && context.args.to like "*@acme.example" }';
      case 'url':
        return 'when { context.args has url && context.args.url like "https://*.acme.example/*" }';
      case 'limit':
        return `unless { context.args has limit && context.args.limit > ${rng.pick([100, 200, 500])} }`;
      case 'query':
        return 'unless { context.args has query && context.args.query like "*DROP*" }';
      case 'recipients':
        return 'unless { context.args has recipients && context.args.recipients.contains("all@acme.example") }';
      case 'region':
        return 'when { context.args has region && ["eu-west-1", "eu-central-1"].contains(context.args.region) }';
      case 'ticket':
        return 'when { context.args has ticket && context.args.ticket like "T-*" }';
      case 'dry_run':
        return 'unless { context.args has dry_run && !context.args.dry_run && context.session.untrusted }';
      case 'currency':
        return 'when { context.args has currency && ["USD", "EUR", "GBP"].contains(context.args.currency) }';
      case 'account':
        return 'when { context.args has account && context.args.account like "ACC-*" }';
    }
  }
  if (roll < 0.8) {
    return rng.pick([
      'unless { context.session.untrusted }',
      'when { principal.tags has env && principal.tags.env == "prod" }',
      'when { context.session.steps < 250 }',
      'when { context.risk.score < 80 }',
      'when { context.transport.mtls }',
    ]);
  }
  return '';
}

function policy(annotations: Record<string, string>, effect: 'permit' | 'forbid', scope: [string, string, string], conditions = ''): string {
  const ann = Object.entries(annotations)
    .map(([k, v]) => `@${k}(${JSON.stringify(v)})\n`)
    .join('');
  return `${ann}${effect} (\n  ${scope.join(',\n  ')}\n)${conditions ? `\n${conditions}` : ''};\n`;
}

const TOOL_INVOKE = 'action == Action::"tool.invoke"';

export function generateDeployment(n: number, seed: number): Deployment {
  const rng = new Rng(seed);
  const { config, tools, servers, roles, teams, agents } = generateConfig(n, rng);
  const boundaryCount = clamp(Math.round(n / 20), 1, 36);
  const approvalCount = clamp(Math.round(n / 50), 1, 1_000);
  const permitCount = n - boundaryCount - approvalCount;
  const toolById = new Map(tools.map((t) => [t.id, t]));
  const byServer = new Map<string, GenTool[]>();
  for (const t of tools) byServer.set(t.server, [...(byServer.get(t.server) ?? []), t]);

  // Org boundaries: forbids over every principal and every tool, conditions on risk and arguments.
  const boundaryTemplates: ((i: number) => string)[] = [
    (i) =>
      policy({ id: `b-${i}`, reason: 'no critical transfer above the hard limit' }, 'forbid', ['principal', TOOL_INVOKE, 'resource'],
        `when { resource.risk_level >= 4 && context.args has amount && context.args.amount > ${50_000 + 1_000 * i} }`),
    (i) =>
      policy({ id: `b-${i}` }, 'forbid', ['principal', TOOL_INVOKE, 'resource'],
        `when { resource.egress && context.args has url && context.args.url like "*${rng.pick(['pastebin', 'ngrok', 'transfer.sh', 'requestbin'])}*" }`),
    (i) =>
      policy({ id: `b-${i}`, reason: 'no agent touches system or secret paths' }, 'forbid', ['principal', TOOL_INVOKE, 'resource'],
        `when { context.args has path && context.args.path like "${rng.pick(['/etc/', 'secrets/', '~/.ssh/', '/var/lib/'])}*" }`),
    (i) => policy({ id: `b-${i}` }, 'forbid', ['principal', TOOL_INVOKE, 'resource'], 'when { resource.side_effects && context.session.untrusted }'),
    (i) =>
      policy({ id: `b-${i}` }, 'forbid', ['principal', TOOL_INVOKE, 'resource'],
        `when { context.args has recipients && context.args.recipients.contains("${rng.pick(['all@acme.example', 'everyone@acme.example'])}") }`),
    (i) => policy({ id: `b-${i}`, reason: 'retired tool' }, 'forbid', ['principal', TOOL_INVOKE, `resource == Tool::"${rng.pick(tools).id}"`]),
    (i) =>
      policy({ id: `b-${i}` }, 'forbid', ['principal', TOOL_INVOKE, `resource in Server::"${rng.pick(servers)}"`],
        `when { context.risk.score > ${85 + rng.int(10)} }`),
    (i) =>
      policy({ id: `b-${i}` }, 'forbid', ['principal', TOOL_INVOKE, 'resource'],
        'when { resource.egress && !(principal.tags has env && principal.tags.env == "prod") }'),
    (i) =>
      policy({ id: `b-${i}` }, 'forbid', ['principal', TOOL_INVOKE, 'resource'],
        'when { context.args has currency && !["USD", "EUR", "GBP", "JPY"].contains(context.args.currency) }'),
    (i) =>
      policy({ id: `b-${i}` }, 'forbid', ['principal', TOOL_INVOKE, 'resource'],
        `when { context.session.steps > ${280 + rng.int(20)} && resource.risk_level >= 3 }`),
    (i) =>
      policy({ id: `b-${i}` }, 'forbid', [`principal in Team::"${rng.pick(teams)}"`, TOOL_INVOKE, 'resource'],
        'when { resource.risk_level >= 4 && context.risk.score > 50 }'),
  ];
  const boundaries = Array.from({ length: boundaryCount }, (_, i) => (boundaryTemplates[i % boundaryTemplates.length] as (i: number) => string)(i));

  // Approval rules: forbids a human approval lifts, mostly on money and deletes.
  const money = tools.filter((t) => t.kind.args.includes('amount'));
  const risky = tools.filter((t) => t.kind.risk === 'high' || t.kind.risk === 'critical');
  const approvals: string[] = [];
  for (let i = 0; i < approvalCount; i++) {
    const ann = { id: `a-${i}`, approval: 'required', reason: 'needs a human approval' };
    if (money.length > 0 && i % 2 === 0) {
      approvals.push(policy(ann, 'forbid', ['principal', TOOL_INVOKE, `resource == Tool::"${rng.pick(money).id}"`],
        `when { context.args has amount && context.args.amount > ${rng.pick([1000, 2500, 10000])} }\nunless { context.approval.granted }`));
    } else if (i % 3 === 1) {
      approvals.push(policy(ann, 'forbid', [`principal in Team::"${rng.pick(teams)}"`, TOOL_INVOKE, `resource == Tool::"${rng.pick(risky.length ? risky : tools).id}"`],
        'unless { context.approval.granted }'));
    } else {
      approvals.push(policy(ann, 'forbid', ['principal', TOOL_INVOKE, `resource == Tool::"${rng.pick(risky.length ? risky : tools).id}"`],
        'when { context.risk.score > 60 }\nunless { context.approval.granted && context.approval.approvers >= 1 }'));
    }
  }

  // Permits: mostly a role and a tool; some a team, an agent, or a server's low-risk tools.
  const roleHome = new Map(roles.map((r) => [r, Array.from({ length: 3 }, () => rng.pick(servers))]));
  const roleTools = new Map<string, Set<string>>(roles.map((r) => [r, new Set()]));
  const teamTools = new Map<string, Set<string>>(teams.map((t) => [t, new Set()]));
  const agentTools = new Map<string, Set<string>>(agents.map((a) => [a.id, new Set()]));
  const roleServers = new Map<string, Set<string>>(roles.map((r) => [r, new Set()]));
  const permits: string[] = [];
  const taken = new Set<string>();
  const unique = (who: string, pickTool: () => GenTool): GenTool | undefined => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const t = pickTool();
      if (!taken.has(`${who}|${t.id}`)) {
        taken.add(`${who}|${t.id}`);
        return t;
      }
    }
    return undefined;
  };
  for (let i = 0; permits.length < permitCount; i++) {
    const ann: Record<string, string> = { id: `p-${i}` };
    if (rng.chance(0.05)) ann.redact = 'pii';
    const roll = rng.next();
    if (roll < 0.8) {
      const role = roles[i % roles.length] as string;
      const home = roleHome.get(role) as string[];
      const tool = unique(role, () => (rng.chance(0.8) ? rng.pick(byServer.get(rng.pick(home)) ?? tools) : rng.pick(tools)));
      if (!tool) continue;
      roleTools.get(role)?.add(tool.id);
      permits.push(policy(ann, 'permit', [`principal in Role::"${role}"`, TOOL_INVOKE, `resource == Tool::"${tool.id}"`], permitCondition(tool, rng)));
    } else if (roll < 0.88) {
      const team = rng.pick(teams);
      const tool = unique(team, () => rng.pick(tools));
      if (!tool) continue;
      teamTools.get(team)?.add(tool.id);
      permits.push(policy(ann, 'permit', [`principal in Team::"${team}"`, TOOL_INVOKE, `resource == Tool::"${tool.id}"`], permitCondition(tool, rng)));
    } else if (roll < 0.95) {
      const agent = rng.pick(agents).id;
      const tool = unique(agent, () => rng.pick(tools));
      if (!tool) continue;
      agentTools.get(agent)?.add(tool.id);
      permits.push(policy(ann, 'permit', [`principal == Agent::"${agent}"`, TOOL_INVOKE, `resource == Tool::"${tool.id}"`], permitCondition(tool, rng)));
    } else {
      const role = rng.pick(roles);
      const server = rng.pick(servers);
      if (taken.has(`${role}|server:${server}`)) continue;
      taken.add(`${role}|server:${server}`);
      roleServers.get(role)?.add(server);
      permits.push(policy(ann, 'permit', [`principal in Role::"${role}"`, TOOL_INVOKE, `resource in Server::"${server}"`], 'when { resource.risk_level <= 1 }'));
    }
  }

  const permitted = new Map<string, string[]>();
  for (const a of agents) {
    const set = new Set<string>(agentTools.get(a.id));
    for (const t of teamTools.get(a.team) ?? []) set.add(t);
    for (const r of a.roles) {
      for (const t of roleTools.get(r) ?? []) set.add(t);
      for (const s of roleServers.get(r) ?? []) for (const t of byServer.get(s) ?? []) if (t.kind.risk === 'low') set.add(t.id);
    }
    permitted.set(a.id, [...set].filter((t) => toolById.has(t)).sort());
  }
  return {
    config,
    tools,
    agents: agents.map((a) => a.id),
    boundaryText: `// Generated org boundaries (${boundaries.length}).\n\n${boundaries.join('\n')}`,
    policyText: `// Generated policies (${permits.length} permits, ${approvals.length} approval rules).\n\n${[...permits, ...approvals].join('\n')}`,
    permitted,
    counts: { permits: permits.length, boundaries: boundaries.length, approvals: approvals.length },
  };
}

/**
 * The worst case for slicing: no policy has a scope, so every policy is a candidate for every
 * request. Same people and tools as a deployment of n policies.
 */
export function generateWorstCase(n: number, seed: number): Deployment {
  const rng = new Rng(seed);
  const { config, tools, agents } = generateConfig(n, rng);
  const boundaryCount = clamp(Math.round(n / 50), 1, 36);
  const boundaries = Array.from({ length: boundaryCount }, (_, i) =>
    policy({ id: `wb-${i}` }, 'forbid', ['principal', 'action', 'resource'],
      i % 2 === 0
        ? `when { resource is Tool && resource.risk_level >= 4 && context.args has amount && context.args.amount > ${50_000 + 100 * i} }`
        : `when { resource is Tool && resource.side_effects && context.session.untrusted && context.session.steps > ${i} }`),
  );
  const permits: string[] = [];
  const permitted = new Map<string, string[]>(agents.map((a) => [a.id, []]));
  const taken = new Set<string>();
  while (permits.length < n - boundaryCount) {
    const agent = rng.pick(agents).id;
    const tool = rng.pick(tools);
    if (taken.has(`${agent}|${tool.id}`)) continue;
    taken.add(`${agent}|${tool.id}`);
    permitted.get(agent)?.push(tool.id);
    const extra = permitCondition(tool, rng).match(/^when \{ (.*) \}$/)?.[1];
    permits.push(policy({ id: `wp-${permits.length}` }, 'permit', ['principal', 'action', 'resource'],
      `when { principal == Agent::"${agent}" && resource == Tool::"${tool.id}"${extra ? ` && ${extra}` : ''} }`));
  }
  return {
    config,
    tools,
    agents: agents.map((a) => a.id),
    boundaryText: boundaries.join('\n'),
    policyText: permits.join('\n'),
    permitted,
    counts: { permits: permits.length, boundaries: boundaries.length, approvals: 0 },
  };
}

// ---------------------------------------------------------------------------------------------
// Requests

interface BenchRequest {
  principal: EntityRef;
  resource: EntityRef;
  /** What the Gate hands the engine: defaults merged with the caller's values. */
  context: Record<string, unknown>;
  /** The same context in Cedar's JSON form, what a bare Cedar caller would pass. */
  cedarContext: Record<string, CedarValueJson>;
}

function argValue(arg: ArgName, rng: Rng): unknown {
  switch (arg) {
    case 'path':
      return rng.chance(0.03) ? rng.pick(['/etc/passwd', 'secrets/prod.env', '~/.ssh/id_rsa']) : `${rng.pick(['reports', 'shared', 'tmp', 'home', 'data'])}/${rng.pick(['q3.csv', 'notes.md', 'out.json', 'summary.pdf'])}`;
    case 'amount':
      return Math.round(Math.exp(rng.next() * Math.log(100_000)));
    case 'to':
      return rng.chance(0.75) ? `${rng.pick(['alice', 'bob', 'ops', 'billing'])}@acme.example` : `${rng.pick(['carol', 'vendor', 'mallory'])}@example.com`;
    case 'currency':
      return rng.pick(['USD', 'USD', 'EUR', 'EUR', 'GBP', 'JPY', 'XTS']);
    case 'account':
      return rng.chance(0.95) ? `ACC-${rng.int(100_000)}` : `acct${rng.int(100)}`;
    case 'query':
      return rng.chance(0.02) ? 'x; DROP TABLE users' : rng.pick(['open invoices', 'status:open', 'owner:me', 'last 7 days']);
    case 'limit':
      return 1 + rng.int(600);
    case 'url':
      return rng.chance(0.85) ? `https://api.acme.example/v1/${rng.pick(['items', 'orders', 'users'])}` : `https://${rng.pick(['pastebin.com', 'abc.ngrok.io', 'cdn.example.org'])}/x`;
    case 'recipients':
      return Array.from({ length: 1 + rng.int(3) }, () => (rng.chance(0.05) ? 'all@acme.example' : `${rng.pick(['alice', 'bob', 'ops'])}@acme.example`));
    case 'dry_run':
      return rng.chance(0.3);
    case 'ticket':
      return rng.chance(0.9) ? `T-${rng.int(10_000)}` : `INC${rng.int(1000)}`;
    case 'region':
      return rng.pick(['eu-west-1', 'eu-central-1', 'us-east-1']);
  }
}

interface Pair {
  agent: string;
  tool: GenTool;
}

/** Distinct agent/tool pairs: three quarters a tool the agent has a permit for, the rest any tool. */
export function pairPool(d: Deployment, rng: Rng, size: number): Pair[] {
  const total = d.agents.length * d.tools.length;
  const want = Math.min(size, Math.floor(total * 0.9));
  const byId = new Map(d.tools.map((t) => [t.id, t]));
  const seen = new Set<string>();
  const pool: Pair[] = [];
  while (pool.length < want) {
    const agent = rng.pick(d.agents);
    const mine = d.permitted.get(agent) ?? [];
    const tool = mine.length > 0 && rng.chance(0.75) ? (byId.get(rng.pick(mine)) as GenTool) : rng.pick(d.tools);
    const key = `${agent}|${tool.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    pool.push({ agent, tool });
  }
  return pool;
}

export function request(pair: Pair, rng: Rng): BenchRequest {
  const args: Record<string, unknown> = {};
  for (const a of pair.tool.kind.args) if (rng.chance(0.9)) args[a] = argValue(a, rng);
  const approved = rng.chance(0.1);
  const supplied = {
    args,
    risk: { score: Math.floor(100 * rng.next() ** 3) },
    session: { steps: rng.int(300), untrusted: rng.chance(0.05) },
    approval: { granted: approved, approvers: approved ? 1 + rng.int(2) : 0 },
    transport: { mtls: rng.chance(0.9) },
  };
  const context = mergeContext(defaultContext(ENV, NOW), supplied);
  return { principal: { type: 'Agent', id: pair.agent }, resource: { type: 'Tool', id: pair.tool.id }, context, cedarContext: toCedarContext(context) };
}

// ---------------------------------------------------------------------------------------------
// Measurement

interface Stats {
  n: number;
  p50_us: number;
  p99_us: number;
  mean_us: number;
  max_us: number;
}

function stats(samples: Float64Array): Stats {
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  const round = (v: number) => Math.round(v * 10) / 10;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { n: sorted.length, p50_us: round(at(0.5)), p99_us: round(at(0.99)), mean_us: round(sum / sorted.length), max_us: round(at(1)) };
}

/** Calls fn for each request, timing each call alone. */
function timed<T>(requests: readonly BenchRequest[], fn: (r: BenchRequest) => T): { us: Float64Array; out: T[] } {
  const us = new Float64Array(requests.length);
  const out: T[] = new Array<T>(requests.length);
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i] as BenchRequest;
    const start = process.hrtime.bigint();
    const result = fn(r);
    us[i] = Number(process.hrtime.bigint() - start) / 1000;
    out[i] = result;
  }
  return { us, out };
}

/** Microseconds one call takes. */
function clock(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1000;
}

let setCounter = 0;

interface Setup {
  label: string;
  deployment: Deployment;
  policies: LoadedPolicy[];
  entities: EntityJson[];
  schema: SchemaJson<string>;
  engine: CedarPolicyEngine;
  wholeText: Record<string, string>;
  wholeSetId: string;
  withoutApprovalSetId: string;
  layers: Map<string, LoadedPolicy['layer']>;
  loadMs: number;
}

export function setUp(label: string, deployment: Deployment): Setup {
  const schema = buildSchema(deployment.config);
  const entities = buildEntities(deployment.config);
  const start = performance.now();
  const b = loadPolicyFile('bench/boundaries.cedar', deployment.boundaryText, true, schema, 'boundaries');
  const p = loadPolicyFile('bench/policies.cedar', deployment.policyText, false, schema, 'policies');
  const problems = [...b.problems, ...p.problems];
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).map((x) => `  ${x.file}:${x.line}: ${x.message}`).join('\n');
    throw new Error(`${label}: the generated policies do not load (${problems.length} problems):\n${shown}`);
  }
  const policies = [...b.policies, ...p.policies];
  const engine = new CedarPolicyEngine(policies, entities, schema);
  const loadMs = performance.now() - start;
  const wholeText = Object.fromEntries(policies.map((x) => [x.id, x.text]));
  const preparse = (set: Record<string, string>) => {
    const id = `bench:${++setCounter}`;
    const res = cedar.preparsePolicySet(id, { staticPolicies: set });
    if (res.type === 'failure') throw new Error(`${label}: preparse failed: ${res.errors.map((e) => e.message).join('; ')}`);
    return id;
  };
  const wholeSetId = preparse(wholeText);
  const withoutApprovalSetId = preparse(Object.fromEntries(policies.filter((x) => x.layer !== 'approval').map((x) => [x.id, x.text])));
  return {
    label,
    deployment,
    policies,
    entities,
    schema,
    engine,
    wholeText,
    wholeSetId,
    withoutApprovalSetId,
    layers: new Map(policies.map((x) => [x.id, x.layer])),
    loadMs,
  };
}

const ACTION = { type: 'Action', id: 'tool.invoke' };

function bareStateful(s: Setup, r: BenchRequest, setId = s.wholeSetId): AuthorizationAnswer {
  return cedar.statefulIsAuthorized({
    principal: r.principal,
    action: ACTION,
    resource: r.resource,
    context: r.cedarContext,
    preparsedPolicySetId: setId,
    entities: s.entities,
  });
}

function bareText(s: Setup, r: BenchRequest): AuthorizationAnswer {
  return cedar.isAuthorized({
    principal: r.principal,
    action: ACTION,
    resource: r.resource,
    context: r.cedarContext,
    policies: { staticPolicies: s.wholeText },
    entities: s.entities,
  });
}

function warden(s: Setup, r: BenchRequest): Decision {
  return s.engine.decide({ principal: r.principal, action: 'tool.invoke', resource: r.resource, context: r.context });
}

const sortedIds = (ids: readonly string[]) => [...ids].sort().join(',');

/**
 * What Warden must answer given bare Cedar's whole-set answer: allow with the same permits; deny by
 * the same hard forbids; approval_required when only approval forbids deny and the set without
 * them allows; default deny otherwise; error when Cedar reports evaluation errors.
 */
function expectedDecision(s: Setup, r: BenchRequest, bare: AuthorizationAnswer): { decision: Decision['decision']; policies: string } {
  if (bare.type === 'failure') return { decision: 'error', policies: '' };
  const { decision, diagnostics } = bare.response;
  if (diagnostics.errors.length > 0) return { decision: 'error', policies: '' };
  if (decision === 'allow') return { decision: 'allow', policies: sortedIds(diagnostics.reason) };
  const hard = diagnostics.reason.filter((id) => s.layers.get(id) !== 'approval');
  if (hard.length > 0) return { decision: 'deny', policies: sortedIds(hard) };
  if (diagnostics.reason.length === 0) return { decision: 'deny', policies: '' };
  const lifted = bareStateful(s, r, s.withoutApprovalSetId);
  if (lifted.type === 'success' && lifted.response.decision === 'allow' && lifted.response.diagnostics.errors.length === 0) {
    return { decision: 'approval_required', policies: sortedIds(diagnostics.reason) };
  }
  return { decision: 'deny', policies: '' };
}

function describe(r: BenchRequest): string {
  return `Agent::"${r.principal.id}" tool.invoke Tool::"${r.resource.id}" args=${JSON.stringify((r.context as { args?: unknown }).args)}`;
}

interface SizeResult {
  label: string;
  policies: number;
  boundaries: number;
  approvals: number;
  agents: number;
  tools: number;
  entities: number;
  load_ms: number;
  warden: Stats;
  warden_cold: Stats;
  bare: Stats;
  bare_text: Stats;
  speedup: number;
  speedup_text: number;
  decisions: Record<string, number>;
  mismatches: number;
  bare_text_mismatches: number;
}

const progress = (line: string) => process.stderr.write(`[bench decide] ${line}\n`);

/** How many of the timed requests each bare variant is timed on (bare Cedar is slow at 10,000). */
interface Counts {
  bare: number;
  text: number;
}

function measure(label: string, deployment: Deployment, seed: number, counts: Counts): SizeResult {
  const t0 = performance.now();
  const s = setUp(label, deployment);
  progress(
    `${label}: loaded ${s.policies.length} policies (${deployment.counts.boundaries} boundaries, ${deployment.counts.approvals} approval), ` +
      `${deployment.agents.length} agents, ${deployment.tools.length} tools, ${s.entities.length} entities in ${s.loadMs.toFixed(0)} ms`,
  );
  const rng = new Rng(seed);
  const pool = pairPool(deployment, rng, POOL);
  const warm = pool.map((pair) => request(pair, rng));
  const requests = Array.from({ length: TIMED }, () => request(rng.pick(pool), rng));

  // Warm-up: Warden sees every pair once (its slice cache fills as in a running gateway; these
  // first-sight decisions are reported as "cold"); bare Cedar gets a share of the same requests.
  const cold = timed(warm, (r) => warden(s, r));
  timed(warm.slice(0, Math.max(10, Math.min(200, counts.bare / 10))), (r) => bareStateful(s, r));
  timed(warm.slice(0, Math.max(3, Math.min(50, counts.text / 10))), (r) => bareText(s, r));
  progress(`${label}: warm-up done (${warm.length} pairs)`);

  // Warden and bare preparsed are timed interleaved, request by request (alternating which goes
  // first), so background load on the machine falls on both alike.
  const w = { us: new Float64Array(requests.length), out: new Array<Decision>(requests.length) };
  const b = { us: new Float64Array(Math.min(counts.bare, requests.length)), out: new Array<AuthorizationAnswer>() };
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i] as BenchRequest;
    const timeBare = i < b.us.length;
    if (timeBare && i % 2 === 1) b.us[i] = clock(() => (b.out[i] = bareStateful(s, r)));
    w.us[i] = clock(() => (w.out[i] = warden(s, r)));
    if (timeBare && i % 2 === 0) b.us[i] = clock(() => (b.out[i] = bareStateful(s, r)));
  }
  progress(`${label}: ${requests.length} warden and ${b.us.length} bare preparsed decisions timed`);
  // Where bare Cedar is too slow to time every request, the rest are verified only on request
  // (WARDEN_BENCH_VERIFY_ALL=1): at 10,000 policies that is some 8 minutes of bare Cedar.
  const verified = process.env.WARDEN_BENCH_VERIFY_ALL === '1' ? requests.length : Math.min(counts.bare, requests.length);
  if (verified > b.out.length) {
    for (const r of requests.slice(b.out.length, verified)) b.out.push(bareStateful(s, r));
    progress(`${label}: bare preparsed answers for the other ${verified - counts.bare} requests computed (untimed, for verification)`);
  }
  const textRequests = requests.slice(0, counts.text);
  const tStart = performance.now();
  const bt = timed(textRequests, (r) => bareText(s, r));
  progress(`${label}: bare text ${textRequests.length} decisions timed (${((performance.now() - tStart) / 1000).toFixed(1)} s)`);

  // Verification: Warden's decisions against the bare whole-set answer.
  let mismatches = 0;
  let textMismatches = 0;
  const decisions: Record<string, number> = {};
  requests.forEach((r, i) => {
    const got = w.out[i] as Decision;
    decisions[got.decision] = (decisions[got.decision] ?? 0) + 1;
    if (i >= verified) return;
    const bare = b.out[i] as AuthorizationAnswer;
    const want = expectedDecision(s, r, bare);
    const gotPolicies = got.decision === 'error' || (got.decision === 'deny' && got.reason === 'default_deny') ? '' : sortedIds(got.policies);
    if (got.decision !== want.decision || gotPolicies !== want.policies) {
      mismatches++;
      if (mismatches <= 10) {
        progress(
          `${label}: MISMATCH ${describe(r)}: warden ${got.decision} [${gotPolicies}]${got.errors.length ? ` errors=${got.errors.join('; ')}` : ''}` +
            ` vs bare ${want.decision} [${want.policies}]`,
        );
      }
    }
    if (i < bt.out.length) {
      const text = bt.out[i] as AuthorizationAnswer;
      const same =
        text.type === 'success' && bare.type === 'success'
          ? text.response.decision === bare.response.decision && sortedIds(text.response.diagnostics.reason) === sortedIds(bare.response.diagnostics.reason)
          : text.type === bare.type;
      if (!same) {
        textMismatches++;
        if (textMismatches <= 3) progress(`${label}: bare text and bare preparsed disagree on ${describe(r)}`);
      }
    }
  });
  const warden_ = stats(w.us);
  const bare_ = stats(b.us);
  const bareText_ = stats(bt.us);
  const round2 = (v: number) => Math.round(v * 100) / 100;
  const result: SizeResult = {
    label,
    policies: s.policies.length,
    boundaries: deployment.counts.boundaries,
    approvals: deployment.counts.approvals,
    agents: deployment.agents.length,
    tools: deployment.tools.length,
    entities: s.entities.length,
    load_ms: Math.round(s.loadMs),
    warden: warden_,
    warden_cold: stats(cold.us),
    bare: bare_,
    bare_text: bareText_,
    speedup: round2(bare_.p50_us / warden_.p50_us),
    speedup_text: round2(bareText_.p50_us / warden_.p50_us),
    decisions,
    mismatches,
    bare_text_mismatches: textMismatches,
  };
  progress(
    `${label}: warden p50 ${warden_.p50_us} µs p99 ${warden_.p99_us} µs | bare p50 ${bare_.p50_us} µs p99 ${bare_.p99_us} µs | ` +
      `speedup ${result.speedup}x | decisions ${JSON.stringify(decisions)} | mismatches ${mismatches} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return result;
}

function table(results: readonly SizeResult[]): string {
  const head = ['case', 'policies', 'agents', 'tools', 'warden p50', 'warden p99', 'cold p50', 'cold p99', 'bare p50', 'bare p99', 'text p50', 'text p99', 'text n', 'speedup', 'allow/deny/approval/error', 'mismatch'];
  const fmt = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} ms` : `${v.toFixed(1)} µs`);
  const rows = results.map((r) => [
    r.label,
    String(r.policies),
    String(r.agents),
    String(r.tools),
    fmt(r.warden.p50_us),
    fmt(r.warden.p99_us),
    fmt(r.warden_cold.p50_us),
    fmt(r.warden_cold.p99_us),
    fmt(r.bare.p50_us),
    fmt(r.bare.p99_us),
    fmt(r.bare_text.p50_us),
    fmt(r.bare_text.p99_us),
    String(r.bare_text.n),
    `${r.speedup}x`,
    ['allow', 'deny', 'approval_required', 'error'].map((k) => r.decisions[k] ?? 0).join('/'),
    String(r.mismatches),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export async function run(opts: BenchOptions): Promise<void> {
  const started = performance.now();
  progress(`cedar ${cedar.getCedarVersion()}, node ${process.version}; ${TIMED} timed decisions per size, seed ${SEED}`);
  // JIT warm-up of every code path on a small deployment, discarded.
  {
    const s = setUp('jit', generateDeployment(100, SEED ^ 1));
    const rng = new Rng(SEED ^ 2);
    const reqs = pairPool(s.deployment, rng, 300).map((p) => request(p, rng));
    for (let k = 0; k < 3; k++) timed(reqs, (r) => (warden(s, r), bareStateful(s, r)));
    timed(reqs.slice(0, 30), (r) => bareText(s, r));
  }
  const results: SizeResult[] = [];
  for (const n of SIZES) {
    results.push(measure(`${n}`, generateDeployment(n, SEED + n), SEED * 7 + n, COUNTS[n]));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const worst = measure(`worst-${WORST_CASE_SIZE}`, generateWorstCase(WORST_CASE_SIZE, SEED + 1), SEED * 11, COUNTS[WORST_CASE_SIZE]);
  results.push(worst);

  const at = (n: number) => results.find((r) => r.label === `${n}`) as SizeResult;
  const r1k = at(1_000);
  const r10k = at(10_000);
  const mismatches = results.reduce((sum, r) => sum + r.mismatches, 0);
  const out = process.stdout;
  out.write('\nDecision latency, per call (warden = CedarPolicyEngine.decide; bare = statefulIsAuthorized, whole set preparsed;\n');
  out.write('text = isAuthorized, whole set as text; bare and text get every entity; speedup = bare p50 / warden p50;\n');
  out.write("cold = Warden's first decision for an agent/tool pair, when it builds and preparses that pair's slice)\n\n");
  out.write(`${table(results)}\n\n`);
  out.write(
    `targets: p99 < 250 µs at 1,000: ${r1k.warden.p99_us} µs ${r1k.warden.p99_us < 250 ? 'ok' : 'MISSED'}; ` +
      `p99 < 500 µs at 10,000: ${r10k.warden.p99_us} µs ${r10k.warden.p99_us < 500 ? 'ok' : 'MISSED'}; ` +
      `never slower than bare: ${results.every((r) => r.warden.p50_us <= r.bare.p50_us && r.warden.p99_us <= r.bare.p99_us) ? 'ok' : 'MISSED'}\n`,
  );
  out.write(`mismatches (warden vs bare whole set): ${mismatches}${mismatches ? '  <-- BUG' : ''}\n`);
  progress(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (opts.json) {
    const summary = {
      bench: 'decide',
      cedar: cedar.getCedarVersion(),
      node: process.version,
      timed_per_size: TIMED,
      p50_us: r1k.warden.p50_us,
      p99_us: r1k.warden.p99_us,
      p99_us_10k: r10k.warden.p99_us,
      bare_p50_us: r1k.bare.p50_us,
      bare_p99_us: r1k.bare.p99_us,
      speedup: r1k.speedup,
      worst_case_p50_us: worst.warden.p50_us,
      worst_case_p99_us: worst.warden.p99_us,
      worst_case_bare_p50_us: worst.bare.p50_us,
      worst_case_bare_p99_us: worst.bare.p99_us,
      mismatches,
      sizes: results,
    };
    out.write(`${JSON.stringify(summary)}\n`);
  }
}
