import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import type { GateInvocation } from '../../core/gate.js';
import { ERROR_CODES } from '../../core/errors.js';
import type { ToolResult } from '../../core/ports.js';
import { viewInvocation } from '../invocation.js';
import { delegate } from '../delegate.js';
import type { Caller } from './auth.js';
import { agentFor } from './auth.js';

interface InvokeBody {
  arguments?: Record<string, unknown>;
  sessionId?: string;
  agent?: string;
}

const invokeSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    arguments: { type: 'object' },
    sessionId: { type: 'string', minLength: 1, maxLength: 200 },
    agent: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

/**
 * Answers an invocation the way every action route does: 200 with what `render` makes of the
 * result, 202 with an approval id, or the refusal's status with a stable code (and Retry-After).
 */
export function replyWithInvocation(reply: FastifyReply, result: GateInvocation, render: (result: ToolResult) => Record<string, unknown>): FastifyReply {
  const view = viewInvocation(result);
  const decision = { decision: result.decision, policies: result.policies, obligations: result.obligations, ...(result.reason ? { reason: result.reason } : {}) };
  const ids = { requestId: result.requestId, seq: result.seq };
  if (view.kind === 'result') return reply.send({ ...render(view.result), ...decision, ...ids });
  if (view.kind === 'approval') return reply.status(202).send({ approvalId: view.approvalId, message: view.message, ...decision, ...ids });
  if (view.retryAfterMs !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(view.retryAfterMs / 1000))));
  return reply.status(ERROR_CODES[view.code].status).send({ code: view.code, message: view.message, ...decision, ...ids });
}

/** `POST /v1/tools/{tool}/invoke`: the Gate's full path for one tool call. */
export function registerToolRoutes(server: FastifyInstance, app: App, callerOf: (r: FastifyRequest) => Caller): void {
  server.post<{ Params: { tool: string }; Body: InvokeBody }>('/v1/tools/:tool/invoke', { schema: { body: invokeSchema } }, async (request, reply) => {
    const caller = callerOf(request);
    const { agentId, credential } = agentFor(caller, request.body.agent);
    const delegation = request.headers['x-warden-delegation'];
    const result = await app.gate.invoke({
      requestId: request.id,
      agentId,
      verb: 'tool.invoke',
      resource: request.params.tool,
      context: { args: request.body.arguments ?? {} },
      credential,
      ...(request.body.sessionId ? { sessionId: request.body.sessionId } : {}),
      ...(typeof delegation === 'string' ? { delegation } : {}),
    });
    return replyWithInvocation(reply, result, (r) => ({ result: r }));
  });
}

const delegateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['to', 'tools'],
  properties: {
    to: { type: 'string', minLength: 1, maxLength: 200 },
    tools: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 200 } },
    ttl_seconds: { type: 'integer', minimum: 1 },
    task: { type: 'string', maxLength: 500 },
    agent: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

/** `POST /v1/delegations`: the calling agent lends another agent some of its tools for one task. */
export function registerDelegationRoutes(server: FastifyInstance, app: App, callerOf: (r: FastifyRequest) => Caller): void {
  server.post<{ Body: { to: string; tools: string[]; ttl_seconds?: number; task?: string; agent?: string } }>(
    '/v1/delegations',
    { schema: { body: delegateSchema } },
    async (request, reply) => {
      const { agentId, credential } = agentFor(callerOf(request), request.body.agent);
      const { to, tools, ttl_seconds, task } = request.body;
      const issued = await delegate(app, { from: agentId, to, tools, ...(ttl_seconds !== undefined ? { ttlSeconds: ttl_seconds } : {}), ...(task ? { task } : {}) }, credential, request.id);
      return reply.status(201).send(issued);
    },
  );
}
