import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { WardenError } from '../core/errors.js';
import type { Decision } from '../core/decision.js';
import type { PolicyEngine } from '../core/ports.js';
import { defaultContext, mergeContext } from '../core/context.js';

const testCase = z.strictObject({
  name: z.string(),
  agent: z.string(),
  action: z.string(),
  resource: z.string(),
  context: z.record(z.string(), z.unknown()).default({}),
  expect: z.enum(['allow', 'deny', 'approval_required', 'error']),
  policies: z.array(z.string()).optional(),
});
const testFile = z.strictObject({ cases: z.array(testCase).min(1) });

export type PolicyTestCase = z.infer<typeof testCase>;

export interface PolicyTestResult {
  file: string;
  name: string;
  passed: boolean;
  expected: string;
  actual: Decision;
  detail?: string;
}

export function listTestFiles(dirs: string[]): string[] {
  return dirs.flatMap((dir) => {
    try {
      return readdirSync(dir)
        .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
        .sort()
        .map((n) => path.join(dir, n));
    } catch {
      return [];
    }
  });
}

function readCases(file: string): PolicyTestCase[] {
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new WardenError('config_invalid', `${file}: ${err instanceof Error ? err.message.split('\n')[0] : 'cannot read'}`);
  }
  const parsed = testFile.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WardenError('config_invalid', `${file}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message}`);
  }
  return parsed.data.cases;
}

/** Runs every case of every test file against the engine, as the Gate would build the request. */
/** `baseContext` holds what the Gate always adds (an empty history), so cases supply only what they test. */
export function runPolicyTests(
  engine: PolicyEngine,
  files: string[],
  env: string,
  knownAgents: ReadonlySet<string>,
  baseContext: Record<string, unknown> = {},
): PolicyTestResult[] {
  const results: PolicyTestResult[] = [];
  for (const file of files) {
    for (const c of readCases(file)) {
      const actual = decideCase(engine, c, mergeContext(defaultContext(env), baseContext), knownAgents);
      let detail: string | undefined;
      if (actual.decision !== c.expect) detail = `expected ${c.expect}, got ${actual.decision}${actual.reason ? ` (${actual.reason})` : ''}`;
      else if (c.policies && [...c.policies].sort().join(',') !== [...actual.policies].sort().join(',')) {
        detail = `expected policies [${c.policies.join(', ')}], got [${actual.policies.join(', ')}]`;
      }
      results.push({ file, name: c.name, passed: detail === undefined, expected: c.expect, actual, ...(detail ? { detail } : {}) });
    }
  }
  return results;
}

function decideCase(engine: PolicyEngine, c: PolicyTestCase, base: Record<string, unknown>, knownAgents: ReadonlySet<string>): Decision {
  if (!knownAgents.has(c.agent)) return { decision: 'deny', policies: [], obligations: {}, reason: 'unknown_agent', errors: [] };
  const resource = engine.resourceFor(c.action, c.resource);
  if (!resource) return { decision: 'deny', policies: [], obligations: {}, reason: 'unknown_resource', errors: [] };
  return engine.decide({
    principal: { type: 'Agent', id: c.agent },
    action: c.action,
    resource,
    context: mergeContext(base, c.context),
  });
}
