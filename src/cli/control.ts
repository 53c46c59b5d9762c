import { resolve as resolvePath } from 'node:path';
import type { App } from '../app.js';
import type { GateDecision } from '../core/gate.js';
import { WardenError, type ErrorCode } from '../core/errors.js';
import type { AgentView } from '../identity/agent-store.js';
import type { VerifyResult } from '../audit/verify.js';
import { verifyLedger } from '../audit/verify.js';
import { readLedger, type LedgerEntry } from '../audit/read.js';
import type { IngestProgress, IngestReport } from '../knowledge/knowledge-bases.js';
import type { KeyHierarchyStatus } from '../crypto/key-hierarchy.js';
import type { RotationProgress } from '../crypto/key-manager.js';
import { chunksOf, type ChunkView } from '../transports/knowledge-view.js';
import { viewInvocation } from '../transports/invocation.js';
import type { ApprovalStatus, ApprovalView, Vote } from '../approvals/approvals.js';
import { isApproverKey } from '../approvals/approvers.js';

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
  kbIngest(kb: string, paths: string[], onProgress?: (p: IngestProgress) => void): Promise<IngestReport>;
  kbSearch(input: { kb: string; agent: string; query: string; topK?: number }): Promise<KbSearchOutcome>;
  kbDelete(kb: string, source: string): Promise<boolean>;
  keysStatus(): Promise<KeysStatus>;
  /** Activates a new master key version and re-wraps every root key, reporting progress until done. */
  keysRotate(onProgress?: (p: RotationProgress) => void): Promise<RotationProgress>;
  shredTenant(tenant: string): Promise<{ documents: number; memories: number }>;
  /** Approval requests, newest first. */
  approvalsList(filter: { status?: ApprovalStatus; agent?: string }): Promise<ApprovalView[]>;
  /** One approver's vote, authenticated by the approver key (never the admin token, never an agent key). */
  approvalVote(id: string, vote: Vote, approverKey: string, comment?: string): Promise<ApprovalView>;
  /** Creates an approver key; only its hash is stored. */
  approverKeyCreate(approver: string): Promise<{ keyId: string; key: string }>;
  close(): Promise<void>;
}

export type KeysStatus = KeyHierarchyStatus & { rotation?: RotationProgress };

/** A search as the CLI shows it: the chunks, or the refusal, and where the decision was recorded. */
export type KbSearchOutcome = { chunks: ChunkView[]; decision: string; policies: string[]; requestId: string; seq: number; code?: string; message?: string };

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
    kbIngest: (kb, paths, onProgress) => app.knowledge.ingest(kb, paths, onProgress),
    kbSearch: async (input) => {
      const result = await app.gate.invoke({
        requestId: crypto.randomUUID(),
        agentId: input.agent,
        verb: 'kb.retrieve',
        resource: input.kb,
        context: { args: { query: input.query, ...(input.topK !== undefined ? { top_k: input.topK } : {}) } },
        credential: { kind: 'cli' },
      });
      const view = viewInvocation(result);
      const base = { decision: result.decision, policies: result.policies, requestId: result.requestId, seq: result.seq };
      if (view.kind === 'result') return { ...base, chunks: chunksOf(view.result, result.execution?.items) };
      return { ...base, chunks: [], code: view.kind === 'refused' ? view.code : 'approval_required', message: view.message };
    },
    kbDelete: (kb, source) => app.knowledge.deleteDocument(kb, source),
    keysStatus: () => app.keyManager.status(app.keys),
    keysRotate: async (onProgress) => {
      let last: RotationProgress | undefined;
      const { finished } = await app.keyManager.rotate(app.keys, (p) => {
        last = p;
        onProgress?.(p);
      });
      await finished;
      return last ?? { running: false, done: 0, total: 0, activeVersion: app.keyManager.masterKeys.activeVersion };
    },
    shredTenant: async (tenant) => {
      const { documents } = await app.knowledge.shredTenant(tenant);
      return { documents, memories: await app.memory.forgetTenant(tenant) };
    },
    approvalsList: (filter) => app.approvals.list({ ...(filter.status ? { status: filter.status } : {}), ...(filter.agent ? { agentId: filter.agent } : {}) }),
    approvalVote: (id, vote, approverKey, comment) => app.approvals.voteWithKey(approverKey, id, vote, comment),
    approverKeyCreate: (approver) => app.approvals.approvers.createKey(approver),
    close: () => app.close(),
  };
}

/** Decisions the server reports as errors (unknown agent or resource) are still decisions to the CLI. */
const DECISION_CODES = new Set<string>(['unknown_agent', 'unknown_resource', 'agent_suspended', 'invalid_action']);

export function remoteControl(url: string, adminToken: string): Control {
  /** `decisionsAreResults`: a refusal by the Gate is an outcome to show, not an error; `token`: the credential to send (the admin token unless an approver votes). */
  const call = async <T>(method: string, path: string, body?: unknown, decisionsAreResults = false, token = adminToken): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(new URL(path, url), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new WardenError('unavailable', `The server at ${url} does not answer`);
    }
    const data = (await response.json().catch(() => ({}))) as T & { code?: ErrorCode; message?: string; details?: { requestId: string; seq: number } };
    if (!response.ok) {
      if (data.code && DECISION_CODES.has(data.code) && path === '/v1/authorize') return data;
      if (decisionsAreResults && (data as { decision?: string }).decision) return data;
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
    // The server reads the files: it runs on this machine, on this data directory.
    kbIngest: (kb, paths) => call('POST', `/v1/admin/kb/${encodeURIComponent(kb)}/ingest`, { paths: paths.map((p) => resolvePath(p)) }),
    kbSearch: async (input) => {
      const r = await call<{ chunks?: ChunkView[]; decision: string; policies?: string[]; requestId: string; seq: number; code?: string; message?: string }>(
        'POST',
        `/v1/kb/${encodeURIComponent(input.kb)}/retrieve`,
        { agent: input.agent, query: input.query, ...(input.topK !== undefined ? { top_k: input.topK } : {}) },
        true,
      );
      return { ...r, chunks: r.chunks ?? [], policies: r.policies ?? [] };
    },
    kbDelete: async (kb, source) =>
      (await call<{ deleted: boolean }>('DELETE', `/v1/admin/kb/${encodeURIComponent(kb)}/documents?source=${encodeURIComponent(source)}`)).deleted,
    keysStatus: () => call('GET', '/v1/admin/keys'),
    keysRotate: async (onProgress) => {
      await call('POST', '/v1/admin/keys/rotate');
      // The server re-wraps in the background; follow it until it is done.
      for (;;) {
        const { rotation } = await call<KeysStatus>('GET', '/v1/admin/keys');
        if (rotation) onProgress?.(rotation);
        if (!rotation?.running) {
          if (rotation?.error) throw new WardenError('internal', `Key rotation failed: ${rotation.error}`);
          return rotation ?? { running: false, done: 0, total: 0, activeVersion: '' };
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    shredTenant: (tenant) => call('POST', `/v1/admin/tenants/${encodeURIComponent(tenant)}/shred`),
    approvalsList: async (filter) => {
      const query = new URLSearchParams({ ...(filter.status ? { status: filter.status } : {}), ...(filter.agent ? { agent: filter.agent } : {}), limit: '1000' });
      return (await call<{ approvals: ApprovalView[] }>('GET', `/v1/approvals?${query}`)).approvals;
    },
    approvalVote: async (id, vote, approverKey, comment) => {
      // Refused here as the direct path refuses it: an agent key or the admin token is never an approver key.
      if (!isApproverKey(approverKey)) throw new WardenError('unauthenticated', 'The approver key is not valid');
      return call('POST', `/v1/approvals/${encodeURIComponent(id)}/${vote}`, comment !== undefined ? { comment } : {}, false, approverKey);
    },
    approverKeyCreate: async (approver) => {
      const { keyId, key } = await call<{ keyId: string; key: string }>('POST', `/v1/approvers/${encodeURIComponent(approver)}/keys`);
      return { keyId, key };
    },
    close: async () => {},
  };
}
