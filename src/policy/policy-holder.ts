import { watch, type FSWatcher } from 'node:fs';
import type { Decision } from '../core/decision.js';
import type { PolicyEngine, PolicyRequest } from '../core/ports.js';
import type { EntityRef } from '../core/action.js';
import type { LoadedConfig } from '../config/load.js';
import type { CedarPolicyEngine } from './cedar-engine.js';
import { formatProblems, policyDirs, tryLoadEngine } from './load.js';

export interface ReloadResult {
  ok: boolean;
  policies: number;
  problems: string;
}

/**
 * Holds the current engine and swaps it atomically on reload. A reload that fails keeps the last
 * good set, so a broken edit never opens or closes the gate by accident.
 */
export class PolicyHolder implements PolicyEngine {
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private engine: CedarPolicyEngine,
    private readonly loaded: LoadedConfig,
    private readonly onReload: (result: ReloadResult) => void = () => {},
  ) {}

  get current(): CedarPolicyEngine {
    return this.engine;
  }

  get version(): string {
    return this.engine.version;
  }

  decide(request: PolicyRequest): Decision {
    return this.engine.decide(request);
  }

  resourceFor(verb: string, resourceId: string): EntityRef | undefined {
    return this.engine.resourceFor(verb, resourceId);
  }

  mayAllow(principal: EntityRef, action: string, resource: EntityRef): boolean {
    return this.engine.mayAllow(principal, action, resource);
  }

  reload(): ReloadResult {
    const { engine, problems } = tryLoadEngine(this.loaded);
    const result = engine
      ? { ok: true, policies: engine.policies.length, problems: '' }
      : { ok: false, policies: this.engine.policies.length, problems: formatProblems(problems) };
    if (engine) this.engine = engine;
    this.onReload(result);
    return result;
  }

  /** Reloads when a policy file changes (debounced so an editor's several writes count once). */
  watch(debounceMs = 100): void {
    const dirs = policyDirs(this.loaded);
    for (const dir of [...dirs.policies, ...dirs.boundaries]) {
      try {
        const w = watch(dir, () => {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => this.reload(), debounceMs);
        });
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch {
        // A missing directory has nothing to watch; a later `warden check` reports it.
      }
    }
  }

  close(): void {
    clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
