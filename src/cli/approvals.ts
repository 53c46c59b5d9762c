import { WardenError } from '../core/errors.js';
import { APPROVAL_STATUSES, type ApprovalStatus, type ApprovalView, type Vote } from '../approvals/approvals.js';
import { withControl, type Out } from './commands.js';
import type { CommonOptions } from './options.js';

interface JsonOption {
  json?: boolean;
}

export const APPROVER_KEY_ENV = 'WARDEN_APPROVER_KEY';

/** `warden approvals list`: pending requests by default; `--status all` or one status; `--agent` one agent's. */
export async function approvalsList(opts: CommonOptions & JsonOption & { status?: string; agent?: string }, out: Out): Promise<number> {
  const wanted = opts.status ?? 'pending';
  if (wanted !== 'all' && !(APPROVAL_STATUSES as readonly string[]).includes(wanted)) {
    throw new WardenError('invalid_request', `--status must be all or one of ${APPROVAL_STATUSES.join(', ')}`);
  }
  const status = wanted === 'all' ? undefined : (wanted as ApprovalStatus);
  const list = await withControl(opts, (c) => c.approvalsList({ ...(status ? { status } : {}), ...(opts.agent ? { agent: opts.agent } : {}) }));
  if (opts.json) {
    out(JSON.stringify(list));
    return 0;
  }
  if (list.length === 0) {
    out(`no ${status ?? ''}${status ? ' ' : ''}approval requests`);
    return 0;
  }
  out(`${'ID'.padEnd(28)} ${'STATUS'.padEnd(9)} ${'AGENT'.padEnd(16)} ${'ACTION'.padEnd(32)} ${'VOTES'.padEnd(5)} ${'EXPIRES'.padEnd(24)} WHY`);
  for (const a of list) {
    const why = a.reason ?? a.policies.join(', ');
    out(`${a.id.padEnd(28)} ${a.status.padEnd(9)} ${a.agentId.padEnd(16)} ${`${a.verb} ${a.resource}`.padEnd(32)} ${`${a.approvals}/${a.requiredApprovals}`.padEnd(5)} ${a.expiresAt.padEnd(24)} ${why}`);
  }
  return 0;
}

/** `warden approvals approve|deny <id>`: one vote, as the approver whose key is given (`--approver-key` or WARDEN_APPROVER_KEY). */
export async function approvalsVote(id: string, vote: Vote, opts: CommonOptions & JsonOption & { comment?: string; approverKey?: string }, out: Out): Promise<number> {
  const key = opts.approverKey ?? process.env[APPROVER_KEY_ENV];
  if (!key) throw new WardenError('unauthenticated', `voting needs an approver key: --approver-key or ${APPROVER_KEY_ENV} (warden approvers key create <id>)`);
  const view = await withControl(opts, (c) => c.approvalVote(id, vote, key, opts.comment));
  if (opts.json) out(JSON.stringify(view));
  else out(describeVote(view));
  return 0;
}

function describeVote(a: ApprovalView): string {
  const what = `${a.agentId} ${a.verb} ${a.resource}`;
  if (a.status === 'approved') return `approved ${a.id}: ${what} may now run once, exactly as requested (${a.approvals}/${a.requiredApprovals} approvals)`;
  if (a.status === 'denied') return `denied ${a.id}: ${what} will not run`;
  const missing = a.requiredApprovals - a.approvals;
  return `recorded your approval of ${a.id} (${a.approvals}/${a.requiredApprovals}): ${what} needs ${missing} more approver${missing === 1 ? '' : 's'}`;
}

/** `warden approvers key create <approver>`: an approver key, printed once. */
export async function approverKeyCreate(approver: string, opts: CommonOptions & JsonOption, out: Out): Promise<number> {
  const created = await withControl(opts, (c) => c.approverKeyCreate(approver));
  if (opts.json) out(JSON.stringify({ approver, ...created }));
  else {
    out(`approver key for ${approver} (key id ${created.keyId}); it is shown only this once:`);
    out(created.key);
  }
  return 0;
}
