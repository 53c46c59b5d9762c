/**
 * Anomaly detection quality: synthetic agent traffic at minute resolution with known injected
 * anomalies, replayed through `AnomalyDetector` in simulated time.
 *
 * Traffic: 200 agents × 30 days from a fixed seed. Each agent has a peak call rate (log-uniform
 * 0.05–5 calls/min), an office profile (business hours in its own time zone, quiet weekends) or a
 * batch profile (24/7 with a mild daily swing), 3–8 tools with Zipf-like shares, Poisson calls,
 * ~2 % denials and ~1 % errors, log-normal bytes and tokens per call. Half the agents stay clean;
 * the other half each get one anomaly of one of five types (20 each) at a random minute between
 * day 8 and day 28:
 *
 * - burst: the agent's main tool gets max(20, 10 × peak) extra calls/min for 5 minutes;
 * - ramp: extra calls rising linearly from 0 to 5 × peak over 60 minutes, then held 30 minutes
 *   (its onset, for delay, is when the excess reaches 1 × peak — 12 minutes in; delay from the
 *   start of the ramp is reported too);
 * - new tool: a tool the agent never used, 1 call/min for 30 minutes;
 * - denials: max(1, peak) extra denied calls/min on its own tools for 60 minutes;
 * - exfiltration: 2 extra retrieval calls/min each returning 20 × the agent's usual size, 15 minutes.
 *
 * Scoring: an anomaly is detected when an alert opens on its agent between its start and 30
 * minutes after its end; delay = alert time − onset (simulated seconds). Every other alert is a
 * false alarm; agent-hours count from the end of the detector's 1-day warm-up and exclude the
 * injected windows. Thresholds were tuned on seed 1 (WARDEN_ANOMALY_SEED=1); the reported run
 * uses seed 2 by default.
 */
import { poisson } from '../test/support/random.js';
import { AnomalyDetector, type AnomalyAlert, type AnomalyEventKind } from '../src/observe/anomaly.js';
import { rng } from '../scripts/guard/generate-data.js';
import type { BenchOptions } from './run.js';

const TYPES = ['burst', 'ramp', 'new_tool', 'denials', 'exfiltration'] as const;
type AnomalyType = (typeof TYPES)[number];
const TARGET_DELAY_S = 300;
const TARGET_FA_PER_10K = 1;
const DAY = 1440;
const WARMUP = DAY;
const AFTER_END = 30;
/** Monday 2026-01-05 00:00 UTC, in minutes since the epoch. */
const START_MINUTE = Date.UTC(2026, 0, 5) / 60_000;

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Injection {
  type: AnomalyType;
  start: number;
  end: number;
  /** Reference onset for the delay. */
  onset: number;
}

interface Agent {
  id: string;
  peak: number;
  office: boolean;
  tz: number;
  tools: string[];
  shares: number[];
  bytesMean: number[];
  injection?: Injection;
}

function poissonSampler(r: () => number) {
  return (lambda: number): number => {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss(r)));
    return poisson(r, lambda);
  };
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Expected calls per minute of an agent at a minute of the simulation (before injections). */
function rateAt(a: Agent, minute: number): number {
  const hour = (((minute / 60 + a.tz) % 24) + 24) % 24;
  const day = Math.floor((minute + a.tz * 60) / DAY) % 7; // 0 = Monday
  if (!a.office) return a.peak * (0.7 + 0.3 * Math.sin((2 * Math.PI * hour) / 24));
  // Business hours 8–18 with smooth shoulders; a little traffic all night.
  const bump = hour < 7 || hour > 19 ? 0 : 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 7)) / 12);
  const weekday = day < 5 ? 1 : 0.15;
  return a.peak * (0.03 + 0.97 * bump) * weekday;
}

function makeAgents(seed: number, count: number, days: number): Agent[] {
  const r = rng(seed);
  const agents: Agent[] = [];
  for (let i = 0; i < count; i++) {
    const k = 3 + Math.floor(r() * 6);
    const raw = Array.from({ length: k }, (_, j) => 1 / (j + 1));
    const total = raw.reduce((x, y) => x + y, 0);
    agents.push({
      id: `agent-${i}`,
      peak: Math.exp(Math.log(0.05) + r() * (Math.log(5) - Math.log(0.05))),
      office: r() < 0.7,
      tz: Math.floor(r() * 24),
      tools: Array.from({ length: k }, (_, j) => `tool-${i}-${j}`),
      shares: raw.map((x) => x / total),
      bytesMean: Array.from({ length: k }, (_, j) => (j < 2 ? 4000 + r() * 20000 : 300 + r() * 700)),
    });
  }
  // Every other agent gets one injected anomaly, the types in turn.
  const injected = agents.filter((_, i) => i % 2 === 1);
  injected.forEach((a, i) => {
    const type = TYPES[i % TYPES.length]!;
    const first = Math.min(8 * DAY, Math.floor(days * DAY * 0.4));
    const last = days * DAY - 2 * DAY;
    const start = first + Math.floor(r() * (last - first));
    const length = { burst: 5, ramp: 90, new_tool: 30, denials: 60, exfiltration: 15 }[type];
    a.injection = { type, start, end: start + length, onset: type === 'ramp' ? start + 12 : start };
  });
  return agents;
}

interface Outcome {
  agent: Agent;
  alerts: AnomalyAlert[];
}

/** Replays one agent's traffic through the detector, minute by minute; returns the (batched) events fed. */
function simulate(a: Agent, seed: number, days: number, detector: AnomalyDetector): number {
  let events = 0;
  const r = rng(seed);
  const poisson = poissonSampler(r);
  const lognormal = (mean: number, sigma: number) => mean * Math.exp(sigma * gauss(r) - (sigma * sigma) / 2);
  const pickTool = () => {
    let u = r();
    for (let j = 0; j < a.shares.length; j++) {
      u -= a.shares[j]!;
      if (u <= 0) return j;
    }
    return a.shares.length - 1;
  };
  const inj = a.injection;
  const agg = new Map<string, { tool: string; kind: AnomalyEventKind; count: number; bytes: number; tokens: number }>();
  const add = (tool: string, kind: AnomalyEventKind, bytes: number) => {
    const key = `${tool}|${kind}`;
    const cur = agg.get(key) ?? { tool, kind, count: 0, bytes: 0, tokens: 0 };
    cur.count++;
    cur.bytes += bytes;
    cur.tokens += Math.round(lognormal(600, 0.6));
    agg.set(key, cur);
  };
  for (let m = 0; m < days * DAY; m++) {
    agg.clear();
    const n = poisson(rateAt(a, m));
    for (let c = 0; c < n; c++) {
      const j = pickTool();
      const u = r();
      add(a.tools[j]!, u < 0.02 ? 'denial' : u < 0.03 ? 'error' : 'invocation', u < 0.02 ? 0 : Math.round(lognormal(a.bytesMean[j]!, 0.8)));
    }
    if (inj !== undefined && m >= inj.start && m < inj.end) {
      const t = m - inj.start;
      if (inj.type === 'burst') for (let c = poisson(Math.max(20, 10 * a.peak)); c > 0; c--) add(a.tools[0]!, 'invocation', Math.round(lognormal(a.bytesMean[0]!, 0.8)));
      if (inj.type === 'ramp') for (let c = poisson(5 * a.peak * Math.min(1, t / 60)); c > 0; c--) { const j = pickTool(); add(a.tools[j]!, 'invocation', Math.round(lognormal(a.bytesMean[j]!, 0.8))); }
      if (inj.type === 'new_tool') for (let c = Math.max(t === 0 ? 1 : 0, poisson(1)); c > 0; c--) add(`unknown-${a.id}`, 'invocation', 500);
      if (inj.type === 'denials') for (let c = poisson(Math.max(1, a.peak)); c > 0; c--) add(a.tools[pickTool()]!, 'denial', 0);
      if (inj.type === 'exfiltration') for (let c = poisson(2); c > 0; c--) add(a.tools[0]!, 'invocation', Math.round(20 * lognormal(a.bytesMean[0]!, 0.8)));
    }
    const at = new Date((START_MINUTE + m) * 60_000 + 30_000);
    for (const e of agg.values()) detector.observe({ agentId: a.id, tool: e.tool, kind: e.kind, at, count: e.count, bytes: e.bytes, tokens: e.tokens });
    events += agg.size;
    // Close the minute even when it was silent, as the Gate's periodic tick would.
    if (n === 0 && agg.size === 0) detector.tick(new Date((START_MINUTE + m + 1) * 60_000));
  }
  detector.tick(new Date((START_MINUTE + days * DAY) * 60_000));
  return events;
}

interface TypeRow {
  type: string;
  injected: number;
  detected: number;
  delays: number[];
  rampStartDelays: number[];
}

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor((s.length - 1) / 2)]!;
};

export async function run(opts: BenchOptions): Promise<void> {
  const seed = Number(process.env.WARDEN_ANOMALY_SEED ?? 2);
  const agentsCount = opts.quick ? 40 : 200;
  const days = opts.quick ? 14 : 30;
  const agents = makeAgents(seed, agentsCount, days);
  log(`anomaly: ${agentsCount} agents × ${days} days at minute resolution, seed ${seed} (thresholds tuned on seed 1)`);
  const started = performance.now();
  const outcomes: Outcome[] = [];
  let events = 0;
  for (const [i, a] of agents.entries()) {
    const alerts: AnomalyAlert[] = [];
    // One detector per agent: agents are independent, and this keeps memory flat over the run.
    const detector = new AnomalyDetector({ onAlert: (al) => void (al.state === 'open' && alerts.push(al)) });
    events += simulate(a, seed * 1_000_003 + i, days, detector);
    outcomes.push({ agent: a, alerts });
    if ((i + 1) % 50 === 0) log(`  ${i + 1}/${agentsCount} agents (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  const seconds = (performance.now() - started) / 1000;

  const rows = new Map<string, TypeRow>(TYPES.map((t) => [t, { type: t, injected: 0, detected: 0, delays: [], rampStartDelays: [] }]));
  let falseAlarms = 0;
  let agentMinutes = 0;
  const falseBySeries = new Map<string, number>();
  const missed: string[] = [];
  for (const { agent, alerts } of outcomes) {
    const inj = agent.injection;
    agentMinutes += days * DAY - WARMUP - (inj ? inj.end + AFTER_END - inj.start : 0);
    let first: AnomalyAlert | undefined;
    for (const al of alerts) {
      const m = al.at.getTime() / 60_000 - START_MINUTE;
      if (inj && m >= inj.start && m <= inj.end + AFTER_END) {
        if (first === undefined) first = al;
      } else if (m >= WARMUP) {
        falseAlarms++;
        const key = al.series.replace(/:.*/, ':*');
        falseBySeries.set(key, (falseBySeries.get(key) ?? 0) + 1);
      }
    }
    if (inj) {
      const row = rows.get(inj.type)!;
      row.injected++;
      if (first) {
        row.detected++;
        const m = first.at.getTime() / 60_000 - START_MINUTE;
        row.delays.push((m - inj.onset) * 60);
        if (inj.type === 'ramp') row.rampStartDelays.push((m - inj.start) * 60);
      } else missed.push(`${agent.id} ${inj.type} (peak ${agent.peak.toFixed(2)}/min, ${agent.office ? 'office' : 'batch'})`);
    }
  }
  const agentHours = agentMinutes / 60;
  const faPer10k = (falseAlarms / agentHours) * 10_000;
  const all = [...rows.values()];
  const detected = all.reduce((n, r) => n + r.detected, 0);
  const injected = all.reduce((n, r) => n + r.injected, 0);
  const allDelays = all.flatMap((r) => r.delays);
  const maxDelay = allDelays.length ? Math.max(...allDelays) : NaN;

  const line = (cells: string[]) => cells[0]!.padEnd(14) + cells.slice(1).map((c) => c.padStart(12)).join('');
  const out = [line(['anomaly', 'detected', 'median s', 'max s', '≤ 5 min'])];
  for (const r of all) {
    out.push(line([r.type, `${r.detected}/${r.injected}`, median(r.delays).toFixed(0), (r.delays.length ? Math.max(...r.delays) : NaN).toFixed(0), `${r.delays.filter((d) => d <= TARGET_DELAY_S).length}/${r.injected}`]));
  }
  const ramp = rows.get('ramp')!;
  out.push(`ramp delay from its start (not its onset): median ${median(ramp.rampStartDelays).toFixed(0)} s, max ${(ramp.rampStartDelays.length ? Math.max(...ramp.rampStartDelays) : NaN).toFixed(0)} s`);
  out.push(`false alarms: ${falseAlarms} in ${Math.round(agentHours)} agent-hours = ${faPer10k.toFixed(2)} per 10,000 agent-hours (by series: ${[...falseBySeries].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})`);
  if (missed.length) out.push(`missed: ${missed.join('; ')}`);
  out.push(`targets: every anomaly within ${TARGET_DELAY_S} s — ${detected === injected && maxDelay <= TARGET_DELAY_S ? 'met' : 'missed'}; ≤ ${TARGET_FA_PER_10K} false alarm per 10,000 agent-hours — ${faPer10k <= TARGET_FA_PER_10K ? 'met' : 'missed'}`);
  out.push(`replayed ${events} batched events over ${agentsCount * days * DAY} agent-minutes in ${seconds.toFixed(1)} s`);
  for (const l of out) process.stdout.write(`${l}\n`);
  if (opts.json) {
    const perType = Object.fromEntries(all.map((r) => [r.type, { detected: r.detected, injected: r.injected, median_delay_s: median(r.delays), max_delay_s: r.delays.length ? Math.max(...r.delays) : null }]));
    process.stdout.write(
      `${JSON.stringify({
        bench: 'anomaly',
        seed,
        agents: agentsCount,
        days,
        detected,
        injected,
        max_delay_s: Number.isFinite(maxDelay) ? maxDelay : null,
        false_alarms: falseAlarms,
        agent_hours: Math.round(agentHours),
        false_alarms_per_10k_agent_hours: Math.round(faPer10k * 100) / 100,
        per_type: perType,
        overhead_ratio: null,
        overhead_ratio_note: 'overhead_ratio belongs to the tracing benchmark, not measured here',
      })}\n`,
    );
  }
}
