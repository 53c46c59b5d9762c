import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../../app.js';
import type { Credential } from '../../core/action.js';
import { viewInvocation } from '../invocation.js';

export interface McpAgent {
  agentId: string;
  credential: Credential;
}

/**
 * The MCP server an agent talks to: it lists the configured upstream tools the agent's policies
 * may ever allow, and sends every `tools/call` through the Gate. Denials and pending approvals
 * come back as tool errors that say which policy and why.
 */
export function createAgentMcpServer(app: App, agent: McpAgent): Server {
  const server = new Server({ name: 'warden', version: '0.1.0' }, { capabilities: { tools: {} } });

  server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
    const status = await app.agents.status(agent.agentId);
    if (!status.known || status.suspended) throw new McpError(ErrorCode.InvalidRequest, `agent ${agent.agentId} is ${status.known ? 'suspended' : 'unknown'}`);
    const principal = { type: 'Agent', id: agent.agentId };
    const visible = app.loaded.config.tools
      .map((t) => t.id)
      .filter((id) => app.upstreams.trustOf(id) !== undefined && app.policy.mayAllow(principal, 'tool.invoke', { type: 'Tool', id }));
    const tools = await app.upstreams.describe(visible, extra.signal);
    const knowledgeBases = app.knowledge.ids.filter((kb) => app.policy.mayAllow(principal, 'kb.retrieve', { type: 'KnowledgeBase', id: kb }));
    return {
      tools: [...(knowledgeBases.length ? [knowledgeSearchTool(knowledgeBases)] : []), ...tools.map((t) => ({
        name: t.id,
        ...(t.description ? { description: t.description } : {}),
        inputSchema: { type: 'object' as const, ...t.inputSchema },
        ...(t.outputSchema ? { outputSchema: { type: 'object' as const, ...t.outputSchema } } : {}),
      }))],
    };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const args = request.params.arguments ?? {};
    const search = request.params.name === KNOWLEDGE_SEARCH;
    const result = await app.gate.invoke(
      {
        requestId: randomUUID(),
        agentId: agent.agentId,
        verb: search ? 'kb.retrieve' : 'tool.invoke',
        resource: search ? String(args.kb ?? '') : request.params.name,
        context: { args: search ? { query: args.query, ...(args.top_k !== undefined ? { top_k: args.top_k } : {}) } : args },
        credential: agent.credential,
        ...(typeof request.params._meta?.sessionId === 'string' ? { sessionId: request.params._meta.sessionId } : {}),
        ...(typeof request.params._meta?.['warden/delegation'] === 'string' ? { delegation: request.params._meta['warden/delegation'] } : {}),
      },
      extra.signal,
    );
    const view = viewInvocation(result);
    if (view.kind === 'result') return view.result as CallToolResult;
    const text = view.kind === 'approval' ? view.message : `${view.message} [${view.code}, request ${result.requestId}]`;
    return {
      isError: true,
      content: [{ type: 'text', text }],
      _meta: { warden: { decision: result.decision, policies: result.policies, requestId: result.requestId, ...(view.kind === 'approval' ? { approvalId: view.approvalId } : { code: view.code }) } },
    };
  });
  return server;
}

/** Retrieval from the knowledge bases, offered as one MCP tool beside the upstream tools. */
export const KNOWLEDGE_SEARCH = 'knowledge_search';

function knowledgeSearchTool(knowledgeBases: string[]) {
  return {
    name: KNOWLEDGE_SEARCH,
    description: 'Search a knowledge base. Returns the most relevant passages you may read, each with its source.',
    inputSchema: {
      type: 'object' as const,
      properties: {
        kb: { type: 'string', enum: knowledgeBases, description: 'The knowledge base' },
        query: { type: 'string', description: 'What to look for' },
        top_k: { type: 'integer', minimum: 1, maximum: 50, description: 'How many passages (default 5)' },
      },
      required: ['kb', 'query'],
    },
  };
}
