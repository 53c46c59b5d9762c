import type { FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import type { App } from '../../app.js';
import { mtlsAgent } from '../../identity/mtls.js';
import { WardenError } from '../../core/errors.js';
import type { Credential } from '../../core/action.js';
import { isAdminToken } from '../../identity/admin-token.js';
import type { AgentStore } from '../../identity/agent-store.js';
import { APPROVER_KEY_PREFIX } from '../../approvals/approvers.js';

/** Who is calling: the admin, an agent, or a human approver (who may only read and decide approval requests). */
export type Caller = { kind: 'admin' } | { kind: 'agent'; agentId: string; credential: Credential } | { kind: 'approver'; approverId: string };

/** Authenticates approver keys (`wdn_apr_…`); implemented by `Approvers`. */
export interface ApproverAuthenticator {
  authenticate(token: string): Promise<string | undefined>;
}

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!m) throw new WardenError('unauthenticated', 'Send a credential as "Authorization: Bearer <token>"');
  return m[1]!;
}

/**
 * Who is calling: the admin (admin token), an approver (approver key) or an agent (API key). The
 * three kinds of credential never overlap: each is recognised by its prefix and checked only
 * against its own store.
 */
export async function authenticate(request: FastifyRequest, adminToken: string, agents: AgentStore, approvers?: ApproverAuthenticator): Promise<Caller> {
  const token = bearer(request);
  if (token.startsWith('wdn_admin_')) {
    if (isAdminToken(token, adminToken)) return { kind: 'admin' };
    throw new WardenError('unauthenticated', 'The admin token is not valid');
  }
  if (token.startsWith(APPROVER_KEY_PREFIX)) {
    const approverId = approvers ? await approvers.authenticate(token) : undefined;
    if (approverId) return { kind: 'approver', approverId };
    throw new WardenError('unauthenticated', 'The approver key is not valid');
  }
  const found = await agents.authenticate(token);
  if (!found) throw new WardenError('unauthenticated', 'The API key is not valid');
  return { kind: 'agent', agentId: found.agentId, credential: { kind: 'api_key', id: found.keyId } };
}

/** The agent a request acts for: an agent's own identity, or the one the admin names. */
export function agentFor(caller: Caller, named: string | undefined): { agentId: string; credential: Credential } {
  if (caller.kind === 'admin') {
    if (!named) throw new WardenError('invalid_request', 'With the admin token, name the agent to act for in "agent"');
    return { agentId: named, credential: { kind: 'admin' } };
  }
  if (caller.kind === 'approver') throw new WardenError('forbidden', 'An approver key decides approval requests; it never acts for an agent');
  if (named !== undefined && named !== caller.agentId) throw new WardenError('forbidden', 'An agent credential acts only for its own agent');
  return { agentId: caller.agentId, credential: caller.credential };
}

/** A verified client certificate names the agent; without one, a bearer credential must. */
export async function identify(request: FastifyRequest, app: App): Promise<Caller> {
  const tls = app.loaded.config.server.tls;
  if (tls && (request.raw.socket as TLSSocket).encrypted) {
    const found = mtlsAgent(request, app.loaded.config.org.id);
    if ('agentId' in found) return { kind: 'agent', agentId: found.agentId, credential: { kind: 'mtls', id: found.fingerprint } };
    if (found.error !== 'no_certificate') {
      throw new WardenError('unauthenticated', `The client certificate is not accepted (${'reason' in found ? found.reason : found.error})`);
    }
    if (tls.require_client_cert) throw new WardenError('unauthenticated', 'A client certificate is required');
  }
  return authenticate(request, app.adminToken.token, app.agents, app.approvals?.approvers);
}
