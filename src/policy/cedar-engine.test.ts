import { describe, expect, it } from 'vitest';
import { WardenError } from '../core/errors.js';
import type { PolicyRequest } from '../core/ports.js';
import { configSchema } from '../config/schema.js';
import { CedarPolicyEngine } from './cedar-engine.js';
import { defaultContext, mergeContext } from '../core/context.js';
import { toCedarContext } from './context.js';
import { buildEntities, buildSchema } from './model.js';
import { loadPolicyFile, type LoadedPolicy } from './policy-files.js';

const NOW = new Date('2025-01-01T12:00:00Z');

// ---------------------------------------------------------------------------------------------
// Examples
// ---------------------------------------------------------------------------------------------

const EXAMPLE_CONFIG = configSchema.parse({
  version: 1,
  org: { id: 'acme' },
  teams: [{ id: 'finance' }],
  roles: [{ id: 'payments' }, { id: 'auditor' }],
  agents: [
    { id: 'finance-bot', roles: ['payments'], team: 'finance', tags: { env: 'prod' } },
    { id: 'audit-bot', roles: ['auditor'] },
    { id: 'idle-bot' },
  ],
  tools: [
    { id: 'bank.send_money', risk: 'critical', side_effects: true, args: { amount: 'long', to: 'string' } },
    { id: 'bank.get_balance', risk: 'low' },
  ],
  knowledge_bases: [{ id: 'handbook', sensitivity: 'internal' }],
});

function exampleEngine(policyText: string, boundaryText = ''): CedarPolicyEngine {
  const schema = buildSchema(EXAMPLE_CONFIG);
  const policies: LoadedPolicy[] = [];
  for (const [file, text, isBoundary] of [
    ['boundaries/org.cedar', boundaryText, true],
    ['policies/main.cedar', policyText, false],
  ] as const) {
    const loaded = loadPolicyFile(file, text, isBoundary, schema, file);
    expect(loaded.problems).toEqual([]);
    policies.push(...loaded.policies);
  }
  return new CedarPolicyEngine(policies, buildEntities(EXAMPLE_CONFIG), schema);
}

function invoke(agent: string, tool: string, args: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): PolicyRequest {
  return {
    principal: { type: 'Agent', id: agent },
    action: 'tool.invoke',
    resource: { type: 'Tool', id: tool },
    context: mergeContext(defaultContext('dev', NOW), { args, ...extra }),
  };
}

const PAYMENTS = `
@id("payments-send")
@notify("finance")
permit (principal in Role::"payments", action == Action::"tool.invoke", resource == Tool::"bank.send_money");

@id("large-needs-approval")
@approval("required")
@approvers("2")
forbid (principal, action == Action::"tool.invoke", resource == Tool::"bank.send_money")
when { context.args has amount && context.args.amount > 1000 }
unless { context.approval.granted };
`;

describe('CedarPolicyEngine decisions', () => {
  it('allows when a permit applies and names the permit', () => {
    const d = exampleEngine(PAYMENTS).decide(invoke('finance-bot', 'bank.send_money', { amount: 10 }));
    expect(d).toMatchObject({ decision: 'allow', policies: ['payments-send'], errors: [] });
  });

  it('denies by default when no policy is in scope of the request', () => {
    const d = exampleEngine(PAYMENTS).decide(invoke('finance-bot', 'bank.get_balance'));
    expect(d).toEqual({ decision: 'deny', policies: [], obligations: {}, reason: 'default_deny', errors: [] });
  });

  it('a forbid whose condition errors makes the decision error, never allow', () => {
    const engine = exampleEngine(PAYMENTS, `
@id("no-big-transfers")
forbid (principal, action == Action::"tool.invoke", resource == Tool::"bank.send_money")
when { context.args has amount && context.args.amount > 5000 };`);
    // Requests are not validated against the schema: a string amount reaches the forbid's `>`.
    const d = engine.decide(invoke('finance-bot', 'bank.send_money', { amount: 'a lot' }));
    expect(d.decision).toBe('error');
    expect(d.reason).toBe('evaluation_error');
    expect(d.policies).toEqual([]);
    expect(d.errors.join('\n')).toMatch(/no-big-transfers/);
  });

  it('a forbid that errors by integer overflow makes the decision error, never allow', () => {
    const engine = exampleEngine(`
@id("send") permit (principal, action == Action::"tool.invoke", resource == Tool::"bank.send_money");
@id("overflowing") forbid (principal, action == Action::"tool.invoke", resource)
when { context.args has amount && context.args.amount * 4611686018427387904 < 0 };`);
    expect(engine.decide(invoke('finance-bot', 'bank.send_money', { amount: 3 })).decision).toBe('error');
    expect(engine.decide(invoke('finance-bot', 'bank.send_money', { amount: 1 })).decision).toBe('allow');
  });

  it('approval-only denial becomes approval_required when a permit would allow', () => {
    const d = exampleEngine(PAYMENTS).decide(invoke('finance-bot', 'bank.send_money', { amount: 5000 }));
    expect(d).toEqual({
      decision: 'approval_required',
      policies: ['large-needs-approval'],
      obligations: { approvers: '2' },
      errors: [],
    });
  });

  it('a granted approval lifts the approval forbid and the permit allows', () => {
    const d = exampleEngine(PAYMENTS).decide(invoke('finance-bot', 'bank.send_money', { amount: 5000 }, { approval: { granted: true } }));
    expect(d).toMatchObject({ decision: 'allow', policies: ['payments-send'] });
  });

  it('approval policy without any matching permit stays deny', () => {
    // audit-bot has no permit for send_money: approving would not make it allowed.
    const d = exampleEngine(PAYMENTS).decide(invoke('audit-bot', 'bank.send_money', { amount: 5000 }));
    expect(d).toEqual({ decision: 'deny', policies: [], obligations: {}, reason: 'default_deny', errors: [] });
  });

  it('a hard forbid beside an approval forbid denies and names only the hard forbid', () => {
    const engine = exampleEngine(PAYMENTS, `
@id("prod-only")
forbid (principal, action, resource) unless { principal.tags has env && principal.tags.env == "prod" };`);
    expect(engine.decide(invoke('finance-bot', 'bank.send_money', { amount: 5000 })).decision).toBe('approval_required');
    const engineWithLimit = exampleEngine(PAYMENTS, `
@id("hard-limit")
forbid (principal, action == Action::"tool.invoke", resource == Tool::"bank.send_money")
when { context.args has amount && context.args.amount > 2000 };`);
    expect(engineWithLimit.decide(invoke('finance-bot', 'bank.send_money', { amount: 5000 }))).toEqual({
      decision: 'deny',
      policies: ['hard-limit'],
      obligations: {},
      reason: 'forbidden',
      errors: [],
    });
  });

  it('obligations come from the determining policies\' annotations', () => {
    const engine = exampleEngine(`
@id("read-handbook")
@max_rows("20")
@redact("pii")
permit (principal in Role::"auditor", action == Action::"kb.retrieve", resource == KnowledgeBase::"handbook");

@id("payments-read-handbook")
@max_rows("5")
permit (principal in Role::"payments", action == Action::"kb.retrieve", resource == KnowledgeBase::"handbook");`);
    const request = (agent: string): PolicyRequest => ({
      principal: { type: 'Agent', id: agent },
      action: 'kb.retrieve',
      resource: { type: 'KnowledgeBase', id: 'handbook' },
      context: defaultContext('dev', NOW),
    });
    // Only the permit that determined the decision contributes; the other one's annotations do not.
    expect(engine.decide(request('audit-bot'))).toMatchObject({ decision: 'allow', policies: ['read-handbook'], obligations: { max_rows: '20', redact: 'pii' } });
    expect(engine.decide(request('finance-bot'))).toMatchObject({ decision: 'allow', policies: ['payments-read-handbook'], obligations: { max_rows: '5' } });
    // A denial carries no obligations, even when the forbid is annotated.
    const denied = exampleEngine(`@id("x") @notify("sec") forbid (principal, action, resource == Tool::"bank.get_balance");`);
    expect(denied.decide(invoke('audit-bot', 'bank.get_balance'))).toMatchObject({ decision: 'deny', obligations: {} });
  });

  it('conflicting limits of two determining permits resolve to the strictest, the same way on every decision', () => {
    // Both permits determine the allow and both set max_rows. Whichever value wins, it must not
    // depend on the iteration order of Cedar's (unordered) set of reasons.
    const text = `
@id("narrow") @max_rows("20") permit (principal, action == Action::"tool.invoke", resource == Tool::"bank.get_balance");
@id("broad") @max_rows("10000") permit (principal in Role::"auditor", action == Action::"tool.invoke", resource);`;
    const outcomes = new Set<string>();
    for (let i = 0; i < 40; i++) outcomes.add(JSON.stringify(exampleEngine(text).decide(invoke('audit-bot', 'bank.get_balance')).obligations));
    expect([...outcomes]).toEqual([JSON.stringify({ max_rows: '20' })]);
  });

  it('a context value with a __entity key is refused as invalid input: the decision is error', () => {
    const engine = exampleEngine(PAYMENTS);
    const smuggled = { __entity: { type: 'Role', id: 'payments' } };
    // toCedarContext throws WardenError('invalid_request'); the engine catches it and decides error.
    expect(() => toCedarContext({ args: { to: smuggled } })).toThrow(WardenError);
    for (const request of [invoke('finance-bot', 'bank.send_money', { to: smuggled }), invoke('idle-bot', 'bank.get_balance', { to: smuggled })]) {
      const d = engine.decide(request);
      expect(d).toMatchObject({ decision: 'error', policies: [], reason: 'evaluation_error' });
      expect(d.errors.join('\n')).toMatch(/reserved/);
    }
    // Extension values are refused the same way.
    expect(engine.decide(invoke('finance-bot', 'bank.send_money', { amount: { __extn: { fn: 'decimal', arg: '1.0' } } })).decision).toBe('error');
  });

  it('a forbid whose condition names another agent\'s membership applies whoever asks', () => {
    // Whole-set Cedar: audit-bot is an auditor, so the forbid fires for every request.
    const engine = exampleEngine(`
@id("balances") permit (principal, action == Action::"tool.invoke", resource == Tool::"bank.get_balance");
@id("freeze-while-audited") forbid (principal, action, resource) when { Agent::"audit-bot" in Role::"auditor" };`);
    expect(engine.decide(invoke('audit-bot', 'bank.get_balance'))).toMatchObject({ decision: 'deny', policies: ['freeze-while-audited'] });
    expect(engine.decide(invoke('finance-bot', 'bank.get_balance'))).toMatchObject({ decision: 'deny', policies: ['freeze-while-audited'] });
  });

  it('a condition reading another configured entity\'s attribute evaluates like the whole set would', () => {
    const engine = exampleEngine(`
@id("balances-while-transfers-critical") permit (principal, action == Action::"tool.invoke", resource == Tool::"bank.get_balance")
when { Tool::"bank.send_money".risk_level >= 4 };`);
    expect(engine.decide(invoke('finance-bot', 'bank.get_balance'))).toMatchObject({ decision: 'allow', policies: ['balances-while-transfers-critical'] });
  });
});

describe('CedarPolicyEngine.resourceFor', () => {
  const engine = exampleEngine(PAYMENTS);

  it('a configured resource resolves to its entity type', () => {
    expect(engine.resourceFor('tool.invoke', 'bank.send_money')).toEqual({ type: 'Tool', id: 'bank.send_money' });
    expect(engine.resourceFor('kb.retrieve', 'handbook')).toEqual({ type: 'KnowledgeBase', id: 'handbook' });
  });

  it('a resource of a verb whose resources must be configured resolves to undefined when unknown', () => {
    expect(engine.resourceFor('tool.invoke', 'bank.steal_money')).toBeUndefined();
    expect(engine.resourceFor('kb.retrieve', 'secrets')).toBeUndefined();
    expect(engine.resourceFor('agent.delegate', 'nobody')).toBeUndefined();
    expect(engine.resourceFor('event.publish', 'nowhere')).toBeUndefined();
  });

  it('a resource of a verb that needs no configuration resolves to its type even when unknown', () => {
    expect(engine.resourceFor('memory.write', 'scratch')).toEqual({ type: 'Memory', id: 'scratch' });
  });

  it('an unknown verb resolves to undefined', () => {
    expect(engine.resourceFor('tool.explode', 'bank.send_money')).toBeUndefined();
  });

  it('a configured id under the wrong verb does not resolve', () => {
    expect(engine.resourceFor('kb.retrieve', 'bank.send_money')).toBeUndefined();
  });
});
