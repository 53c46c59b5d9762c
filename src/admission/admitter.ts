import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Action } from '../core/action.js';
import type { Admission, Admitter } from '../core/ports.js';
import type { WardenConfig } from '../config/schema.js';

type Limits = WardenConfig['limits'];

interface Window {
  points: number;
  seconds: number;
}

/**
 * Admission with rate-limiter-flexible: counters in memory (embedded) or in Redis, so that limits
 * hold across gateway replicas. Counters are plain data keyed by agent, tool, session and upstream.
 */
export class RateAdmitter implements Admitter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(
    private readonly limits: Limits,
    private readonly upstreamLimits: ReadonlyMap<string, number>,
    private readonly store: { redis: Redis; prefix: string } | undefined = undefined,
  ) {}

  private limiter(name: string, window: Window): RateLimiterAbstract {
    let limiter = this.limiters.get(name);
    if (!limiter) {
      const options = { points: window.points, duration: window.seconds, keyPrefix: `${this.store?.prefix ?? 'warden'}:${name}` };
      limiter = this.store ? new RateLimiterRedis({ ...options, storeClient: this.store.redis }) : new RateLimiterMemory(options);
      this.limiters.set(name, limiter);
    }
    return limiter;
  }

  async admit(action: Action, argsDigest: string): Promise<Admission> {
    const l = this.limits;
    const session = action.sessionId ? `${action.agentId}:${action.sessionId}` : undefined;
    const upstream = action.resource.slice(0, Math.max(action.resource.indexOf('.'), 0));
    const upstreamPerMinute = this.upstreamLimits.get(upstream);
    const checks: { reason: 'rate_limited' | 'loop_detected'; name: string; window: Window; key: string; what: string }[] = [
      { reason: 'rate_limited', name: 'agent', window: w(l.per_agent), key: action.agentId, what: `agent ${action.agentId}` },
      { reason: 'rate_limited', name: 'tool', window: w(l.per_tool), key: `${action.agentId}:${action.resource}`, what: `${action.resource} for ${action.agentId}` },
      ...(session ? [{ reason: 'rate_limited' as const, name: 'session', window: w(l.per_session), key: session, what: `session ${action.sessionId}` }] : []),
      ...(upstreamPerMinute
        ? [{ reason: 'rate_limited' as const, name: 'upstream', window: { points: upstreamPerMinute, seconds: 60 }, key: upstream, what: `upstream ${upstream}` }]
        : []),
      {
        reason: 'loop_detected',
        name: 'loop',
        window: { points: l.loop.max_repeats, seconds: l.loop.window_seconds },
        key: `${session ?? action.agentId}:${action.resource}:${argsDigest}`,
        what: `the same ${action.resource} call more than ${l.loop.max_repeats} times in ${l.loop.window_seconds} s`,
      },
    ];
    for (const c of checks) {
      const refused = await consume(this.limiter(c.name, c.window), c.key);
      if (refused) return { admitted: false, reason: c.reason, retryAfterMs: refused.msBeforeNext, detail: `limit reached: ${c.what}` };
    }
    if (!session) return { admitted: true, sessionSteps: 0 };
    // The step budget lasts as long as a session reasonably does.
    const steps = this.limiter('steps', { points: l.session_step_budget, seconds: 24 * 60 * 60 });
    const used = await consume(steps, session);
    if (used) return { admitted: false, reason: 'step_budget_exhausted', detail: `session ${action.sessionId} used its ${l.session_step_budget} steps` };
    const state = await steps.get(session);
    return { admitted: true, sessionSteps: state?.consumedPoints ?? 1 };
  }
}

const w = (window: { points: number; per_seconds: number }): Window => ({ points: window.points, seconds: window.per_seconds });

/** Undefined when admitted; the limiter's state when refused. A store failure propagates (fail closed). */
async function consume(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | undefined> {
  try {
    await limiter.consume(key, 1);
    return undefined;
  } catch (err) {
    if (err instanceof RateLimiterRes) return err;
    throw err;
  }
}
