/**
 * A tiny MCP server (stdio) whose first tools/list fails and whose one tool, `bad_output`, declares
 * outputSchema {value: number} but returns {value: "not a number"}. It shows whether Warden
 * still validates a tool's output when it could not list the upstream's tools before the call.
 *
 *   node test/support/listing-fails-once-server.ts
 *
 * Self-contained on purpose (Node runs it with type stripping): erasable TypeScript only.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

let listings = 0;
const server = new Server({ name: 'shaky', version: '0.1.0' }, { capabilities: { tools: {} } });

server.setRequestHandler(ListToolsRequestSchema, () => {
  listings++;
  if (listings === 1) throw new Error('tool listing failed (first time only)');
  return {
    tools: [
      {
        name: 'bad_output',
        description: 'Declares {value: number}, returns {value: "not a number"}.',
        inputSchema: { type: 'object', properties: {} },
        outputSchema: { type: 'object', properties: { value: { type: 'number' } }, required: ['value'] },
      },
    ],
  };
});

server.setRequestHandler(CallToolRequestSchema, (request) => {
  if (request.params.name !== 'bad_output') return { content: [{ type: 'text', text: `no tool ${request.params.name}` }], isError: true };
  const data = { value: 'not a number' };
  return { content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data };
});

await server.connect(new StdioServerTransport());
