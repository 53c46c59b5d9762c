import path from 'node:path';
import { WardenError } from '../core/errors.js';
import type { LoadedConfig } from '../config/load.js';
import { CedarPolicyEngine } from './cedar-engine.js';
import { buildEntities, buildSchema } from './model.js';
import { loadPolicies, type PolicyProblem } from './policy-files.js';

export function policyDirs(loaded: LoadedConfig): { policies: string[]; boundaries: string[]; tests: string[] } {
  const abs = (dirs: string[]) => dirs.map((d) => path.resolve(loaded.dir, d));
  return { policies: abs(loaded.config.policies.dirs), boundaries: abs(loaded.config.policies.boundaries), tests: abs(loaded.config.policies.tests) };
}

/** Builds an engine from the configuration and its policy files, or reports every problem. */
export function tryLoadEngine(loaded: LoadedConfig): { engine?: CedarPolicyEngine; problems: PolicyProblem[] } {
  const schema = buildSchema(loaded.config);
  const { policies, problems } = loadPolicies(policyDirs(loaded), schema, loaded.dir);
  if (problems.length === 0 && policies.length === 0) {
    problems.push({ file: loaded.file, line: 1, message: 'no policies are loaded: Warden denies everything and refuses to start' });
  }
  if (problems.length > 0) return { problems };
  return { engine: new CedarPolicyEngine(policies, buildEntities(loaded.config), schema), problems };
}

/** Like tryLoadEngine, but a problem is an error naming the file and line. */
export function loadEngine(loaded: LoadedConfig): CedarPolicyEngine {
  const { engine, problems } = tryLoadEngine(loaded);
  if (!engine) throw new WardenError('policy_invalid', formatProblems(problems), problems);
  return engine;
}

export function formatProblems(problems: readonly PolicyProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n');
}
