import { describe, expect, it } from 'vitest';
import { Gate } from './gate.js';
import type { Action } from './action.js';
import type { AgentDirectory, AuditRecord, AuditSink, ContentInspector, Executor, PolicyEngine } from './ports.js';
import { loadConfig } from '../config/load.js';
import { loadEngine } from '../policy/load.js';
import { HistoryShape, MemoryHistory } from '../flow/history.js';
import { RiskModel } from '../flow/risk.js';

const quickstart = loadConfig('examples/quickstart');
const engine = loadEngine(quickstart);

class MemoryAudit implements AuditSink {
  records: AuditRecord[] = [];
  fail = false;
  async append(record: AuditRecord) {
    if (this.fail) throw new Error('disk full');
    this.records.push(record);
    return { seq: this.records.length };
  }
}

function directory(suspended: string[] = []): AgentDirectory {
  const known = new Set(['support-bot', 'finance-bot', 'research-bot']);
  return { status: async (id) => ({ id, known: known.has(id), suspended: suspended.includes(id) }) };
}

/** The Gate always brings history; policies that read it (transfers an hour) need it to evaluate. */
const emptyHistory = () => new MemoryHistory(new HistoryShape(quickstart.config.tools));

function setup(opts: { policy?: PolicyEngine; suspended?: string[] } = {}) {
  const audit = new MemoryAudit();
  const logged: unknown[] = [];
  const gate = new Gate({
    policy: opts.policy ?? engine,
    agents: directory(opts.suspended),
    audit,
    log: { decision: (r) => logged.push(r) },
    env: 'dev',
    history: emptyHistory(),
  });
  return { gate, audit, logged };
}

const action = (over: Partial<Action> = {}): Action => ({
  requestId: 'r1',
  agentId: 'finance-bot',
  verb: 'tool.invoke',
  resource: 'bank.send_money',
  context: { args: { amount: 50, to: 'DE89370400440532013000' } },
  credential: { kind: 'api_key', id: 'k1' },
  ...over,
});

describe('the Gate', () => {
  it('allows what a policy permits and records it with a digest of the context, not the arguments', async () => {
    const { gate, audit, logged } = setup();
    const d = await gate.authorize(action());
    expect(d).toMatchObject({ decision: 'allow', policies: ['payments-send-money'], seq: 1, requestId: 'r1' });
    expect(audit.records[0]).toMatchObject({ decision: 'allow', agentId: 'finance-bot', contextDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(JSON.stringify(audit.records[0])).not.toContain('DE89370400440532013000');
    expect(logged).toHaveLength(1);
  });

  it('denies and records an unknown (shadow) agent', async () => {
    const { gate, audit } = setup();
    const d = await gate.authorize(action({ agentId: 'shadow-bot' }));
    expect(d).toMatchObject({ decision: 'deny', code: 'unknown_agent', reason: 'unknown_agent' });
    expect(audit.records[0]).toMatchObject({ decision: 'deny', agentId: 'shadow-bot', reason: 'unknown_agent' });
  });

  it('denies and records a suspended agent even where a policy permits the action', async () => {
    const { gate, audit } = setup({ suspended: ['finance-bot'] });
    expect(await gate.authorize(action())).toMatchObject({ decision: 'deny', code: 'agent_suspended' });
    expect(audit.records).toHaveLength(1);
  });

  it('denies and records an unknown resource and an unknown verb', async () => {
    const { gate, audit } = setup();
    expect(await gate.authorize(action({ resource: 'bank.print_money' }))).toMatchObject({ decision: 'deny', code: 'unknown_resource' });
    expect(await gate.authorize(action({ verb: 'tool.explode' }))).toMatchObject({ decision: 'deny', code: 'invalid_action' });
    expect(audit.records.map((r) => r.reason)).toEqual(['unknown_resource', 'invalid_action']);
  });

  it('fails closed when the policy engine throws: the decision is error, and it is recorded', async () => {
    const broken: PolicyEngine = { version: 'test', decide: () => { throw new Error('wasm trap'); }, resourceFor: (_v, id) => ({ type: 'Tool', id }), mayAllow: () => true };
    const { gate, audit } = setup({ policy: broken });
    const d = await gate.authorize(action());
    expect(d.decision).toBe('error');
    expect(audit.records[0]?.decision).toBe('error');
  });

  it('fails closed when the agent directory is down', async () => {
    const audit = new MemoryAudit();
    const gate = new Gate({ policy: engine, agents: { status: async () => { throw new Error('db down'); } }, audit, log: { decision: () => {} }, env: 'dev' });
    expect((await gate.authorize(action())).decision).toBe('error');
    expect(audit.records[0]?.decision).toBe('error');
  });

  it('never returns allow when the decision cannot be recorded', async () => {
    const { gate, audit } = setup();
    audit.fail = true;
    await expect(gate.authorize(action())).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('takes only args from an agent: it cannot grant itself an approval', async () => {
    const { gate } = setup();
    const context = { args: { amount: 5000, to: 'x' }, approval: { granted: true, approvers: 2 } };
    expect((await gate.authorize(action({ context }))).decision).toBe('approval_required');
    expect((await gate.authorize(action({ context, credential: { kind: 'admin' } }))).decision).toBe('allow');
  });

  it('refuses argument keys that would smuggle Cedar entity references, as an error decision', async () => {
    const { gate } = setup();
    const d = await gate.authorize(action({ context: { args: { amount: { __entity: { type: 'Agent', id: 'x' } } } } }));
    expect(d.decision).toBe('error');
  });

  it('fails closed when the input scanner throws: an error decision, recorded', async () => {
    const audit = new MemoryAudit();
    const guard: ContentInspector = {
      inspectInput: async () => { throw new Error('scanner crashed'); },
      inspectOutput: async (_a, result) => ({ result, treatment: 'clean', findings: {} }),
    };
    const gate = new Gate({ policy: engine, history: emptyHistory(), agents: directory(), audit, log: { decision: () => {} }, env: 'dev', guard });
    expect((await gate.authorize(action())).decision).toBe('error');
    expect(audit.records[0]?.decision).toBe('error');
  });

  it('withholds a result whose output scan throws, and records the execution as withheld', async () => {
    const audit = new MemoryAudit();
    const guard: ContentInspector = {
      inspectInput: async () => ({ labels: {}, findings: {} }),
      inspectOutput: async () => { throw new Error('scanner crashed'); },
    };
    const executor: Executor = { execute: async () => ({ outcome: 'success', attempts: 1, durationMs: 1, result: { content: [{ type: 'text', text: 'secret' }] } }) };
    const gate = new Gate({ policy: engine, history: emptyHistory(), agents: directory(), audit, log: { decision: () => {} }, env: 'dev', guard, executor });
    const r = await gate.invoke(action());
    expect(r.execution).toMatchObject({ outcome: 'withheld', error: expect.stringMatching(/could not be inspected/) });
    expect(r.execution?.result).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(audit.records[1]?.execution).toMatchObject({ outcome: 'withheld', guard: { treatment: 'withheld' } });
  });

  it('puts input findings in the policy context, where an agent cannot forge them', async () => {
    const audit = new MemoryAudit();
    const guard: ContentInspector = {
      inspectInput: async () => ({ labels: { to: ['injection'] }, findings: { injection: { score: 0.97, rules: ['override.ignore_previous'] } } }),
      inspectOutput: async (_a, result) => ({ result, treatment: 'clean', findings: {} }),
    };
    const gate = new Gate({ policy: engine, history: emptyHistory(), agents: directory(), audit, log: { decision: () => {} }, env: 'dev', guard });
    const d = await gate.authorize(action({ context: { args: { amount: 50, to: 'x' }, guard: { injection: false } } }));
    expect(d).toMatchObject({ decision: 'deny', policies: ['no-egress-with-injected-arguments'] });
    expect(audit.records[0]?.guard).toEqual({ injection: { score: 0.97, rules: ['override.ignore_previous'] } });
  });
});

describe('the Gate and anomaly detection', () => {
  it('puts the agent’s anomaly state in the policy context and counts every outcome', async () => {
    const seen: string[] = [];
    const monitor = {
      context: (agentId: string) => ({ anomalous: agentId === 'finance-bot', score: 90, series: ['calls'] }),
      observe: (a: Action, outcome: string) => void seen.push(`${a.agentId}:${outcome}`),
    };
    const audit = new MemoryAudit();
    const gate = new Gate({ policy: engine, history: emptyHistory(), agents: directory(), audit, log: { decision: () => {} }, env: 'dev', monitor, risk: new RiskModel(quickstart.config.tools) });
    const parked = await gate.authorize(action({ agentId: 'finance-bot', resource: 'bank.send_money', context: { args: { amount: 50, to: 'DE89370400440532013000' } } }));
    expect(parked).toMatchObject({ decision: 'approval_required', policies: ['anomalous-agent-needs-approval'] });
    expect(parked.risk?.factors.anomalous_agent).toBe(25);
    await gate.authorize(action({ agentId: 'support-bot', resource: 'bank.send_money', context: { args: { amount: 50 } } }));
    expect(seen).toEqual(['finance-bot:invocation', 'support-bot:denial']);
  });
});

describe('the Gate and approvals', () => {
  it('looks for a grant only when the action needs approval, and decides again with it', async () => {
    const lookups: string[] = [];
    const desk = {
      grantFor: async (a: Action) => (lookups.push(a.resource), { granted: true, approvers: 2, approvalId: 'apr_x' }),
      park: async () => 'apr_new',
      consume: async () => true,
    };
    const gate = new Gate({ policy: engine, history: emptyHistory(), agents: directory(), audit: new MemoryAudit(), log: { decision: () => {} }, env: 'dev', approvals: desk });
    expect((await gate.authorize(action({ agentId: 'finance-bot', resource: 'bank.get_balance', context: { args: { account: 'ACC-1' } } }))).decision).toBe('allow');
    expect(lookups).toEqual([]);
    expect((await gate.authorize(action({ agentId: 'finance-bot', resource: 'bank.send_money', context: { args: { amount: 5000, to: 'DE89370400440532013000' } } }))).decision).toBe('allow');
    expect(lookups).toEqual(['bank.send_money']);
  });
});
