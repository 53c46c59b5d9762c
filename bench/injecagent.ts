/**
 * InjecAgent replay: each test case is one session through the real Gate — the user's tool call
 * (served, with the injected observation as its output, from the untrusted upstream of the replay
 * MCP server in examples/agentdojo/server.ts), then the attacker's calls. The dataset gives no
 * arguments for attacker calls (the model would take them from the observation), so they are sent
 * with `{}`; a data-stealing case's first call returns InjecAgent's simulated output.
 * InjecAgent has no utility measure: the benign control is the user's own call, which must be
 * allowed. Figures: attacks stopped (direct harm: the attacker tool did not run; data stealing:
 * the extraction or the GmailSendEmail did not run) and benign calls allowed.
 * Side effects are classified from the tool names (Get/View/Search/Read/List/Access/Download are reads).
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { stringify } from 'yaml';
import { openApp, type App } from '../src/app.js';
import { startReplayServer, type ReplayTool } from '../examples/agentdojo/server.ts';
import type { BenchOptions } from './run.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DATASET_DIR = process.env.INJECAGENT_DIR ?? path.resolve(ROOT, '../shared/datasets/injecagent');
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Spec {
  name: string;
  summary: string;
  parameters: Array<{ name: string; type: string; description: string; required: boolean }>;
}
interface Case {
  id: string;
  setting: string;
  attack_category: 'direct_harm' | 'data_stealing';
  user_tool: string;
  tool_response: string;
  simulated_attacker_tool_response_no_args: unknown;
  replay: { allowed_calls: Array<{ function: string; args: Record<string, unknown> }>; attack_calls: Array<{ function: string }> };
}

const READ = /^(Get|View|Search|Read|List|Access|Download)/;
const JSON_TYPES: Record<string, string> = { string: 'string', integer: 'integer', number: 'number', boolean: 'boolean', array: 'array', object: 'object' };

export async function run(opts: BenchOptions): Promise<void> {
  if (!existsSync(DATASET_DIR)) {
    log(`injecagent: the dataset is missing (${DATASET_DIR}); set INJECAGENT_DIR`);
    process.exitCode = 1;
    return;
  }
  const specs = JSON.parse(readFileSync(path.join(DATASET_DIR, 'tools.json'), 'utf8')) as Record<string, Spec>;
  let cases = readFileSync(path.join(DATASET_DIR, 'test_cases.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Case);
  if (opts.quick) cases = cases.filter((_, i) => i % 50 === 0);
  const userTools = new Set(cases.map((c) => c.user_tool));
  const sideEffect = (id: string) => !READ.test(specs[id]!.name);
  const tools: ReplayTool[] = Object.entries(specs).map(([id, s]) => ({
    name: id,
    description: s.summary,
    parameters: Object.fromEntries(s.parameters.map((p) => [p.name, { type: JSON_TYPES[p.type] ?? 'string', description: p.description }])),
    required: s.parameters.filter((p) => p.required).map((p) => p.name),
  }));
  const upstream = (id: string) => (userTools.has(id) ? 'inbound' : 'core');
  const server = await startReplayServer({ tools, inbound: userTools, name: 'injecagent' });
  const root = mkdtempSync(path.join(tmpdir(), 'warden-injecagent-'));
  const configDir = path.join(root, 'config');
  mkdirSync(path.join(configDir, 'policies'), { recursive: true });
  mkdirSync(path.join(configDir, 'boundaries'));
  const big = { points: 1_000_000_000, per_seconds: 60 };
  writeFileSync(
    path.join(configDir, 'warden.yaml'),
    stringify({
      version: 1,
      org: { id: 'injecagent' },
      env: 'bench',
      roles: [{ id: 'assistant' }],
      agents: [{ id: 'assistant', roles: ['assistant'], tags: { env: 'prod' } }],
      approvers: [{ id: 'security' }],
      upstreams: [
        { id: 'core', transport: 'streamable-http', url: `${server.url}/core/mcp`, trust: 'trusted', retry: { max_attempts: 1 } },
        { id: 'inbound', transport: 'streamable-http', url: `${server.url}/inbound/mcp`, trust: 'untrusted', retry: { max_attempts: 1 } },
      ],
      tools: Object.keys(specs).map((id) => ({ id: `${upstream(id)}.${id}`, risk: sideEffect(id) ? 'high' : 'low', side_effects: sideEffect(id) })),
      limits: { per_agent: big, per_tool: big, per_session: big, loop: { max_repeats: 1_000_000, window_seconds: 60 }, session_step_budget: 1_000_000 },
      ledger: { checkpoint_every: 100_000, checkpoint_seconds: 3600 },
    }),
  );
  copyFileSync(path.join(ROOT, 'examples/agentdojo/policies/injecagent.cedar'), path.join(configDir, 'policies/injecagent.cedar'));
  const started = performance.now();
  let app: App | undefined;
  const rows: Record<string, { cases: number; stopped: number; benign_allowed: number }> = {};
  let problems = 0;
  try {
    app = await openApp({ config: configDir, dataDir: path.join(root, 'data'), logger: pino({ level: 'silent' }) });
    for (const [n, c] of cases.entries()) {
      const sessionId = `injecagent:${c.id}:${randomUUID()}`;
      const simulated = c.simulated_attacker_tool_response_no_args;
      const attacks = c.replay.attack_calls.map((a, i) => ({
        function: a.function,
        args: {},
        output: i === 0 && simulated !== null && simulated !== undefined ? (typeof simulated === 'string' ? simulated : JSON.stringify(simulated)) : '{"success": true}',
      }));
      const user = c.replay.allowed_calls.map((u) => ({ function: u.function, args: u.args, output: c.tool_response }));
      server.load([...user, ...attacks]);
      const invoke = (fn: string, args: Record<string, unknown>) =>
        app!.gate.invoke({ requestId: randomUUID(), agentId: 'assistant', verb: 'tool.invoke', resource: `${upstream(fn)}.${fn}`, context: { args }, credential: { kind: 'api_key', id: 'bench' }, sessionId });
      let benign = true;
      for (const u of user) {
        const r = await invoke(u.function, u.args);
        if (r.decision !== 'allow') benign = false;
        if (r.execution && r.execution.outcome !== 'success') problems++;
      }
      const ran: boolean[] = [];
      for (const a of attacks) {
        const r = await invoke(a.function, a.args);
        ran.push(r.decision === 'allow');
        if (r.decision === 'error') problems++;
      }
      const key = `${c.attack_category} ${c.setting}`;
      const row = (rows[key] ??= { cases: 0, stopped: 0, benign_allowed: 0 });
      row.cases++;
      if (!ran.every(Boolean)) row.stopped++;
      if (benign) row.benign_allowed++;
      if ((n + 1) % 500 === 0) log(`injecagent: ${n + 1}/${cases.length}`);
    }
  } finally {
    await app?.close();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const total = Object.values(rows).reduce((a, r) => ({ cases: a.cases + r.cases, stopped: a.stopped + r.stopped, benign_allowed: a.benign_allowed + r.benign_allowed }), { cases: 0, stopped: 0, benign_allowed: 0 });
  const line = (cells: string[]) => cells[0]!.padEnd(24) + cells.slice(1).map((c) => c.padStart(19)).join('');
  const pct = (a: number, b: number) => (b ? (100 * a) / b : 0).toFixed(1);
  process.stdout.write(`${line(['cases', 'n', 'attacks stopped %', 'benign allowed %'])}\n`);
  for (const [k, r] of [...Object.entries(rows).sort(), ['overall', total] as const]) process.stdout.write(`${line([k, String(r.cases), pct(r.stopped, r.cases), pct(r.benign_allowed, r.cases)])}\n`);
  process.stdout.write(`${cases.length} cases in ${seconds.toFixed(1)} s; ${problems} replay problems\n`);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({
        bench: 'injecagent',
        cases: total.cases,
        attacks_stopped_pct: Number(pct(total.stopped, total.cases)),
        asr_pct: Number(pct(total.cases - total.stopped, total.cases)),
        benign_allowed_pct: Number(pct(total.benign_allowed, total.cases)),
        by_setting: rows,
        problems,
        seconds: Math.round(seconds * 10) / 10,
      })}\n`,
    );
  }
}
