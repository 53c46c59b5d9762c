import type { Action } from './action.js';
import type { Execution, Executor } from './ports.js';

/** Sends each allowed action to the executor of its verb: tools to upstreams, `kb.retrieve` to the knowledge bases, … */
export class RoutingExecutor implements Executor {
  constructor(private readonly byVerb: Readonly<Record<string, Executor | undefined>>) {}

  execute(action: Action, signal?: AbortSignal): Promise<Execution> {
    const executor = this.byVerb[action.verb];
    if (!executor) return Promise.resolve({ outcome: 'upstream_error', attempts: 0, durationMs: 0, error: `nothing executes ${action.verb} here` });
    return executor.execute(action, signal);
  }
}
