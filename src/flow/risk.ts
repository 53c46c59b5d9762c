import type { Action } from '../core/action.js';
import type { Decision } from '../core/decision.js';
import type { RiskScore, RiskScorer, RiskSignals } from '../core/ports.js';
import type { KnowledgeBaseConfig, ToolConfig } from '../config/schema.js';
import { SENSITIVITY_LEVELS } from '../policy/model.js';

const DECLARED: Record<ToolConfig['risk'], number> = { low: 10, medium: 30, high: 60, critical: 85 };
const DENIAL_WINDOW_MS = 3_600_000;
const MAX_TRACKED_AGENTS = 10_000;

/**
 * A 0–100 risk score per action, explained by its factors (each a number of points, recorded in
 * the decision and the ledger): what the configuration declares about the resource (risk level,
 * side effects, egress, knowledge sensitivity), what the arguments carry (untrusted provenance,
 * PII, an injection the scanners found), whether the session has seen untrusted content, whether the agent is in
 * an open anomaly alert, and how often it was denied in the last hour. Policies read the total: `context.risk.score > 70`.
 * Recent denials are counted per process (a replica sees its own).
 */
export class RiskModel implements RiskScorer {
  private readonly tools: Map<string, ToolConfig>;
  private readonly kbs: Map<string, KnowledgeBaseConfig>;
  private readonly denials = new Map<string, number[]>();

  constructor(
    tools: readonly ToolConfig[],
    kbs: readonly KnowledgeBaseConfig[] = [],
    private readonly now: () => number = Date.now,
  ) {
    this.tools = new Map(tools.map((t) => [t.id, t]));
    this.kbs = new Map(kbs.map((k) => [k.id, k]));
  }

  score(action: Action, signals?: RiskSignals): RiskScore {
    const factors: Record<string, number> = {};
    const tool = action.verb === 'tool.invoke' ? this.tools.get(action.resource) : undefined;
    if (tool) {
      factors.declared_risk = DECLARED[tool.risk];
      if (tool.side_effects) factors.side_effects = 5;
      if (tool.egress) factors.egress = 5;
    }
    const kb = action.verb === 'kb.retrieve' ? this.kbs.get(action.resource) : undefined;
    if (kb) factors.data_sensitivity = SENSITIVITY_LEVELS[kb.sensitivity] * 10;
    if (signals) {
      const labels = Object.values(signals.labels).flat();
      if (labels.includes('untrusted')) factors.untrusted_arguments = 25;
      if (labels.includes('pii')) factors.pii_arguments = 5;
      if (signals.findings?.injection) factors.injection = Math.round(signals.findings.injection.score * 40);
      if (signals.sessionUntrusted) factors.untrusted_session = 10;
      if (signals.anomalous) factors.anomalous_agent = 25;
    }
    const recent = this.recentDenials(action.agentId);
    if (recent) factors.recent_denials = Math.min(20, recent * 5);
    const score = Math.min(100, Object.values(factors).reduce((a, b) => a + b, 0));
    return { score, factors };
  }

  observe(action: Action, decision: Decision['decision']): void {
    if (decision !== 'deny') return;
    const times = this.denials.get(action.agentId) ?? [];
    times.push(this.now());
    this.denials.delete(action.agentId);
    this.denials.set(action.agentId, times.slice(-20));
    while (this.denials.size > MAX_TRACKED_AGENTS) this.denials.delete(this.denials.keys().next().value!);
  }

  private recentDenials(agentId: string): number {
    const since = this.now() - DENIAL_WINDOW_MS;
    return (this.denials.get(agentId) ?? []).filter((t) => t > since).length;
  }
}
