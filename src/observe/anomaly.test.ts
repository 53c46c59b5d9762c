import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poisson, rng } from '../../test/support/random.js';
import { databases, resetDatabase } from '../../test/support/databases.js';
import type { SqlClient } from '../backends/sql/sql-client.js';
import { AnomalyDetector, AnomalyInputError, anomalyContext, listAlerts, recordAlert, type AnomalyAlert, type AnomalyEvent, type AnomalyOptions } from './anomaly.js';

const T0 = Date.UTC(2026, 0, 5); // a Monday, 00:00 UTC
const at = (minute: number, second = 30) => new Date(T0 + minute * 60_000 + second * 1000);

/** Calls per minute with a daily swing: busy in the (UTC) afternoon, quiet at night. */
const diurnal = (peak: number) => (minute: number) => peak * (0.1 + 0.9 * Math.max(0, Math.sin((Math.PI * ((minute / 60) % 24 - 6)) / 12)));

/** Feeds Poisson traffic from `from` for `minutes`, spread over three tools; returns the calls sent. */
function traffic(d: AnomalyDetector, agentId: string, from: number, minutes: number, rate: (minute: number) => number, r: () => number): number {
  const tools = ['kb.search', 'kb.search', 'mail.read', 'calendar.list'];
  let calls = 0;
  for (let m = from; m < from + minutes; m++) {
    const n = poisson(r, rate(m));
    for (let i = 0; i < n; i++) {
      const u = r();
      const kind = u < 0.02 ? 'denial' : u < 0.03 ? 'error' : 'invocation';
      d.observe({ agentId, tool: tools[Math.floor(r() * tools.length)]!, at: at(m, Math.floor(r() * 60)), kind, bytes: Math.round(2000 + 3000 * r()), tokens: Math.round(300 + 400 * r()) });
    }
    calls += n;
  }
  return calls;
}

function detector(options: AnomalyOptions = {}) {
  const alerts: AnomalyAlert[] = [];
  const d = new AnomalyDetector({ onAlert: (a) => alerts.push(a), ...options });
  return { d, alerts, opened: () => alerts.filter((a) => a.state === 'open') };
}

describe('anomaly detection', () => {
  it('raises no alert on steady Poisson traffic with a daily rhythm over three weeks', () => {
    const { d, opened } = detector();
    const r = rng(7);
    for (const agent of ['steady-a', 'steady-b', 'steady-c']) traffic(d, agent, 0, 21 * 1440, diurnal(agent === 'steady-a' ? 4 : 0.5), r);
    d.tick(at(21 * 1440, 0));
    expect(opened()).toEqual([]);
    expect(d.state('steady-a')).toMatchObject({ anomalous: false, series: [] });
  });

  it('detects a burst within its first minute and reports it in the policy context', () => {
    const { d, opened } = detector();
    const r = rng(1);
    traffic(d, 'bot', 0, 3 * 1440, diurnal(2), r);
    expect(opened()).toEqual([]);
    const burstAt = 3 * 1440 + 15 * 60; // 15:00, the busy hour
    for (let i = 0; i < 60; i++) d.observe({ agentId: 'bot', tool: 'kb.search', at: at(burstAt, i % 60), kind: 'invocation' });
    const first = opened()[0];
    expect(first).toBeDefined();
    expect(first!.at.getTime() - at(burstAt, 0).getTime()).toBeLessThan(60_000);
    expect(['calls', 'tool:kb.search']).toContain(first!.series);
    const state = d.state('bot');
    expect(state.anomalous).toBe(true);
    expect(state.score).toBeGreaterThan(5.5);
    expect(state.series).toContain('calls');
    const context = anomalyContext(state);
    expect(Number.isInteger(context.score)).toBe(true);
    expect(context).toMatchObject({ anomalous: true, series: state.series });
  });

  it('eventually detects a slow ramp', () => {
    const { d, opened } = detector();
    const r = rng(2);
    const base = diurnal(1);
    traffic(d, 'ramp', 0, 3 * 1440, base, r);
    const start = 3 * 1440 + 12 * 60;
    // Calls rise linearly to 5 × the usual level over two hours.
    traffic(d, 'ramp', 3 * 1440, 12 * 60 + 120, (m) => base(m) * (1 + 4 * Math.max(0, Math.min(1, (m - start) / 120))), r);
    const alert = opened()[0];
    expect(alert).toBeDefined();
    expect(alert!.at.getTime()).toBeGreaterThan(at(start, 0).getTime());
    expect(alert!.at.getTime()).toBeLessThan(at(start + 120, 0).getTime());
  });

  it('alerts at once when an agent with a history uses a tool it never used before', () => {
    const { d, opened, alerts } = detector();
    const r = rng(3);
    const calls = traffic(d, 'bot', 0, 2 * 1440, diurnal(2), r);
    expect(calls).toBeGreaterThan(500);
    expect(opened()).toEqual([]);
    d.observe({ agentId: 'bot', tool: 'shell.exec', at: at(2 * 1440 + 10), kind: 'invocation' });
    expect(opened().map((a) => a.series)).toEqual(['new_tool:shell.exec']);
    expect(d.state('bot')).toMatchObject({ anomalous: true, series: ['new_tool:shell.exec'] });
    d.tick(at(2 * 1440 + 80, 0));
    expect(alerts.at(-1)).toMatchObject({ state: 'closed', series: 'new_tool:shell.exec' });
    expect(d.state('bot').anomalous).toBe(false);
  });

  it('remembers tools whatever their name', () => {
    const { d, opened } = detector({ warmupMinutes: 1, newToolMinCalls: 1 });
    for (let m = 0; m < 5; m++) for (const tool of ['__proto__', 'constructor', 'kb.search']) d.observe({ agentId: 'bot', tool, at: at(m), kind: 'invocation' });
    expect(opened()).toEqual([]);
  });

  it('does not treat a new agent’s tools as new: first uses alert only after warm-up', () => {
    const { d, opened } = detector();
    d.observe({ agentId: 'fresh', tool: 'kb.search', at: at(0), kind: 'invocation' });
    d.observe({ agentId: 'fresh', tool: 'mail.send', at: at(5), kind: 'invocation' });
    expect(opened()).toEqual([]);
  });

  it('raises one alert for one spike and closes it once the series is back to baseline', () => {
    const { d, alerts } = detector();
    const r = rng(4);
    traffic(d, 'bot', 0, 3 * 1440, diurnal(1), r);
    const spike = 3 * 1440 + 15 * 60;
    const again = (m: number) => {
      for (let i = 0; i < 40; i++) d.observe({ agentId: 'bot', tool: 'kb.search', at: at(m), kind: 'invocation' });
    };
    again(spike);
    traffic(d, 'bot', spike + 1, 120, diurnal(1), r);
    const forCalls = alerts.filter((a) => a.series === 'calls');
    expect(forCalls.map((a) => a.state)).toEqual(['open', 'closed']);
    expect(forCalls[0]!.id).toBe(forCalls[1]!.id);
    expect(forCalls[1]!.at.getTime() - forCalls[0]!.at.getTime()).toBeGreaterThanOrEqual(10 * 60_000);
    expect(d.state('bot').series).not.toContain('calls');
  });

  it('refuses malformed events with a message naming the field', () => {
    const d = new AnomalyDetector();
    const ok: AnomalyEvent = { agentId: 'bot', at: at(0), kind: 'invocation' };
    const bad = (e: unknown) => () => d.observe(e as AnomalyEvent);
    expect(bad({ ...ok, kind: 'explode' })).toThrow(/kind must be one of invocation, denial, error/);
    expect(bad({ ...ok, bytes: Number.NaN })).toThrow(/bytes must be a finite number/);
    expect(bad({ ...ok, tokens: -1 })).toThrow(/tokens must be a finite number/);
    expect(bad({ ...ok, at: new Date('nope') })).toThrow(/at must be a valid Date/);
    expect(bad({ ...ok, agentId: '' })).toThrow(/agentId/);
    expect(bad({ ...ok, count: 0 })).toThrow(/count/);
    expect(bad(null)).toThrow(AnomalyInputError);
    expect(d.size).toBe(0);
  });

  it('keeps memory bounded: evicts the idlest agent and caps per-tool series', () => {
    const d = new AnomalyDetector({ maxAgents: 3, maxToolSeriesPerAgent: 2 });
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) d.observe({ agentId: id, at: at(i), kind: 'invocation' });
    expect(d.size).toBe(3);
    expect(d.state('a')).toEqual({ anomalous: false, score: 0, series: [] });
    for (const tool of ['t1', 't2', 't3']) d.observe({ agentId: 'd', tool, at: at(10), kind: 'invocation' });
    d.tick(at(12, 0));
    expect(d.score('d', 'tool:t2')).toBeDefined();
    expect(d.score('d', 'tool:t3')).toBeUndefined();
  });

  it('never throws and keeps every score finite on any event sequence', () => {
    const event = fc.record({
      agent: fc.constantFrom('a', 'b'),
      tool: fc.option(fc.constantFrom('x', 'y', 'z'), { nil: undefined }),
      dt: fc.integer({ min: -120_000, max: 6 * 3_600_000 }),
      kind: fc.constantFrom('invocation' as const, 'denial' as const, 'error' as const),
      bytes: fc.option(fc.double({ min: 0, max: 1e9, noNaN: true }), { nil: undefined }),
      tokens: fc.option(fc.integer({ min: 0, max: 1e6 }), { nil: undefined }),
      count: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const d = new AnomalyDetector({ warmupMinutes: 30, newToolMinCalls: 5 });
        let t = T0;
        for (const e of events) {
          t += e.dt;
          d.observe({ agentId: e.agent, tool: e.tool, at: new Date(t), kind: e.kind, bytes: e.bytes, tokens: e.tokens, count: e.count });
          for (const id of ['a', 'b']) expect(Number.isFinite(d.state(id).score)).toBe(true);
        }
        d.tick(new Date(t + 3_600_000));
        for (const id of ['a', 'b']) for (const s of ['calls', 'bytes', 'tokens', 'denials']) {
          const score = d.score(id, s);
          if (score !== undefined) expect(Number.isFinite(score)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

for (const backend of databases) {
  describe(`anomaly state persistence on ${backend.name}`, () => {
    let db: SqlClient;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, drop } = await backend.open());
    });
    afterAll(async () => drop());

    it('a restored detector scores exactly like the one that saved', async () => {
      const original = detector();
      const r = rng(5);
      traffic(original.d, 'bot', 0, 2 * 1440, diurnal(2), r);
      traffic(original.d, 'other', 0, 1440, diurnal(0.3), r);
      expect(await original.d.save(db)).toBe(2);
      expect(await original.d.save(db)).toBe(0); // nothing changed since

      const restored = detector();
      expect(await restored.d.load(db)).toBe(2);
      // The same traffic, then the same burst, into both.
      for (const target of [original, restored]) {
        traffic(target.d, 'bot', 2 * 1440, 60, diurnal(2), rng(6));
        for (let i = 0; i < 50; i++) target.d.observe({ agentId: 'bot', tool: 'kb.search', at: at(2 * 1440 + 61), kind: 'invocation', bytes: 4000 });
        target.d.tick(at(2 * 1440 + 63, 0));
      }
      for (const s of ['calls', 'bytes', 'tokens', 'denials', 'distinct_tools', 'tool:kb.search']) expect(restored.d.score('bot', s)).toBe(original.d.score('bot', s));
      expect(restored.d.state('bot')).toEqual(original.d.state('bot'));
      expect(restored.d.state('bot').anomalous).toBe(true);
      expect(restored.alerts).toEqual(original.alerts);
    });

    it('records alert notices and lists them newest first', async () => {
      await resetDatabase(db);
      expect((await db.query('SELECT 1 FROM anomaly_state')).rows).toEqual([]);
      const open: AnomalyAlert = { id: 'bot:calls:1', state: 'open', agentId: 'bot', series: 'calls', at: at(1), openedAt: at(1), score: 9.5, window: 1, observed: 40, expected: 2, reason: 'calls: 40 in 1 min where 2.00 was expected' };
      await recordAlert(db, open);
      await recordAlert(db, open); // a retry does not duplicate
      await recordAlert(db, { ...open, state: 'closed', at: at(20), reason: 'back to baseline' });
      await recordAlert(db, { ...open, id: 'bot:new_tool:x:2', series: 'new_tool:x', at: at(2), openedAt: at(2), score: Infinity });
      const listed = await listAlerts(db, { agentId: 'bot' });
      expect(listed.map((a) => [a.id, a.state])).toEqual([
        ['bot:calls:1', 'closed'],
        ['bot:new_tool:x:2', 'open'],
        ['bot:calls:1', 'open'],
      ]);
      expect(listed[2]).toEqual(open);
      expect(listed[1]!.score).toBe(Infinity);
      expect(await listAlerts(db, { agentId: 'nobody' })).toEqual([]);
    });
  });
}
