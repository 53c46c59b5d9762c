import type { App } from '../app.js';
import type { GateDecision } from '../core/gate.js';
import { WardenError, type ErrorCode } from '../core/errors.js';
import type { AgentView } from '../identity/agent-store.js';
import type { VerifyResult } from '../audit/verify.js';
import { verifyLedger } from '../audit/verify.js';
import { readLedger, type LedgerEntry } from '../audit/read.js';

export interface AuthorizeInput {
  agent: string;
  action: string;
  resource: string;
  context: Record<string, unknown>;
}

/** A recorded decision as the CLI shows it, the same with or without a server. */
export type AuthorizeOutcome = Pick<GateDecision, 'decision' | 'policies' | 'obligations' | 'reason' | 'errors' | 'requestId' | 'seq'> & { code?: string };

/**
 * What the state-touching commands need, implemented twice: directly on the data directory, and
 * through a running server's admin API (PGlite admits one process per data directory).
 */
export interface Control {
  authorize(input: AuthorizeInput): Promise<AuthorizeOutcome>;
  agents(): Promise<AgentView[]>;
  setSuspended(agent: string, suspended: boolean): Promise<void>;
  createKey(agent: string): Promise<{ keyId: string; key: string }>;
  verify(): Promise<VerifyResult>;
  tail(limit: number): Promise<LedgerEntry[]>;
  close(): Promise<void>;
}

export function directControl(app: App): Control {
  return {
    authorize: (input) =>
      app.gate.authorize({
        requestId: crypto.randomUUID(),
        agentId: input.agent,
        verb: input.action,
        resource: input.resource,
        context: input.context,
        credential: { kind: 'cli' },
      }),
    agents: () => app.agents.list(),
    setSuspended: (agent, suspended) => app.agents.setSuspended(agent, suspended),
    createKey: (agent) => app.agents.createKey(agent),
    verify: async () => {
      await app.ledger.flush();
      return verifyLedger(app.db, [app.signer.publicKey]);
    },
    tail: (limit) => readLedger(app.db, { limit, tail: true }),
    close: () => app.close(),
  };
}

/** Decisions the server reports as errors (unknown agent or resource) are still decisions to the CLI. */
const DECISION_CODES = new Set<string>(['unknown_agent', 'unknown_resource', 'agent_suspended', 'invalid_action']);

export function remoteControl(url: string, adminToken: string): Control {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(new URL(path, url), {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new WardenError('unavailable', `The server at ${url} does not answer`);
    }
    const data = (await response.json().catch(() => ({}))) as T & { code?: ErrorCode; message?: string; details?: { requestId: string; seq: number } };
    if (!response.ok) {
      if (data.code && DECISION_CODES.has(data.code) && path === '/v1/authorize') return data;
      throw new WardenError(data.code ?? 'internal', data.message ?? `The server answered ${response.status}`);
    }
    return data;
  };
  return {
    authorize: async (input) => {
      const r = await call<GateDecision & { code?: ErrorCode; details?: { requestId: string; seq: number } }>('POST', '/v1/authorize', {
        agent: input.agent,
        action: input.action,
        resource: input.resource,
        context: input.context,
      });
      if (r.code) {
        return { decision: 'deny', policies: [], obligations: {}, reason: r.code, errors: [], requestId: r.details?.requestId ?? '', seq: r.details?.seq ?? 0, code: r.code };
      }
      return { ...r, errors: r.errors ?? [] };
    },
    agents: async () => (await call<{ agents: AgentView[] }>('GET', '/v1/agents')).agents,
    setSuspended: async (agent, suspended) => {
      await call('POST', `/v1/agents/${encodeURIComponent(agent)}/${suspended ? 'suspend' : 'resume'}`);
    },
    createKey: (agent) => call('POST', `/v1/agents/${encodeURIComponent(agent)}/keys`),
    verify: () => call('GET', '/v1/audit/verify'),
    tail: async (limit) => (await call<{ entries: LedgerEntry[] }>('GET', `/v1/audit?tail=true&limit=${limit}`)).entries,
    close: async () => {},
  };
}
