import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { WardenError } from '../../core/errors.js';
import { agentFor, type Caller } from './auth.js';

interface AuthorizeBody {
  action: string;
  resource: string;
  context?: Record<string, unknown>;
  agent?: string;
  sessionId?: string;
}

const authorizeSchema = {
  type: 'object',
  required: ['action', 'resource'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', minLength: 1, maxLength: 200 },
    resource: { type: 'string', minLength: 1, maxLength: 500 },
    context: { type: 'object' },
    agent: { type: 'string', minLength: 1, maxLength: 200 },
    sessionId: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

/** `POST /v1/authorize`: the policy decision point; decides and records, executes nothing. */
export function registerAuthorizeRoute(server: FastifyInstance, app: App, callerOf: (r: FastifyRequest) => Caller): void {
  server.post<{ Body: AuthorizeBody }>('/v1/authorize', { schema: { body: authorizeSchema } }, async (request, reply) => {
    const body = request.body;
    const { agentId, credential } = agentFor(callerOf(request), body.agent);
    const result = await app.gate.authorize({
      requestId: request.id,
      agentId,
      verb: body.action,
      resource: body.resource,
      context: body.context ?? {},
      credential,
      ...(body.sessionId ? { sessionId: body.sessionId } : {}),
    });
    if (result.code) {
      // Recorded like any decision, answered as the error it is (unknown agent 404, suspended 403…).
      const message = result.code === 'unknown_resource' ? `No ${body.action} resource "${body.resource}" is configured` : result.errors[0];
      throw new WardenError(result.code, message, { requestId: result.requestId, seq: result.seq });
    }
    const { decision, policies, obligations, requestId, seq, reason, errors } = result;
    return reply.send({ decision, policies, obligations, requestId, seq, ...(reason ? { reason } : {}), ...(errors.length ? { errors } : {}) });
  });

}
