import type { FastifyInstance, FastifyRequest } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { App } from '../../app.js';
import { createAgentMcpServer } from '../mcp/agent-server.js';
import { agentFor, type Caller } from './auth.js';

/**
 * `/mcp`: MCP Streamable HTTP, stateless — each POST carries its own credential and is served by a
 * fresh server bound to that agent, so replicas need no shared MCP session state.
 */
export function registerMcpRoute(server: FastifyInstance, app: App, callerOf: (r: FastifyRequest) => Caller): void {
  server.post('/mcp', async (request, reply) => {
    const named = request.headers['x-warden-agent'];
    const agent = agentFor(callerOf(request), typeof named === 'string' ? named : undefined);
    const mcp = createAgentMcpServer(app, agent);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });
  const notAllowed = { jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this server is stateless; POST to /mcp' }, id: null };
  server.get('/mcp', async (_request, reply) => reply.status(405).header('allow', 'POST').send(notAllowed));
  server.delete('/mcp', async (_request, reply) => reply.status(405).header('allow', 'POST').send(notAllowed));
}
