import type { App } from '../app.js';
import type { Credential } from '../core/action.js';
import { WardenError } from '../core/errors.js';
import { MAX_DELEGATION_SECONDS } from '../identity/delegation.js';

export interface DelegateInput {
  from: string;
  to: string;
  tools: string[];
  ttlSeconds?: number;
  task?: string;
}

export interface Delegated {
  token: string;
  id: string;
  from: string;
  to: string;
  tools: string[];
  expiresAt: string;
  seq: number;
}

/**
 * Issues a delegation token after the Gate allowed `agent.delegate` (recorded like any decision).
 * An agent can only lend tools its own policies may ever allow; the Gate checks again at each use.
 */
export async function delegate(app: App, input: DelegateInput, credential: Credential, requestId: string): Promise<Delegated> {
  const ttlSeconds = input.ttlSeconds ?? 900;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_DELEGATION_SECONDS) {
    throw new WardenError('invalid_request', `ttl_seconds must be an integer from 1 to ${MAX_DELEGATION_SECONDS}`);
  }
  if (!input.tools.length) throw new WardenError('invalid_request', 'a delegation names at least one tool');
  const decided = await app.gate.authorize({
    requestId,
    agentId: input.from,
    verb: 'agent.delegate',
    resource: input.to,
    context: { args: { tools: input.tools, ttl_seconds: ttlSeconds, ...(input.task ? { task: input.task } : {}) } },
    credential,
  });
  if (decided.decision !== 'allow') {
    throw new WardenError(decided.code ?? 'policy_denied', `${input.from} may not delegate to ${input.to}${decided.policies.length ? ` (${decided.policies.join(', ')})` : ' (no policy permits it)'}`);
  }
  const principal = { type: 'Agent', id: input.from };
  const foreign = input.tools.filter((t) => !app.policy.mayAllow(principal, 'tool.invoke', { type: 'Tool', id: t }));
  if (foreign.length) throw new WardenError('invalid_request', `${input.from} cannot lend what it may never use: ${foreign.join(', ')}`);
  const { token, grant } = app.delegations.issue({ from: input.from, to: input.to, tools: input.tools, ttlSeconds, ...(input.task ? { task: input.task } : {}) });
  return { token, id: grant.id, from: grant.from, to: grant.to, tools: grant.tools, expiresAt: new Date(grant.exp * 1000).toISOString(), seq: decided.seq };
}
