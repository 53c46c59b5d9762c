import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RiskModel } from './risk.js';
import type { Action } from '../core/action.js';
import type { KnowledgeBaseConfig, ToolConfig } from '../config/schema.js';

const tools = [
  { id: 'bank.send_money', risk: 'critical', side_effects: true, egress: true, tags: {}, args: {} },
  { id: 'bank.get_balance', risk: 'low', side_effects: false, egress: false, tags: {}, args: {} },
] as ToolConfig[];
const kbs = [{ id: 'payroll', sensitivity: 'confidential', sources: [], redact_pii: false, tags: {} }] as KnowledgeBaseConfig[];
const action = (resource: string, verb = 'tool.invoke'): Action => ({ requestId: 'r', agentId: 'finance-bot', verb, resource, context: {}, credential: { kind: 'api_key' } });

describe('risk scoring', () => {
  it('explains the score of a transfer whose recipient came from untrusted content, factor by factor', () => {
    const risk = new RiskModel(tools).score(action('bank.send_money'), { labels: { to: ['source:mail.read_inbox', 'untrusted'] }, sessionUntrusted: true });
    expect(risk.factors).toEqual({ declared_risk: 85, side_effects: 5, egress: 5, untrusted_arguments: 25, untrusted_session: 10 });
    expect(risk.score).toBe(100);
  });

  it('scores a balance lookup low, and knowledge by its sensitivity', () => {
    const model = new RiskModel(tools, kbs);
    expect(model.score(action('bank.get_balance'), { labels: {}, sessionUntrusted: false })).toEqual({ score: 10, factors: { declared_risk: 10 } });
    expect(model.score(action('payroll', 'kb.retrieve')).factors).toEqual({ data_sensitivity: 30 });
  });

  it('raises an agent’s scores after denials, and forgets them after an hour', () => {
    let now = 0;
    const model = new RiskModel(tools, [], () => now);
    for (let i = 0; i < 3; i++) model.observe(action('bank.send_money'), 'deny');
    model.observe(action('bank.send_money'), 'allow');
    expect(model.score(action('bank.get_balance')).factors.recent_denials).toBe(15);
    now = 3_600_001;
    expect(model.score(action('bank.get_balance')).factors.recent_denials).toBeUndefined();
  });

  it('always stays within 0–100 and equals the sum of its factors up to the cap', () => {
    const model = new RiskModel(tools, kbs);
    fc.assert(
      fc.property(fc.constantFrom('bank.send_money', 'bank.get_balance', 'unknown.tool'), fc.subarray(['untrusted', 'pii', 'source:x']), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), (tool, labels, untrusted, injection) => {
        const r = model.score(action(tool), { labels: { a: labels }, findings: { injection: { score: injection, rules: [] } }, sessionUntrusted: untrusted });
        const sum = Object.values(r.factors).reduce((a, b) => a + b, 0);
        expect(r.score).toBe(Math.min(100, sum));
        expect(r.score).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
