import { createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import type { Action } from '../core/action.js';
import type { DelegationCheck, DelegationGrant, DelegationVerifier } from '../core/ports.js';

const PREFIX = 'wdn_dlg_';
export const MAX_DELEGATION_SECONDS = 24 * 3600;

/**
 * Delegation tokens: an agent hands another agent a subset of its tools for one task, signed
 * (Ed25519), expiring, naming both agents. Using one never widens anything: the Gate allows a
 * delegated call only if the tool is in the token and both the holder's and the delegator's
 * policies allow it (the intersection), so a sub-agent cannot be used as a confused deputy.
 */
export class Delegations implements DelegationVerifier {
  private readonly publicKey: KeyObject;

  constructor(
    private readonly privateKey: KeyObject,
    private readonly now: () => number = Date.now,
  ) {
    this.publicKey = createPublicKey(privateKey);
  }

  issue(input: { from: string; to: string; tools: readonly string[]; ttlSeconds: number; task?: string }): { token: string; grant: DelegationGrant } {
    const grant: DelegationGrant = {
      id: randomBytes(9).toString('base64url'),
      from: input.from,
      to: input.to,
      tools: [...new Set(input.tools)].sort(),
      exp: Math.floor(this.now() / 1000) + Math.min(Math.max(1, input.ttlSeconds), MAX_DELEGATION_SECONDS),
      ...(input.task ? { task: input.task } : {}),
    };
    const body = Buffer.from(JSON.stringify(grant)).toString('base64url');
    const signature = sign(null, Buffer.from(`${PREFIX}${body}`), this.privateKey).toString('base64url');
    return { token: `${PREFIX}${body}.${signature}`, grant };
  }

  check(token: string, action: Action): DelegationCheck {
    if (!token.startsWith(PREFIX)) return { ok: false, reason: 'not a delegation token' };
    const [body, signature] = token.slice(PREFIX.length).split('.');
    if (!body || !signature) return { ok: false, reason: 'a malformed delegation token' };
    if (!verify(null, Buffer.from(`${PREFIX}${body}`), this.publicKey, Buffer.from(signature, 'base64url'))) return { ok: false, reason: 'the delegation signature does not verify' };
    let grant: DelegationGrant;
    try {
      grant = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as DelegationGrant;
    } catch {
      return { ok: false, reason: 'a malformed delegation token' };
    }
    if (grant.exp * 1000 <= this.now()) return { ok: false, reason: 'the delegation has expired' };
    if (grant.to !== action.agentId) return { ok: false, reason: `the delegation is for ${grant.to}, not ${action.agentId}` };
    if (action.verb !== 'tool.invoke' || !grant.tools.includes(action.resource)) return { ok: false, reason: `the delegation does not cover ${action.verb} ${action.resource}` };
    return { ok: true, grant };
  }
}
