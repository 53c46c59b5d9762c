import {
  BrokenCircuitError,
  BulkheadRejectedError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  fullJitterGenerator,
  handleWhen,
  retry,
  timeout,
  wrap,
  CircuitState,
} from 'cockatiel';
import { isRetryable } from './upstream-error.js';

export interface ResilienceOptions {
  timeoutMs: number;
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  breakerFailures: number;
  halfOpenAfterMs: number;
  maxConcurrency: number;
  onEvent?: (event: ResilienceEvent) => void;
}

export type ResilienceEvent =
  | { kind: 'retry'; attempt: number; delayMs: number; error: string }
  | { kind: 'breaker'; state: 'open' | 'half_open' | 'closed' };

export type ResilienceFailure = 'timeout' | 'breaker_open' | 'busy' | 'failed';

/** What a resilient call came to: a value, or a classified failure with the last error. */
export type ResilientResult<T> = { ok: true; value: T; attempts: number } | { ok: false; failure: ResilienceFailure; error: unknown; attempts: number };

/**
 * One upstream's policies, composed outermost first: bulkhead → retry (exponential backoff with
 * full jitter, only for throttling and transient errors) → circuit breaker (consecutive failures,
 * half-open probing) → timeout per attempt (the attempt's AbortSignal is cancelled).
 */
export class Resilience {
  private readonly policy;
  private readonly breaker;

  constructor(options: ResilienceOptions) {
    const emit = options.onEvent ?? (() => {});
    const transient = handleWhen((err) => isRetryable(err) || err instanceof TaskCancelledError);
    const retries = retry(transient, {
      maxAttempts: Math.max(options.maxAttempts - 1, 0),
      backoff: new ExponentialBackoff({ initialDelay: options.baseDelayMs, maxDelay: options.maxDelayMs, generator: fullJitterGenerator }),
    });
    retries.onRetry((e) => emit({ kind: 'retry', attempt: e.attempt, delayMs: Math.round(e.delay), error: 'error' in e ? describe(e.error) : 'result' }));
    this.breaker = circuitBreaker(transient, { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breakerFailures) });
    this.breaker.onStateChange((state) => {
      const name = state === CircuitState.Open ? 'open' : state === CircuitState.HalfOpen ? 'half_open' : state === CircuitState.Closed ? 'closed' : undefined;
      if (name) emit({ kind: 'breaker', state: name });
    });
    this.policy = wrap(bulkhead(options.maxConcurrency, options.maxConcurrency * 4), retries, this.breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
  }

  get breakerState(): 'closed' | 'open' | 'half_open' | 'isolated' {
    const s = this.breaker.state;
    return s === CircuitState.Open ? 'open' : s === CircuitState.HalfOpen ? 'half_open' : s === CircuitState.Isolated ? 'isolated' : 'closed';
  }

  async run<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<ResilientResult<T>> {
    let attempts = 0;
    try {
      const value = await this.policy.execute(({ signal: attemptSignal }) => {
        attempts++;
        return fn(attemptSignal);
      }, signal);
      return { ok: true, value, attempts };
    } catch (error) {
      const failure: ResilienceFailure =
        error instanceof TaskCancelledError ? 'timeout' : error instanceof BrokenCircuitError ? 'breaker_open' : error instanceof BulkheadRejectedError ? 'busy' : 'failed';
      return { ok: false, failure, error, attempts };
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
