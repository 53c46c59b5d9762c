import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { MAX_QUERY_CHARS, MAX_TOP_K } from '../../knowledge/retrieve-executor.js';
import { MAX_MEMORY_BYTES } from '../../memory/agent-memory.js';
import { chunksOf } from '../knowledge-view.js';
import type { Caller } from './auth.js';
import { agentFor } from './auth.js';
import { replyWithInvocation } from './tools.js';

const retrieveSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['query'],
  properties: {
    query: { type: 'string', minLength: 1, maxLength: MAX_QUERY_CHARS },
    top_k: { type: 'integer', minimum: 1, maximum: MAX_TOP_K },
    sessionId: { type: 'string', minLength: 1, maxLength: 200 },
    agent: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

const memorySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['value'],
  properties: {
    value: { type: 'string', maxLength: MAX_MEMORY_BYTES },
    sessionId: { type: 'string', minLength: 1, maxLength: 200 },
    agent: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

/** `POST /v1/kb/{kb}/retrieve` and `PUT|GET /v1/memory/{name}`: knowledge and memory through the Gate. */
export function registerKnowledgeRoutes(server: FastifyInstance, app: App, callerOf: (r: FastifyRequest) => Caller): void {
  server.post<{ Params: { kb: string }; Body: { query: string; top_k?: number; sessionId?: string; agent?: string } }>(
    '/v1/kb/:kb/retrieve',
    { schema: { body: retrieveSchema } },
    async (request, reply) => {
      const { agentId, credential } = agentFor(callerOf(request), request.body.agent);
      const { query, top_k } = request.body;
      const result = await app.gate.invoke({
        requestId: request.id,
        agentId,
        verb: 'kb.retrieve',
        resource: request.params.kb,
        context: { args: { query, ...(top_k !== undefined ? { top_k } : {}) } },
        credential,
        ...(request.body.sessionId ? { sessionId: request.body.sessionId } : {}),
      });
      return replyWithInvocation(reply, result, (r) => ({ chunks: chunksOf(r, result.execution?.items) }));
    },
  );

  server.put<{ Params: { name: string }; Body: { value: string; sessionId?: string; agent?: string } }>(
    '/v1/memory/:name',
    { schema: { body: memorySchema } },
    async (request, reply) => {
      const { agentId, credential } = agentFor(callerOf(request), request.body.agent);
      const result = await app.gate.invoke({
        requestId: request.id,
        agentId,
        verb: 'memory.write',
        resource: request.params.name,
        context: { args: { value: request.body.value } },
        credential,
        ...(request.body.sessionId ? { sessionId: request.body.sessionId } : {}),
      });
      if (result.execution?.outcome === 'tool_error') {
        return reply.status(400).send({ code: 'invalid_request', message: result.execution.error ?? 'the value was refused', requestId: result.requestId, seq: result.seq });
      }
      return replyWithInvocation(reply, result, () => ({ stored: request.params.name }));
    },
  );

  server.get<{ Params: { name: string }; Querystring: { agent?: string } }>('/v1/memory/:name', async (request, reply) => {
    const { agentId, credential } = agentFor(callerOf(request), request.query.agent);
    const result = await app.gate.invoke({ requestId: request.id, agentId, verb: 'memory.read', resource: request.params.name, context: { args: {} }, credential });
    if (result.execution?.outcome === 'tool_error') {
      const ids = { requestId: result.requestId, seq: result.seq };
      return reply.status(404).send({ code: 'memory_not_found', message: `${agentId} has no memory named ${request.params.name}`, ...ids });
    }
    return replyWithInvocation(reply, result, (r) => ({ name: request.params.name, value: (r.content[0] as { text?: string } | undefined)?.text ?? '' }));
  });
}
