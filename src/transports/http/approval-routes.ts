import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WardenError } from '../../core/errors.js';
import { APPROVAL_STATUSES, type ApprovalStatus, type Approvals, type Vote } from '../../approvals/approvals.js';
import type { Caller } from './auth.js';

const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^apr_[A-Za-z0-9_-]{1,64}$' } },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: [...APPROVAL_STATUSES] },
    agent: { type: 'string', minLength: 1, maxLength: 200 },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
  },
} as const;

const voteBody = {
  type: 'object',
  additionalProperties: false,
  properties: { comment: { type: 'string', maxLength: 2000 } },
} as const;

const approverParams = {
  type: 'object',
  additionalProperties: false,
  required: ['approver'],
  properties: { approver: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

/**
 * `/v1/approvals`: the admin and approvers list and read requests; the agent that parked a request
 * may read it (to poll); only an approver key approves or denies. `/v1/approvers/{id}/keys`: the
 * admin creates approver keys.
 */
export function registerApprovalRoutes(server: FastifyInstance, approvals: Approvals, callerOf: (r: FastifyRequest) => Caller): void {
  const reviewer = (request: FastifyRequest) => {
    const caller = callerOf(request);
    if (caller.kind === 'agent') throw new WardenError('forbidden', 'Listing approval requests needs the admin token or an approver key');
    return caller;
  };

  server.get<{ Querystring: { status?: ApprovalStatus; agent?: string; limit?: string } }>('/v1/approvals', { schema: { querystring: listQuery } }, async (request) => {
    reviewer(request);
    const { status, agent, limit } = request.query;
    return { approvals: await approvals.list({ ...(status ? { status } : {}), ...(agent ? { agentId: agent } : {}), ...(limit ? { limit: Number(limit) } : {}) }) };
  });

  server.get<{ Params: { id: string } }>('/v1/approvals/:id', { schema: { params: idParams } }, async (request) => {
    const caller = callerOf(request);
    const found = await approvals.get(request.params.id);
    // An agent sees only its own requests; another's is as absent as a missing one.
    if (!found || (caller.kind === 'agent' && found.agentId !== caller.agentId)) throw new WardenError('approval_not_found', `No approval request ${request.params.id}`);
    return found;
  });

  const decide = (vote: Vote) => async (request: FastifyRequest<{ Params: { id: string }; Body: { comment?: string } }>) => {
    const caller = callerOf(request);
    if (caller.kind !== 'approver') throw new WardenError('forbidden', 'Only an approver key may approve or deny; agents and the admin token never can');
    return approvals.vote(request.params.id, caller.approverId, vote, request.body.comment);
  };
  // The body is optional (`curl -X POST …/approve` is a vote): none counts as `{}`.
  const voteOptions = {
    schema: { params: idParams, body: voteBody },
    preValidation: async (request: FastifyRequest) => {
      request.body ??= {};
    },
  };
  type VoteRoute = { Params: { id: string }; Body: { comment?: string } };
  server.post<VoteRoute>('/v1/approvals/:id/approve', voteOptions, decide('approve'));
  server.post<VoteRoute>('/v1/approvals/:id/deny', voteOptions, decide('deny'));

  server.post<{ Params: { approver: string } }>('/v1/approvers/:approver/keys', { schema: { params: approverParams } }, async (request, reply) => {
    if (callerOf(request).kind !== 'admin') throw new WardenError('forbidden', 'This needs the admin token');
    const created = await approvals.approvers.createKey(request.params.approver);
    return reply.status(201).send({ approver: request.params.approver, ...created });
  });
}
