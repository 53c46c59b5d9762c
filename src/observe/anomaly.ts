/**
 * Anomaly detection on agent behaviour (issue 7, part 4).
 *
 * Every event the Gate sees goes into per-minute buckets of a few series per agent — calls,
 * denials, errors, distinct tools, bytes retrieved, tokens — and per agent and tool (calls). Each
 * closed minute is scored against a seasonal, robust baseline (see ./anomaly/baseline.ts) over
 * windows of 1, 5, 15 and 60 minutes; an alert opens with hysteresis and closes once the series
 * has been quiet for a while. A tool an agent has never used, after its warm-up, alerts at once.
 * The detector is synchronous and O(1) per event; `save`/`load` persist its baselines so a restart
 * does not forget what normal looks like.
 */
import type { Queryable } from '../backends/sql/sql-client.js';
import { closeMinute, learnUnit, newSeries, peekMinute, type Closed, type SeriesState } from './anomaly/baseline.js';

export type AnomalyEventKind = 'invocation' | 'denial' | 'error';
const KINDS: ReadonlySet<string> = new Set<AnomalyEventKind>(['invocation', 'denial', 'error']);

export interface AnomalyEvent {
  agentId: string;
  /** The tool called (verb/resource as the Gate names it). */
  tool?: string;
  at: Date;
  /** What became of the call: executed, denied, or executed and failed. Every kind counts as a call. */
  kind: AnomalyEventKind;
  /** Bytes the call returned to the agent (retrieval volume); with `count`, the total of the batch. */
  bytes?: number;
  /** Tokens the call consumed; with `count`, the total of the batch. */
  tokens?: number;
  /** Identical events folded into one (batch replay); 1 when absent. */
  count?: number;
}

/** Agent-level series names; per tool: `tool:<name>`; a first use: `new_tool:<name>`. */
export type AgentSeries = 'calls' | 'denials' | 'errors' | 'distinct_tools' | 'bytes' | 'tokens';
const AGENT_SERIES: readonly AgentSeries[] = ['calls', 'denials', 'errors', 'distinct_tools', 'bytes', 'tokens'];

export interface AnomalyAlert {
  /** Stable per incident: the open and the close of one alert share it. */
  id: string;
  state: 'open' | 'closed';
  agentId: string;
  series: string;
  /** When this notice was emitted (the end of the minute that decided it). */
  at: Date;
  openedAt: Date;
  /** Peak score while open (z-like: a one-sided normal quantile); Infinity for `new_tool:*`, which is not a statistic. */
  score: number;
  /** The window (minutes) that scored highest when the alert opened, and its observed and expected totals. */
  window: number;
  observed: number;
  expected: number;
  reason: string;
}

/** What a policy sees as `context.anomaly`. */
export interface AnomalyState {
  anomalous: boolean;
  /** Highest current score over the agent's series (0 for an agent never seen). */
  score: number;
  /** Series with an open alert. */
  series: string[];
}

export interface AnomalyOptions {
  /** Time for `tick()` without an argument. */
  clock?: () => Date;
  onAlert?: (alert: AnomalyAlert) => void;
  /** Score that opens an alert on a count series (calls, denials, errors, tools) when reached `openAfter` minutes running. */
  openThreshold?: number;
  /**
   * The same for byte and token series. Higher, because sizes are heavy-tailed: the quasi-Poisson
   * tail is too light there, so a few large calls at a quiet hour would otherwise alert.
   */
  volumeOpenThreshold?: number;
  openAfter?: number;
  /** An alert closes after `closeAfter` minutes below this score. */
  closeThreshold?: number;
  closeAfter?: number;
  /** Minutes after a close during which the same series opens no new alert (one spike, one alert). */
  cooldownMinutes?: number;
  /** Alerts an agent may raise per hour; more are still reflected in `state()` but not sent. */
  maxAlertsPerAgentHour?: number;
  /** Minutes of history a series needs before it is scored, and an agent before a new tool alerts. */
  warmupMinutes?: number;
  /**
   * Calls an agent must have made before a first use of a tool alerts: a tool used once in p calls
   * is unseen after n calls with probability (1 − p)^n, so a short history would alert on rare but
   * normal tools.
   */
  newToolMinCalls?: number;
  /** How long a first use of a tool keeps the agent anomalous. */
  newToolHoldMinutes?: number;
  /** Memory bounds. */
  maxAgents?: number;
  maxToolSeriesPerAgent?: number;
  maxToolsPerAgent?: number;
}

const DEFAULTS = {
  openThreshold: 5.5,
  volumeOpenThreshold: 10,
  openAfter: 1,
  closeThreshold: 3,
  closeAfter: 10,
  cooldownMinutes: 30,
  maxAlertsPerAgentHour: 6,
  warmupMinutes: 1440,
  newToolMinCalls: 500,
  newToolHoldMinutes: 60,
  // ~50 KB per agent with a handful of tools: 10,000 agents is about 0.5 GB.
  maxAgents: 10_000,
  maxToolSeriesPerAgent: 32,
  maxToolsPerAgent: 256,
} satisfies Required<Omit<AnomalyOptions, 'clock' | 'onAlert'>>;

/**
 * The state in the shape a Cedar context can hold: Cedar has no floating point, so the score is a
 * whole number (the z-like score rounded, capped at 100).
 */
export function anomalyContext(state: AnomalyState): { anomalous: boolean; score: number; series: string[] } {
  return { anomalous: state.anomalous, score: Math.min(100, Math.round(Math.max(0, state.score))), series: state.series };
}

/** Thrown for an event the detector cannot count; the message says which field and why. */
export class AnomalyInputError extends TypeError {
  override readonly name = 'AnomalyInputError';
}

/** Smallest expected count per minute: a series silent so far still scores its first events finitely. */
const RATE_FLOOR = 0.001;
/** An idle gap longer than this is skipped instead of replayed minute by minute. */
const MAX_GAP_MINUTES = 7 * 1440;
const STATE_VERSION = 1;
/** Cap on one call's share of a byte or token series, in multiples of the usual size of a call. */
const MAX_EVENT_UNITS = 10;

interface AlertState {
  open: boolean;
  notified: boolean;
  id: string;
  openedMinute: number;
  /** Exact time the alert opened (ms since the epoch). */
  openedAt: number;
  above: number;
  below: number;
  cooldownUntil: number;
  peak: number;
  window: number;
  observed: number;
  expected: number;
  lastScore: number;
}

interface Series {
  stats: SeriesState;
  alert: AlertState;
  /** The open minute's accumulator. */
  bucket: number;
}

interface AgentState {
  firstMinute: number;
  /** The open (not yet scored) minute. */
  minute: number;
  series: Record<string, Series>;
  /** Tools ever seen, as `#<tool>` → last minute used (bounded, least recently used evicted). */
  tools: Record<string, number>;
  /** Tools used in the open minute (distinct_tools). */
  minuteTools: string[];
  /** First uses still holding the agent anomalous: series name → minute the hold ends, alert id, time of the first use (ms). */
  newTools: Record<string, { until: number; id: string; at: number }>;
  /** Minutes at which alerts were sent in the last hour (rate limit). */
  sent: number[];
  /** Calls seen, all kinds. */
  calls: number;
  /** Per-tool series held (bounded by maxToolSeriesPerAgent). */
  toolSeries: number;
  dirty: boolean;
}

const newAlert = (): AlertState => ({ open: false, notified: false, id: '', openedMinute: 0, openedAt: 0, above: 0, below: 0, cooldownUntil: 0, peak: 0, window: 1, observed: 0, expected: 0, lastScore: 0 });
const minuteOf = (d: Date) => Math.floor(d.getTime() / 60_000);
const dateOf = (minute: number) => new Date(minute * 60_000);

export class AnomalyDetector {
  private readonly agents = new Map<string, AgentState>();
  private readonly o: typeof DEFAULTS;
  private readonly clock: () => Date;
  private readonly onAlert: (alert: AnomalyAlert) => void;

  constructor(options: AnomalyOptions = {}) {
    const { clock, onAlert, ...rest } = options;
    this.o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
    this.clock = clock ?? (() => new Date());
    this.onAlert = onAlert ?? (() => {});
  }

  /** Counts one event (or `count` identical ones). Throws AnomalyInputError on malformed input. */
  observe(event: AnomalyEvent): void {
    const e = validate(event);
    const minute = minuteOf(e.at);
    const agent = this.agentFor(e.agentId, minute);
    // An event stamped before the open minute (concurrent calls, clock skew) counts in the open minute.
    if (minute > agent.minute) this.advance(e.agentId, agent, minute);
    const n = e.count ?? 1;
    agent.calls += n;
    this.bucket(agent, 'calls').bucket += n;
    if (e.kind === 'denial') this.bucket(agent, 'denials').bucket += n;
    if (e.kind === 'error') this.bucket(agent, 'errors').bucket += n;
    for (const [name, amount] of [['bytes', e.bytes], ['tokens', e.tokens]] as const) {
      if (amount === undefined || amount <= 0) continue;
      const s = this.bucket(agent, name);
      learnUnit(s.stats, amount, n);
      // One call counts for at most MAX_EVENT_UNITS usual sizes: sizes are heavy-tailed and a single
      // large document is not exfiltration; a sustained stream of large ones still is.
      s.bucket += Math.min(amount, n * MAX_EVENT_UNITS * s.stats.unit);
    }
    if (e.tool !== undefined) this.seeTool(e.agentId, agent, e.tool, agent.minute, n, new Date(Math.max(e.at.getTime(), agent.minute * 60_000)));
    agent.dirty = true;
    const touched = ['calls', e.kind === 'denial' ? 'denials' : e.kind === 'error' ? 'errors' : undefined, e.bytes ? 'bytes' : undefined, e.tokens ? 'tokens' : undefined, e.tool !== undefined ? `tool:${e.tool}` : undefined];
    for (const name of touched) if (name !== undefined) this.earlyCheck(e.agentId, agent, name, e.at);
  }

  /** Opens an alert before the minute ends when the minute so far already crosses the threshold. */
  private earlyCheck(agentId: string, agent: AgentState, name: string, at: Date): void {
    const s = agent.series[name];
    if (s === undefined || s.alert.open || agent.minute < s.alert.cooldownUntil) return;
    if (s.alert.above + 1 < this.o.openAfter) return;
    const value = name === 'bytes' || name === 'tokens' ? (s.stats.unit > 0 ? s.bucket / s.stats.unit : 0) : s.bucket;
    const c = peekMinute(s.stats, agent.minute, value, RATE_FLOOR, this.o.warmupMinutes);
    if (c === undefined || c.score < this.thresholdOf(name)) return;
    // The alert is stamped with the event's time, but never before the open minute began.
    this.open(agentId, agent, name, s, agent.minute, c, new Date(Math.max(at.getTime(), agent.minute * 60_000)));
  }

  private thresholdOf(name: string): number {
    return name === 'bytes' || name === 'tokens' ? this.o.volumeOpenThreshold : this.o.openThreshold;
  }

  /** Closes every minute that has ended by `now` (call it every few seconds so alerts close on idle agents too). */
  tick(now: Date = this.clock()): void {
    const minute = minuteOf(now);
    // A snapshot: advance re-inserts agents into the map (its LRU order).
    for (const [id, agent] of [...this.agents]) if (minute > agent.minute) this.advance(id, agent, minute);
  }

  /** The agent's anomaly state for the policy context (`context.anomaly`). */
  state(agentId: string): AnomalyState {
    const agent = this.agents.get(agentId);
    if (agent === undefined) return { anomalous: false, score: 0, series: [] };
    const open: string[] = [];
    let score = 0;
    for (const [name, s] of Object.entries(agent.series)) {
      if (s.alert.open) open.push(name);
      // An alert opened mid-minute has a peak before its minute has a closing score.
      score = Math.max(score, s.alert.lastScore, s.alert.open ? s.alert.peak : 0);
    }
    for (const name of Object.keys(agent.newTools)) open.push(name);
    return { anomalous: open.length > 0, score, series: open.sort() };
  }

  /** Current score of one series (tests, diagnostics); undefined for an unknown series. */
  score(agentId: string, series: string): number | undefined {
    return this.agents.get(agentId)?.series[series]?.alert.lastScore;
  }

  /** Number of agents held (memory is bounded by maxAgents). */
  get size(): number {
    return this.agents.size;
  }

  /** Writes the state of every agent changed since the last save; returns how many rows were written. */
  async save(db: Queryable): Promise<number> {
    let n = 0;
    for (const [id, agent] of this.agents) {
      if (!agent.dirty) continue;
      const { dirty: _dirty, ...rest } = agent;
      await db.query(
        `INSERT INTO anomaly_state (agent_id, state, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (agent_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
        [id, JSON.stringify({ v: STATE_VERSION, ...rest })],
      );
      agent.dirty = false;
      n++;
    }
    return n;
  }

  /** Replaces the in-memory state with what `save` stored; returns the number of agents loaded. */
  async load(db: Queryable): Promise<number> {
    const { rows } = await db.query<{ agent_id: string; state: string }>('SELECT agent_id, state FROM anomaly_state ORDER BY updated_at');
    this.agents.clear();
    for (const row of rows) {
      const parsed = JSON.parse(row.state) as { v: number } & Omit<AgentState, 'dirty'>;
      // A state written by another version is dropped: the agent warms up again rather than being scored wrongly.
      if (parsed.v !== STATE_VERSION) continue;
      const { v: _v, ...agent } = parsed;
      this.agents.set(row.agent_id, { ...agent, dirty: false });
    }
    return this.agents.size;
  }

  private agentFor(id: string, minute: number): AgentState {
    let agent = this.agents.get(id);
    if (agent === undefined) {
      if (this.agents.size >= this.o.maxAgents) {
        // Map order is least recently advanced first (advance re-inserts): evict the idlest.
        const idlest = this.agents.keys().next().value;
        if (idlest !== undefined) this.agents.delete(idlest);
      }
      agent = { firstMinute: minute, minute, series: {}, tools: {}, minuteTools: [], newTools: {}, sent: [], toolSeries: 0, calls: 0, dirty: true };
      this.agents.set(id, agent);
    }
    return agent;
  }

  private bucket(agent: AgentState, name: string): Series {
    let s = agent.series[name];
    if (s === undefined) {
      s = { stats: newSeries(), alert: newAlert(), bucket: 0 };
      // A series born late (first denial, first error) starts with the agent's history of zeros
      // up to now, so its warm-up is the agent's, not its own.
      s.stats.minutes = agent.minute - agent.firstMinute;
      agent.series[name] = s;
    }
    return s;
  }

  private seeTool(agentId: string, agent: AgentState, tool: string, minute: number, n: number, at: Date): void {
    // Keys are prefixed: a tool named "__proto__" must be remembered like any other.
    const key = `#${tool}`;
    const known = Object.hasOwn(agent.tools, key);
    if (!known && minute - agent.firstMinute >= this.o.warmupMinutes && agent.calls - n >= this.o.newToolMinCalls) {
      const series = `new_tool:${tool}`;
      const id = `${agentId}:${series}:${minute}`;
      agent.newTools[series] = { until: minute + this.o.newToolHoldMinutes, id, at: at.getTime() };
      this.emit(agentId, agent, minute, {
        id, state: 'open', agentId, series, at, openedAt: at, score: Infinity, window: 1, observed: n, expected: 0,
        reason: `first use of tool "${tool}" after ${Math.floor((minute - agent.firstMinute) / 60)} h of history`,
      });
    }
    if (!known && Object.keys(agent.tools).length >= this.o.maxToolsPerAgent) {
      let oldest = '';
      let oldestMinute = Infinity;
      for (const [t, m] of Object.entries(agent.tools)) if (m < oldestMinute) [oldest, oldestMinute] = [t, m];
      delete agent.tools[oldest];
    }
    agent.tools[key] = minute;
    if (!agent.minuteTools.includes(tool)) {
      agent.minuteTools.push(tool);
      this.bucket(agent, 'distinct_tools').bucket++;
    }
    const name = `tool:${tool}`;
    if (Object.hasOwn(agent.series, name)) agent.series[name]!.bucket += n;
    else if (agent.toolSeries < this.o.maxToolSeriesPerAgent) {
      agent.toolSeries++;
      this.bucket(agent, name).bucket += n;
    }
  }

  /** Closes the agent's open minute and every idle minute up to `minute`, which becomes the open one. */
  private advance(agentId: string, agent: AgentState, minute: number): void {
    const gapEnd = Math.min(minute, agent.minute + MAX_GAP_MINUTES);
    for (let m = agent.minute; m < gapEnd; m++) this.closeAgentMinute(agentId, agent, m);
    agent.minute = minute;
    agent.minuteTools = [];
    // Re-insert so Map order stays least-recently-active first (the eviction order).
    this.agents.delete(agentId);
    this.agents.set(agentId, agent);
    agent.dirty = true;
  }

  private closeAgentMinute(agentId: string, agent: AgentState, minute: number): void {
    const scoreFrom = this.o.warmupMinutes;
    for (const name of AGENT_SERIES) this.bucket(agent, name);
    for (const [name, s] of Object.entries(agent.series)) {
      let value = s.bucket;
      s.bucket = 0;
      if (name === 'bytes' || name === 'tokens') value = s.stats.unit > 0 ? value / s.stats.unit : 0;
      const closed = closeMinute(s.stats, minute, value, RATE_FLOOR, scoreFrom);
      this.hysteresis(agentId, agent, name, s, minute, closed);
    }
    for (const [series, hold] of Object.entries(agent.newTools)) {
      if (minute + 1 < hold.until) continue;
      delete agent.newTools[series];
      this.emit(agentId, agent, minute + 1, {
        id: hold.id, state: 'closed', agentId, series, at: dateOf(minute + 1), openedAt: new Date(hold.at), score: Infinity, window: 1, observed: 0, expected: 0,
        reason: 'hold after first use ended',
      });
    }
    agent.minuteTools = [];
  }

  /** Open after `openAfter` minutes at or above the open threshold; close after `closeAfter` minutes below the close threshold. */
  private hysteresis(agentId: string, agent: AgentState, name: string, s: Series, minute: number, c: Closed): void {
    const a = s.alert;
    a.lastScore = c.score;
    const at = minute + 1;
    if (a.open) {
      if (c.score > a.peak) a.peak = c.score;
      a.below = c.score < this.o.closeThreshold ? a.below + 1 : 0;
      if (a.below < this.o.closeAfter) return;
      a.open = false;
      a.cooldownUntil = at + this.o.cooldownMinutes;
      if (a.notified) this.emit(agentId, agent, at, this.alertOf(agentId, name, s, 'closed', at, 'back to baseline'));
      return;
    }
    a.above = c.score >= this.thresholdOf(name) ? a.above + 1 : 0;
    if (at < a.cooldownUntil || a.above < this.o.openAfter) return;
    this.open(agentId, agent, name, s, at, c, dateOf(at));
  }

  private open(agentId: string, agent: AgentState, name: string, s: Series, minute: number, c: Closed, at: Date): void {
    const a = s.alert;
    Object.assign(a, { open: true, id: `${agentId}:${name}:${at.getTime()}`, openedMinute: minute, openedAt: at.getTime(), below: 0, peak: c.score, window: c.window, observed: c.observed, expected: c.expected });
    const unit = name === 'bytes' || name === 'tokens' ? s.stats.unit : 1;
    const alert = this.alertOf(agentId, name, s, 'open', minute, `${name}: ${fmt(c.observed * unit)} in ${c.window} min where ${fmt(c.expected * unit)} was expected`);
    a.notified = this.emit(agentId, agent, minute, { ...alert, at });
  }

  private alertOf(agentId: string, series: string, s: Series, state: 'open' | 'closed', at: number, reason: string): AnomalyAlert {
    const a = s.alert;
    const unit = series === 'bytes' || series === 'tokens' ? s.stats.unit : 1;
    return { id: a.id, state, agentId, series, at: dateOf(at), openedAt: new Date(a.openedAt), score: a.peak, window: a.window, observed: a.observed * unit, expected: a.expected * unit, reason };
  }

  /** Sends an alert unless the agent is over its hourly budget (closes always go out); returns whether it was sent. */
  private emit(_agentId: string, agent: AgentState, minute: number, alert: AnomalyAlert): boolean {
    if (alert.state === 'open') {
      agent.sent = agent.sent.filter((m) => m > minute - 60);
      if (agent.sent.length >= this.o.maxAlertsPerAgentHour) return false;
      agent.sent.push(minute);
    }
    agent.dirty = true;
    this.onAlert(alert);
    return true;
  }
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? Math.round(x).toString() : x.toFixed(2));

function validate(event: AnomalyEvent): AnomalyEvent {
  if (typeof event !== 'object' || event === null) throw new AnomalyInputError('anomaly event: expected an object');
  const { agentId, tool, at, kind, bytes, tokens, count } = event;
  if (typeof agentId !== 'string' || agentId.length === 0 || agentId.length > 256) throw new AnomalyInputError('anomaly event: agentId must be a non-empty string of at most 256 characters');
  if (tool !== undefined && (typeof tool !== 'string' || tool.length === 0 || tool.length > 256)) throw new AnomalyInputError('anomaly event: tool must be a non-empty string of at most 256 characters');
  if (!(at instanceof Date) || !Number.isFinite(at.getTime())) throw new AnomalyInputError('anomaly event: at must be a valid Date');
  if (typeof kind !== 'string' || !KINDS.has(kind)) throw new AnomalyInputError(`anomaly event: kind must be one of ${[...KINDS].join(', ')}, got ${JSON.stringify(kind)}`);
  for (const [field, v] of [['bytes', bytes], ['tokens', tokens]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new AnomalyInputError(`anomaly event: ${field} must be a finite number ≥ 0, got ${String(v)}`);
  }
  if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 1_000_000)) throw new AnomalyInputError(`anomaly event: count must be a whole number from 1 to 1,000,000, got ${String(count)}`);
  return event;
}

/** Persists one alert notice (the lead routes alerts to the ledger too; this table is the queryable history). */
export async function recordAlert(db: Queryable, alert: AnomalyAlert): Promise<void> {
  await db.query(
    `INSERT INTO anomaly_alerts (id, state, agent_id, series, at, opened_at, score, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (id, state) DO NOTHING`,
    [alert.id, alert.state, alert.agentId, alert.series, alert.at.toISOString(), alert.openedAt.toISOString(), Number.isFinite(alert.score) ? alert.score : null, JSON.stringify({ ...alert, score: Number.isFinite(alert.score) ? alert.score : null })],
  );
}

/** Recent alert notices, newest first. */
export async function listAlerts(db: Queryable, filter: { agentId?: string; limit?: number } = {}): Promise<AnomalyAlert[]> {
  const { rows } = await db.query<{ body: string }>(
    `SELECT body FROM anomaly_alerts WHERE ($1::text IS NULL OR agent_id = $1) ORDER BY at DESC, state DESC LIMIT $2`,
    [filter.agentId ?? null, filter.limit ?? 100],
  );
  return rows.map((r) => {
    const a = JSON.parse(r.body) as Omit<AnomalyAlert, 'at' | 'openedAt' | 'score'> & { at: string; openedAt: string; score: number | null };
    return { ...a, at: new Date(a.at), openedAt: new Date(a.openedAt), score: a.score ?? Infinity };
  });
}
