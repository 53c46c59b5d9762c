import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { parse, stringify } from 'yaml';
import { openApp } from '../src/app.js';
import type { ParkInput } from '../src/approvals/approvals.js';
import { buildServer } from '../src/transports/http/server.js';
import { writeServerInfo } from '../src/backends/data-dir.js';
import { tempQuickstart } from './support/app.js';
import { runCli } from './support/cli.js';

// Until the composition root constructs `app.approvals` itself, attach them where it is missing.

let dirs: ReturnType<typeof tempQuickstart>;
beforeEach(() => {
  dirs = tempQuickstart();
  const file = path.join(dirs.configDir, 'warden.yaml');
  const config = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  config.approvers = [
    { id: 'alice', name: 'Alice', teams: ['finance'] },
    { id: 'bob', teams: ['finance'] },
  ];
  writeFileSync(file, stringify(config));
});
afterEach(() => {
  delete process.env.WARDEN_APPROVER_KEY;
  dirs.cleanup();
});

const warden = (...args: string[]) => runCli([...args, '--config', dirs.configDir, '--data-dir', dirs.dataDir]);
const open = () => openApp({ config: dirs.configDir, dataDir: dirs.dataDir, logger: pino({ level: 'silent' }) });

const transfer = (overrides: Partial<ParkInput> = {}): ParkInput => ({
  agentId: 'finance-bot',
  verb: 'tool.invoke',
  resource: 'bank.send_money',
  actionDigest: 'sha256:5000-to-acme',
  policyVersion: 'v1',
  policies: ['large-transfer-needs-approval'],
  reason: 'transfers above 1,000 need a human approval',
  critical: false,
  ...overrides,
});

/** Parks requests and creates an agent key in the data directory, then closes it for the CLI. */
async function seed(inputs: Partial<ParkInput>[]): Promise<{ ids: string[]; agentKey: string; adminToken: string }> {
  const app = await open();
  try {
    const ids: string[] = [];
    for (const input of inputs) ids.push((await app.approvals.park(transfer(input))).id);
    return { ids, agentKey: (await app.agents.createKey('finance-bot')).key, adminToken: app.adminToken.token };
  } finally {
    await app.close();
  }
}

const keyOf = async (approver: string) => (await warden('approvers', 'key', 'create', approver)).stdout.trim().split('\n').at(-1)!;

describe('warden approvers and approvals without a server', () => {
  it('prints a new approver key once, and refuses an approver that is not configured in one line', async () => {
    const r = await warden('approvers', 'key', 'create', 'alice');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^approver key for alice \(key id [0-9a-f]{16}\); it is shown only this once:\nwdn_apr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/);
    const unknown = await warden('approvers', 'key', 'create', 'finance-bot');
    expect(unknown).toMatchObject({ code: 1, stderr: 'warden: unknown_approver: No approver "finance-bot" is configured (approvers: in warden.yaml)\n' });
  });

  it('lists pending requests, and every request with --status all', async () => {
    expect((await warden('approvals', 'list')).stdout).toBe('no pending approval requests\n');
    const { ids } = await seed([{}, { actionDigest: 'sha256:other', critical: true }]);
    const alice = await keyOf('alice');
    await warden('approvals', 'deny', ids[1]!, '--approver-key', alice);
    const pending = await warden('approvals', 'list');
    expect(pending.code).toBe(0);
    expect(pending.stdout).toMatch(new RegExp(`^ID +STATUS +AGENT +ACTION +VOTES +EXPIRES +WHY\n${ids[0]} +pending +finance-bot +tool\\.invoke bank\\.send_money +0/1 +\\S+Z +transfers above 1,000 need a human approval\n$`));
    const all = JSON.parse((await warden('approvals', 'list', '--status', 'all', '--json')).stdout) as { id: string; status: string }[];
    expect(all.map((a) => [a.id, a.status]).sort()).toEqual(
      [
        [ids[0], 'pending'],
        [ids[1], 'denied'],
      ].sort(),
    );
    expect((await warden('approvals', 'list', '--status', 'maybe')).stderr).toMatch(/^warden: invalid_request: --status must be all or one of pending, approved/);
  });

  it('approves with the key from WARDEN_APPROVER_KEY, then refuses a second vote on the decided request', async () => {
    const { ids } = await seed([{}]);
    process.env.WARDEN_APPROVER_KEY = await keyOf('bob');
    const r = await warden('approvals', 'approve', ids[0]!, '--comment', 'invoice 42');
    expect(r).toMatchObject({ code: 0, stdout: `approved ${ids[0]}: finance-bot tool.invoke bank.send_money may now run once, exactly as requested (1/1 approvals)\n` });
    const view = JSON.parse((await warden('approvals', 'list', '--status', 'approved', '--json')).stdout)[0];
    expect(view).toMatchObject({ id: ids[0], votes: [{ approverId: 'bob', vote: 'approve', comment: 'invoice 42' }] });
    const again = await warden('approvals', 'deny', ids[0]!, '--approver-key', await keyOf('alice'));
    expect(again).toMatchObject({ code: 1, stderr: `warden: approval_not_pending: Approval request ${ids[0]} is approved, not pending\n` });
  });

  it('needs two approvers for a critical request, and one deny denies it', async () => {
    const { ids } = await seed([{ critical: true }]);
    const first = await warden('approvals', 'approve', ids[0]!, '--approver-key', await keyOf('alice'));
    expect(first.stdout).toBe(`recorded your approval of ${ids[0]} (1/2): finance-bot tool.invoke bank.send_money needs 1 more approver\n`);
    const denied = await warden('approvals', 'deny', ids[0]!, '--approver-key', await keyOf('bob'), '--json');
    expect(JSON.parse(denied.stdout)).toMatchObject({ status: 'denied', approvals: 1, votes: [{ approverId: 'alice', vote: 'approve' }, { approverId: 'bob', vote: 'deny' }] });
  });

  it('never takes an agent key or the admin token as an approver key', async () => {
    const { ids, agentKey, adminToken } = await seed([{}]);
    for (const key of [agentKey, adminToken]) {
      const r = await warden('approvals', 'approve', ids[0]!, '--approver-key', key);
      expect(r).toMatchObject({ code: 1, stderr: 'warden: unauthenticated: The approver key is not valid\n' });
    }
    expect((await warden('approvals', 'approve', ids[0]!)).stderr).toMatch(/^warden: unauthenticated: voting needs an approver key: --approver-key or WARDEN_APPROVER_KEY/);
    expect((await warden('approvals', 'list')).stdout).toMatch(/pending +finance-bot/);
  });
});

describe('warden approvals while a server runs on the data directory', () => {
  it('lists, approves and creates approver keys through the server API', async () => {
    const app = await open();
    const server = buildServer(app);
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const forget = writeServerInfo(dirs.dataDir, { url, pid: process.pid });
    try {
      const parked = await app.approvals.park(transfer({ critical: true }));
      const agentKey = (await app.agents.createKey('finance-bot')).key;
      expect((await warden('approvals', 'list')).stdout).toMatch(new RegExp(`${parked.id} +pending +finance-bot`));
      const alice = await keyOf('alice');
      expect(alice).toMatch(/^wdn_apr_/);
      expect((await warden('approvals', 'approve', parked.id, '--approver-key', agentKey)).stderr).toBe('warden: unauthenticated: The approver key is not valid\n');
      expect((await warden('approvals', 'approve', parked.id, '--approver-key', alice)).stdout).toMatch(/\(1\/2\).*needs 1 more approver/);
      expect((await warden('approvals', 'approve', parked.id, '--approver-key', alice)).stderr).toMatch(/^warden: already_voted: /);
      expect((await warden('approvals', 'approve', parked.id, '--approver-key', await keyOf('bob'))).stdout).toMatch(/^approved apr_/);
      expect(await app.approvals.grantFor(parked.actionDigest, 'v1')).toMatchObject({ granted: true, approvers: 2 });
    } finally {
      forget();
      await server.close();
      await app.close();
    }
  });
});
