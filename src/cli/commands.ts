import { OUTCOME_EXIT_CODES } from '../core/decision.js';
import { isPlainObject } from '../core/context.js';
import { WardenError } from '../core/errors.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { WardenConfig } from '../config/schema.js';
import { loadEngine, policyDirs } from '../policy/load.js';
import { listTestFiles, runPolicyTests } from '../policy/test-runner.js';
import { openControl, resolveConfig, type CommonOptions } from './options.js';
import type { Control } from './control.js';
import type { GuardFindings } from '../core/ports.js';
import { HistoryShape } from '../flow/history.js';

export type Out = (line: string) => void;

interface JsonOption {
  json?: boolean;
}

export async function withControl<T>(opts: CommonOptions, fn: (control: Control) => Promise<T>, seedKnowledge = false): Promise<T> {
  const control = await openControl(opts, seedKnowledge);
  try {
    return await fn(control);
  } finally {
    await control.close();
  }
}

/** `warden check`: the configuration and every policy file load and validate. */
export function check(opts: CommonOptions & JsonOption, out: Out): number {
  const loaded = loadConfig(resolveConfig(opts));
  const engine = loadEngine(loaded);
  checkGuardFiles(loaded.config, loaded.dir);
  const c = loaded.config;
  const summary = { config: loaded.file, agents: c.agents.length, tools: c.tools.length, policies: engine.policies.length };
  if (opts.json) out(JSON.stringify({ ok: true, ...summary }));
  else out(`ok: ${summary.config}: ${summary.agents} agents, ${summary.tools} tools, ${summary.policies} policies valid`);
  return 0;
}

/** Files the configuration names must exist, so `check` finds what `serve` would fail on. */
function checkGuardFiles(config: WardenConfig, dir: string): void {
  const onnx = config.guard.injection.onnx;
  if (!onnx) return;
  for (const [key, file] of [['model', onnx.model], ['tokenizer', onnx.tokenizer]] as const) {
    if (!existsSync(path.resolve(dir, file))) throw new WardenError('config_invalid', `guard.injection.onnx.${key}: no such file ${path.resolve(dir, file)}`);
  }
}

/** `warden policy test`: every case in tests/*.yaml gets the decision it expects. */
export function policyTest(opts: CommonOptions & JsonOption, out: Out): number {
  const loaded = loadConfig(resolveConfig(opts));
  const engine = loadEngine(loaded);
  const files = listTestFiles(policyDirs(loaded).tests);
  if (files.length === 0) throw new WardenError('config_invalid', `No policy test files in ${policyDirs(loaded).tests.join(', ')}`);
  const results = runPolicyTests(engine, files, loaded.config.env, new Set(loaded.config.agents.map((a) => a.id)), new HistoryShape(loaded.config.tools).empty());
  const failed = results.filter((r) => !r.passed);
  if (opts.json) out(JSON.stringify({ passed: results.length - failed.length, failed: failed.length, results }));
  else {
    for (const r of results) out(`${r.passed ? 'pass' : 'FAIL'}  ${r.name}${r.passed ? '' : ` — ${r.detail}`}`);
    out(`${results.length - failed.length} passed, ${failed.length} failed`);
  }
  return failed.length ? 1 : 0;
}

export interface AuthorizeOptions extends CommonOptions, JsonOption {
  agent: string;
  action: string;
  resource: string;
  context?: string;
}

/** `warden authorize`: exit 0 allow, 3 deny, 4 approval_required, 5 error. */
export async function authorize(opts: AuthorizeOptions, out: Out): Promise<number> {
  let context: unknown = {};
  if (opts.context) {
    try {
      context = JSON.parse(opts.context);
    } catch {
      throw new WardenError('invalid_json', '--context is not valid JSON');
    }
  }
  if (!isPlainObject(context)) throw new WardenError('invalid_request', '--context must be a JSON object');
  const result = await withControl(opts, (c) => c.authorize({ agent: opts.agent, action: opts.action, resource: opts.resource, context }));
  const { decision, policies, obligations, reason, errors, requestId, seq } = result;
  if (opts.json) out(JSON.stringify({ decision, policies, obligations, ...(reason ? { reason } : {}), errors, requestId, seq }));
  else {
    out(`decision:    ${result.decision}${result.reason ? ` (${result.reason})` : ''}`);
    out(`policies:    ${result.policies.length ? result.policies.join(', ') : '(none)'}`);
    const obligations = Object.entries(result.obligations);
    out(`obligations: ${obligations.length ? obligations.map(([k, v]) => `${k}=${v}`).join(', ') : '(none)'}`);
    if (result.errors.length) out(`errors:      ${result.errors.join('; ')}`);
    out(`recorded:    ledger entry ${result.seq}, request ${result.requestId}`);
  }
  return OUTCOME_EXIT_CODES[result.decision];
}

export async function auditVerify(opts: CommonOptions & JsonOption, out: Out): Promise<number> {
  const result = await withControl(opts, (c) => c.verify());
  if (opts.json) out(JSON.stringify(result));
  else if (result.ok) out(`ok: the ledger verifies: ${result.entries} entries, ${result.checkpoints} signed checkpoints`);
  else out(`TAMPERED: the ledger does not verify from entry ${result.firstBadSeq}: ${result.problem}`);
  return result.ok ? 0 : 1;
}

export async function auditTail(opts: CommonOptions & JsonOption & { lines?: string }, out: Out): Promise<number> {
  const entries = await withControl(opts, (c) => c.tail(Number(opts.lines ?? 20)));
  for (const e of entries) {
    if (opts.json) out(JSON.stringify(e));
    else {
      const r = e.record;
      const x = r.execution;
      const what = x
        ? `${`executed:${x.outcome}`.padEnd(17)} ${r.agentId}  ${r.verb} ${r.resource}  after #${x.decisionSeq}, ${x.attempts} attempt(s), ${x.durationMs} ms${x.error ? `: ${x.error}` : ''}${guardNote(x.guard)}`
        : `${r.decision.padEnd(17)} ${r.agentId}  ${r.verb} ${r.resource}  ${r.policies.join(',') || r.reason || ''}${guardNote(r.guard)}`;
      out(`${String(e.seq).padStart(6)}  ${e.ts}  ${what}`);
    }
  }
  return 0;
}

/** What the content guard found, for one audit line: `; guard: neutralised, injection 0.99 (rule, …), pii EMAIL_ADDRESS`. */
function guardNote(guard: (GuardFindings & { treatment?: string }) | undefined): string {
  if (!guard) return '';
  const parts = [
    ...(guard.treatment && guard.treatment !== 'clean' ? [guard.treatment] : []),
    ...(guard.injection ? [`injection ${guard.injection.score.toFixed(2)}${guard.injection.rules.length ? ` (${guard.injection.rules.join(', ')})` : ''}`] : []),
    ...(guard.pii?.length ? [`pii ${guard.pii.join(', ')}`] : []),
  ];
  return parts.length ? `; guard: ${parts.join(', ')}` : '';
}

export async function agentsList(opts: CommonOptions & JsonOption, out: Out): Promise<number> {
  const agents = await withControl(opts, (c) => c.agents());
  if (opts.json) {
    out(JSON.stringify(agents));
    return 0;
  }
  out(`${'AGENT'.padEnd(16)} ${'STATE'.padEnd(10)} ${'KEYS'.padEnd(5)} ${'TEAM'.padEnd(10)} ROLES`);
  for (const a of agents) {
    out(`${a.id.padEnd(16)} ${(a.suspended ? 'suspended' : 'active').padEnd(10)} ${String(a.keys).padEnd(5)} ${(a.team ?? '-').padEnd(10)} ${a.roles.join(', ')}`);
  }
  return 0;
}

export async function agentsSuspend(agent: string, suspended: boolean, opts: CommonOptions, out: Out): Promise<number> {
  await withControl(opts, (c) => c.setSuspended(agent, suspended));
  out(`${agent} is ${suspended ? 'suspended: its next request is denied' : 'active again'}`);
  return 0;
}

export async function agentsKeyCreate(agent: string, opts: CommonOptions & JsonOption, out: Out): Promise<number> {
  const created = await withControl(opts, (c) => c.createKey(agent));
  if (opts.json) out(JSON.stringify({ agent, ...created }));
  else {
    out(`API key for ${agent} (key id ${created.keyId}); it is shown only this once:`);
    out(created.key);
  }
  return 0;
}
