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
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: .*3 agents, 8 tools, 22 policies valid\n$/) });
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
    expect((await warden('policy', 'test')).stdout).toMatch(/26 passed, 0 failed/);
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

describe('warden kb and keys', () => {
  it('shows support-bot no confidential chunk for "salary bands" and finance-bot the salary bands', async () => {
    const support = await warden('kb', 'search', 'handbook', 'salary bands', '--agent', 'support-bot', '--json');
    expect(support.code).toBe(0);
    const chunks = JSON.parse(support.stdout).chunks as { source: string; sensitivity: string }[];
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.some((c) => c.sensitivity === 'confidential')).toBe(false);
    const finance = await warden('kb', 'search', 'handbook', 'salary bands', '--agent', 'finance-bot');
    expect(finance.stdout).toMatch(/^\d+ chunks for finance-bot from handbook \(allowed by staff-search-handbook; ledger entry \d+\)\n\n1\. salary-bands\.md \[confidential\]/);
  });

  it('exits 3 with one line when the Gate refuses the search', async () => {
    const r = await warden('kb', 'search', 'payroll', 'x', '--agent', 'support-bot');
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^deny: Refused \(unknown_resource\).*\(ledger entry \d+\)\n$/);
    expect((await warden('kb', 'search', 'handbook', 'x', '--agent', 'support-bot', '--top-k', '0')).stderr).toBe('warden: invalid_request: --top-k must be an integer from 1 to 50\n');
  });

  it('ingests a file, reports failures, and deletes a document by shredding its key', async () => {
    const file = path.join(dirs.configDir, 'parking.md');
    writeFileSync(file, '---\nsensitivity: public\n---\n# Parking\n\nThe car park opens at 7:00; bicycles go in the courtyard.\n');
    writeFileSync(path.join(dirs.configDir, 'broken.json'), '{ nope');
    const r = await warden('kb', 'ingest', 'handbook', file, path.join(dirs.configDir, 'broken.json'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^handbook: 1 documents ingested \(1 chunks\), 0 unchanged, 1 failed\n {2}failed: .*broken\.json: /);
    expect(r.stderr).toMatch(/ingesting into handbook: 2\/2 broken\.json/);
    expect((await warden('kb', 'search', 'handbook', 'bicycles courtyard', '--agent', 'support-bot')).stdout).toMatch(/1\. parking\.md \[public\]/);
    expect((await warden('kb', 'delete', 'handbook', 'parking.md')).stdout).toMatch(/^deleted parking\.md from handbook; its key is destroyed/);
    expect((await warden('kb', 'delete', 'handbook', 'parking.md')).stderr).toBe('warden: unknown_resource: handbook has no document parking.md\n');
  });

  it('rotates the master key with progress, keeps everything readable, and reports the versions', async () => {
    const before = JSON.parse((await warden('keys', 'status', '--json')).stdout);
    expect(before.master).toMatchObject({ activeVersion: 'v1' });
    expect(before.keys.document).toBeGreaterThan(0);
    const rotated = await warden('keys', 'rotate');
    expect(rotated.stdout).toMatch(/^rotated: v2 is active; 1 root key\(s\) re-wrapped/);
    expect(rotated.stderr).toMatch(/re-wrapping root keys: 1\/1 v2/);
    const status = await warden('keys', 'status');
    expect(status.stdout).toMatch(/ {2}v1 +decrypt +wraps 0 root key\(s\)\n {2}v2 +active +wraps 1 root key\(s\)/);
    const finance = JSON.parse((await warden('kb', 'search', 'handbook', 'salary bands engineering', '--agent', 'finance-bot', '--json')).stdout);
    expect(finance.chunks.map((c: { text: string }) => c.text).join('\n')).toMatch(/Engineer II: 61,000 to 74,000 EUR/);
  });

  it('shreds a tenant only when told --yes', async () => {
    expect((await warden('kb', 'search', 'handbook', 'salary bands', '--agent', 'finance-bot')).code).toBe(0);
    expect((await warden('keys', 'shred', '--tenant', 'acme')).stderr).toMatch(/add --yes to confirm\n$/);
    expect((await warden('keys', 'shred', '--tenant', 'acme', '--yes')).stdout).toMatch(/^shredded tenant acme: its keys are destroyed; 5 document\(s\)/);
    expect(JSON.parse((await warden('kb', 'search', 'handbook', 'salary bands', '--agent', 'finance-bot', '--json')).stdout).chunks).toEqual([]);
  });

  it('searches, ingests and rotates through a running server', async () => {
    const app = await openApp({ config: dirs.configDir, dataDir: dirs.dataDir, logger: pino({ level: 'silent' }), seedKnowledge: true });
    const server = buildServer(app);
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const forget = writeServerInfo(dirs.dataDir, { url, pid: process.pid });
    try {
      const support = JSON.parse((await warden('kb', 'search', 'handbook', 'salary bands', '--agent', 'support-bot', '--json')).stdout);
      expect(support.chunks.some((c: { sensitivity: string }) => c.sensitivity === 'confidential')).toBe(false);
      const file = path.join(dirs.configDir, 'notes.txt');
      writeFileSync(file, 'The fire drill is on the first Monday of each quarter.\n');
      expect((await warden('kb', 'ingest', 'handbook', file)).stdout).toMatch(/^handbook: 1 documents ingested/);
      expect((await warden('keys', 'rotate')).stdout).toMatch(/^rotated: v2 is active/);
      expect((await warden('keys', 'status')).stdout).toMatch(/v2 +active/);
      expect((await warden('kb', 'search', 'handbook', 'payroll', '--agent', 'ghost-bot')).code).toBe(3);
    } finally {
      forget();
      await server.close();
      await app.close();
    }
  });
});
