import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openApp } from '../src/app.js';
import { buildServer } from '../src/transports/http/server.js';
import { writeServerInfo } from '../src/backends/data-dir.js';
import { tempQuickstart } from './support/app.js';
import { runCli } from './support/cli.js';

let dirs: ReturnType<typeof tempQuickstart>;
beforeEach(() => {
  dirs = tempQuickstart();
});
afterEach(() => dirs.cleanup());

/** Runs the CLI in-process on the temporary quickstart and captures what it prints. */
const warden = (...args: string[]) => runCli([...args, '--config', dirs.configDir, '--data-dir', dirs.dataDir]);

const transfer = (amount: number, agent = 'finance-bot') => [
  'authorize',
  '--agent',
  agent,
  '--action',
  'tool.invoke',
  '--resource',
  'bank.send_money',
  '--context',
  JSON.stringify({ args: { amount } }),
];

describe('warden check and policy test', () => {
  it('validates the quickstart', async () => {
    const r = await warden('check');
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: .*3 agents, 8 tools, 16 policies valid\n$/) });
  });

  it('names a configured ONNX model file that does not exist, in one line', async () => {
    const file = path.join(dirs.configDir, 'warden.yaml');
    const onnx = 'guard:\n  injection:\n    onnx: { model: models/missing.onnx, tokenizer: models/tokenizer.json }\n';
    writeFileSync(file, readFileSync(file, 'utf8').replace('guard:\n', onnx));
    const r = await warden('check');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^warden: config_invalid: guard\.injection\.onnx\.model: no such file .*missing\.onnx\n$/);
  });

  it('names the file and line of a policy that does not validate, in one line per problem', async () => {
    const file = path.join(dirs.configDir, 'policies', 'support.cedar');
    const offending = readFileSync(file, 'utf8').split('\n').length + 2;
    appendFileSync(file, '\npermit (principal, action == Action::"tool.invoke", resource)\nwhen { resource.colour == "red" };\n');
    const r = await warden('check');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^warden: policy_invalid: .*support\\.cedar:${offending}: .*colour`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('runs the policy test cases and fails when one does not hold', async () => {
    expect((await warden('policy', 'test')).stdout).toMatch(/18 passed, 0 failed/);
    appendFileSync(
      path.join(dirs.configDir, 'tests', 'quickstart.yaml'),
      '  - name: support-bot sends money (wrongly expected)\n    agent: support-bot\n    action: tool.invoke\n    resource: bank.send_money\n    expect: allow\n',
    );
    const r = await warden('policy', 'test');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}support-bot sends money \(wrongly expected\) — expected allow, got deny/);
  });
});

describe('warden authorize without a server', () => {
  it('exits 0 on allow, 3 on deny and 4 on approval_required', async () => {
    expect((await warden(...transfer(50))).code).toBe(0);
    expect((await warden(...transfer(50, 'support-bot'))).code).toBe(3);
    const approval = await warden(...transfer(5000));
    expect(approval.code).toBe(4);
    expect(approval.stdout).toMatch(/decision: +approval_required\npolicies: +large-transfer-needs-approval\n/);
  });

  it('prints the decision as JSON with --json', async () => {
    const r = await warden(...transfer(20000), '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ decision: 'deny', policies: ['transfer-hard-limit'], obligations: {}, requestId: expect.any(String) });
  });

  it('refuses a --context that is not JSON in one line', async () => {
    const r = await warden('authorize', '--agent', 'finance-bot', '--action', 'tool.invoke', '--resource', 'bank.send_money', '--context', '{oops');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('warden: invalid_json: --context is not valid JSON\n');
  });

  it('records every decision in a ledger that verifies, and suspends and resumes agents', async () => {
    await warden(...transfer(50));
    expect((await warden('agents', 'suspend', 'finance-bot')).code).toBe(0);
    const denied = await warden(...transfer(50), '--json');
    expect(JSON.parse(denied.stdout)).toMatchObject({ decision: 'deny', reason: 'agent_suspended' });
    await warden('agents', 'resume', 'finance-bot');
    expect((await warden(...transfer(50))).code).toBe(0);
    const verify = await warden('audit', 'verify');
    expect(verify).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: the ledger verifies: 3 entries/) });
    expect((await warden('audit', 'tail', '-n', '1')).stdout).toMatch(/allow +finance-bot +tool\.invoke bank\.send_money/);
  });

  it('shows what the content guard found in an audit line', async () => {
    const mail = ['authorize', '--agent', 'support-bot', '--action', 'tool.invoke', '--resource', 'mail.send_email'];
    const r = await warden(...mail, '--context', JSON.stringify({ args: { to: 'alice@acme.example', body: 'Card 4111 1111 1111 1111' } }));
    expect(r.code).toBe(3);
    expect((await warden('audit', 'tail', '-n', '1')).stdout).toMatch(/deny +support-bot +tool\.invoke mail\.send_email +support-no-card-numbers-in-mail; guard: pii CREDIT_CARD, EMAIL_ADDRESS\n$/);
  });

  it('prints a new API key once and lists the agent with it', async () => {
    const r = await warden('agents', 'key', 'create', 'support-bot');
    expect(r.stdout).toMatch(/\nwdn_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/);
    expect((await warden('agents', 'list')).stdout).toMatch(/support-bot +active +1 +support/);
    expect((await warden('agents', 'key', 'create', 'shadow-bot')).stderr).toBe('warden: unknown_agent: No agent "shadow-bot" is configured\n');
  });
});

describe('warden commands while a server runs on the data directory', () => {
  it('goes through the server admin API instead of opening the locked database', async () => {
    const app = await openApp({ config: dirs.configDir, dataDir: dirs.dataDir, logger: pino({ level: 'silent' }) });
    const server = buildServer(app);
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const forget = writeServerInfo(dirs.dataDir, { url, pid: process.pid });
    try {
      expect((await warden(...transfer(5000))).code).toBe(4);
      expect((await warden('agents', 'suspend', 'finance-bot')).code).toBe(0);
      expect(await app.agents.status('finance-bot')).toMatchObject({ suspended: true });
      expect(JSON.parse((await warden(...transfer(50), '--json')).stdout)).toMatchObject({ decision: 'deny', reason: 'agent_suspended' });
      expect((await warden('agents', 'list')).stdout).toMatch(/finance-bot +suspended/);
      expect((await warden('agents', 'key', 'create', 'finance-bot')).stdout).toMatch(/wdn_/);
      expect((await warden('audit', 'verify')).stdout).toMatch(/^ok: the ledger verifies: 2 entries/);
    } finally {
      forget();
      await server.close();
      await app.close();
    }
  });

  it('refuses to open a data directory another live process holds', async () => {
    const app = await openApp({ config: dirs.configDir, dataDir: dirs.dataDir, logger: pino({ level: 'silent' }) });
    try {
      await expect(openApp({ config: dirs.configDir, dataDir: dirs.dataDir, logger: pino({ level: 'silent' }) })).rejects.toMatchObject({ code: 'data_dir_locked' });
    } finally {
      await app.close();
    }
  });
});
