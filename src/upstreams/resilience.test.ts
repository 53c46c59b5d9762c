import { describe, expect, it } from 'vitest';
import { Resilience, type ResilienceEvent } from './resilience.js';
import { httpFailure, isRetryable, UpstreamError } from './upstream-error.js';

const policies = (over: Partial<ConstructorParameters<typeof Resilience>[0]> = {}, events: ResilienceEvent[] = []) =>
  new Resilience({ timeoutMs: 50, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, breakerFailures: 3, halfOpenAfterMs: 50, maxConcurrency: 2, onEvent: (e) => events.push(e), ...over });

/** A call that fails with `errors` in turn, then succeeds. */
function flaky(...errors: unknown[]) {
  let calls = 0;
  const fn = async () => {
    const err = errors[calls++];
    if (err) throw err;
    return 'ok';
  };
  return { fn, calls: () => calls };
}

describe('resilience policies', () => {
  it('retries transient failures with backoff and reports the attempts', async () => {
    const events: ResilienceEvent[] = [];
    const { fn } = flaky(new UpstreamError('transient', 'a'), new UpstreamError('throttled', 'b'));
    expect(await policies({}, events).run(fn)).toEqual({ ok: true, value: 'ok', attempts: 3 });
    expect(events.filter((e) => e.kind === 'retry').map((e) => e.kind === 'retry' && e.delayMs <= 5)).toEqual([true, true]);
  });

  it('never retries a permanent failure (a 4xx)', async () => {
    const { fn, calls } = flaky(new UpstreamError('permanent', '400'));
    expect(await policies().run(fn)).toMatchObject({ ok: false, failure: 'failed', attempts: 1 });
    expect(calls()).toBe(1);
  });

  it('does not send a call with side effects again once the upstream may have acted on it', async () => {
    const delivered = flaky(new UpstreamError('transient', 'connection closed', true));
    expect(await policies().run(delivered.fn, undefined, false)).toMatchObject({ ok: false, attempts: 1 });
    const refused = flaky(new UpstreamError('transient', 'connect ECONNREFUSED', false), new UpstreamError('throttled', '429'));
    expect(await policies().run(refused.fn, undefined, false)).toMatchObject({ ok: true, attempts: 3 });
  });

  it('times an attempt out, retrying only an idempotent call', async () => {
    const hang = (signal: AbortSignal) => new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    expect(await policies().run(hang)).toMatchObject({ ok: false, failure: 'timeout', attempts: 3 });
    expect(await policies().run(hang, undefined, false)).toMatchObject({ ok: false, failure: 'timeout', attempts: 1 });
  });

  it('opens the breaker after consecutive failures, then lets a probe through after the half-open delay', async () => {
    const events: ResilienceEvent[] = [];
    const r = policies({ maxAttempts: 1 }, events);
    const fail = async () => {
      throw new UpstreamError('transient', 'down');
    };
    for (let i = 0; i < 3; i++) await r.run(fail);
    let reached = false;
    expect(await r.run(async () => ((reached = true), 'ok'))).toMatchObject({ ok: false, failure: 'breaker_open' });
    expect(reached).toBe(false);
    expect(r.breakerState).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await r.run(async () => 'ok')).toMatchObject({ ok: true });
    expect(r.breakerState).toBe('closed');
    expect(events.filter((e) => e.kind === 'breaker').map((e) => e.kind === 'breaker' && e.state)).toEqual(['open', 'half_open', 'closed']);
  });

  it('refuses calls beyond the bulkhead and its queue', async () => {
    const r = policies({ maxConcurrency: 1, timeoutMs: 1000 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = () => gate.then(() => 'ok');
    const running = Array.from({ length: 5 }, () => r.run(slow));
    const results = await Promise.race([Promise.all(running), new Promise((resolve) => setTimeout(() => resolve('pending'), 20))]);
    expect(results).toBe('pending');
    release();
    const settled = await Promise.all(running);
    expect(settled.filter((s) => !s.ok && s.failure === 'busy')).toHaveLength(0);
    const r2 = policies({ maxConcurrency: 1, timeoutMs: 1000 });
    const never = () => new Promise<string>(() => {});
    const flood = Array.from({ length: 6 }, () => r2.run(never));
    expect(await Promise.race(flood)).toMatchObject({ ok: false, failure: 'busy' });
  });
});

describe('failure classification', () => {
  it('treats 429 and 503 as refusals, 502 and 504 as possibly acted on, other statuses as final', () => {
    expect(httpFailure(429)).toEqual({ kind: 'throttled', delivered: false });
    expect(httpFailure(503)).toEqual({ kind: 'transient', delivered: false });
    expect(httpFailure(504)).toEqual({ kind: 'transient', delivered: true });
    expect(httpFailure(404)).toEqual({ kind: 'permanent', delivered: true });
    expect(isRetryable(new Error('x'), true)).toBe(false);
  });
});
