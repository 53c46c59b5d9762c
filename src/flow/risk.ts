import type { Action } from '../core/action.js';
import type { RiskScore, RiskScorer } from '../core/ports.js';
import type { ToolConfig } from '../config/schema.js';

const DECLARED: Record<ToolConfig['risk'], number> = { low: 10, medium: 30, high: 60, critical: 85 };

/**
 * Risk from what the configuration declares about the resource: its risk level, and whether it has
 * side effects or sends data out. Later factors (labels, findings, anomalies) add to it.
 */
export class DeclaredRiskScorer implements RiskScorer {
  private readonly tools: Map<string, ToolConfig>;

  constructor(tools: readonly ToolConfig[]) {
    this.tools = new Map(tools.map((t) => [t.id, t]));
  }

  score(action: Action): RiskScore {
    const tool = action.verb === 'tool.invoke' ? this.tools.get(action.resource) : undefined;
    if (!tool) return { score: 0, factors: {} };
    const factors: Record<string, number> = { declared_risk: DECLARED[tool.risk] };
    if (tool.side_effects) factors.side_effects = 5;
    if (tool.egress) factors.egress = 5;
    const score = Math.min(100, Object.values(factors).reduce((a, b) => a + b, 0));
    return { score, factors };
  }
}
