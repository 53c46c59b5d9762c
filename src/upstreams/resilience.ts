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
  /** With retries for any transient failure, and for calls that must not run twice. */
  private readonly idempotent;
  private readonly once;
  private readonly breaker;

  constructor(options: ResilienceOptions) {
    const emit = options.onEvent ?? (() => {});
    const retries = (idempotent: boolean) => {
      // A timed-out call may have run: only an idempotent one is sent again.
      const policy = retry(
        handleWhen((err) => isRetryable(err, idempotent) || (idempotent && err instanceof TaskCancelledError)),
        {
          maxAttempts: Math.max(options.maxAttempts - 1, 0),
          backoff: new ExponentialBackoff({ initialDelay: options.baseDelayMs, maxDelay: options.maxDelayMs, generator: fullJitterGenerator }),
        },
      );
      policy.onRetry((e) => emit({ kind: 'retry', attempt: e.attempt, delayMs: Math.round(e.delay), error: 'error' in e ? describe(e.error) : 'result' }));
      return policy;
    };
    const failures = handleWhen((err) => isRetryable(err, true) || err instanceof TaskCancelledError);
    this.breaker = circuitBreaker(failures, { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breakerFailures) });
    this.breaker.onStateChange((state) => {
      const name = state === CircuitState.Open ? 'open' : state === CircuitState.HalfOpen ? 'half_open' : state === CircuitState.Closed ? 'closed' : undefined;
      if (name) emit({ kind: 'breaker', state: name });
    });
    const bulkheadPolicy = bulkhead(options.maxConcurrency, options.maxConcurrency * 4);
    const timeoutPolicy = timeout(options.timeoutMs, TimeoutStrategy.Aggressive);
    this.idempotent = wrap(bulkheadPolicy, retries(true), this.breaker, timeoutPolicy);
    this.once = wrap(bulkheadPolicy, retries(false), this.breaker, timeoutPolicy);
  }

  get breakerState(): 'closed' | 'open' | 'half_open' | 'isolated' {
    const s = this.breaker.state;
    return s === CircuitState.Open ? 'open' : s === CircuitState.HalfOpen ? 'half_open' : s === CircuitState.Isolated ? 'isolated' : 'closed';
  }

  /** Runs `fn` under the policies; `idempotent: false` (a tool with side effects) retries only what cannot have run. */
  async run<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal, idempotent = true): Promise<ResilientResult<T>> {
    let attempts = 0;
    try {
      const value = await (idempotent ? this.idempotent : this.once).execute(async ({ signal: attemptSignal }) => {
        attempts++;
        try {
          return await fn(attemptSignal);
        } catch (err) {
          // The attempt's own abort error and the timeout race; either way the attempt timed out.
          if (attemptSignal.aborted && !signal?.aborted && !(err instanceof TaskCancelledError)) throw new TaskCancelledError();
          throw err;
        }
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
