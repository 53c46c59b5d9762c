/** The OpenAPI document served at /openapi.json: the HTTP contract, kept next to the routes. */
const error = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
const json = (schema: object) => ({ 'application/json': { schema } });

/** The approve and deny routes differ only in what the vote means. */
function voteRoute(summary: string) {
  return {
    post: {
      summary,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: { required: false, content: json({ $ref: '#/components/schemas/Vote' }) },
      responses: {
        '200': { description: 'The request after the vote', content: json({ $ref: '#/components/schemas/Approval' }) },
        '403': errorResponse('Not an approver key (forbidden), or the approver may not decide this request (approver_forbidden)'),
        '404': errorResponse('No such request (approval_not_found)'),
        '409': errorResponse('Already decided (approval_not_pending) or already voted (already_voted)'),
        '410': errorResponse('Expired (approval_expired)'),
      },
    },
  };
}

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Warden', version: '0.1.0', description: 'Authorize, record and inspect agent actions.' },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'An agent API key (wdn_…), an approver key (wdn_apr_…) or the admin token (wdn_admin_…)' },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      },
      AuthorizeRequest: {
        type: 'object',
        required: ['action', 'resource'],
        additionalProperties: false,
        properties: {
          action: { type: 'string', examples: ['tool.invoke'] },
          resource: { type: 'string', examples: ['bank.send_money'] },
          context: { type: 'object', description: 'Policy context; agents may set only `args`, the admin any part' },
          agent: { type: 'string', description: 'The agent to decide for (admin token only)' },
          sessionId: { type: 'string' },
        },
      },
      Approval: {
        type: 'object',
        description: 'A parked action waiting for human approval, bound to the digest of the exact action and to the policy version that asked',
        required: ['id', 'agentId', 'verb', 'resource', 'actionDigest', 'policyVersion', 'policies', 'requiredApprovals', 'approvals', 'status', 'createdAt', 'expiresAt', 'votes'],
        properties: {
          id: { type: 'string', examples: ['apr_Q2hvb3NlIGEgZ29vZCBpZA'] },
          agentId: { type: 'string' },
          verb: { type: 'string' },
          resource: { type: 'string' },
          actionDigest: { type: 'string', description: 'sha256 over agent, verb, resource and canonical arguments' },
          argsDigest: { type: 'string' },
          policyVersion: { type: 'string' },
          policies: { type: 'array', items: { type: 'string' } },
          reason: { type: 'string' },
          requiredApprovals: { type: 'integer', description: '2 for critical resources, else 1' },
          approvals: { type: 'integer', description: 'Distinct approvers who approved so far' },
          status: { enum: ['pending', 'approved', 'denied', 'expired', 'cancelled', 'consumed'] },
          createdAt: { type: 'string', format: 'date-time' },
          expiresAt: { type: 'string', format: 'date-time' },
          decidedAt: { type: 'string', format: 'date-time' },
          consumedAt: { type: 'string', format: 'date-time' },
          sessionId: { type: 'string' },
          risk: { type: 'integer' },
          votes: {
            type: 'array',
            items: {
              type: 'object',
              required: ['approverId', 'vote', 'at'],
              properties: { approverId: { type: 'string' }, vote: { enum: ['approve', 'deny'] }, at: { type: 'string', format: 'date-time' }, comment: { type: 'string' } },
            },
          },
        },
      },
      Vote: { type: 'object', additionalProperties: false, properties: { comment: { type: 'string', maxLength: 2000 } } },
      Decision: {
        type: 'object',
        required: ['decision', 'policies', 'obligations', 'requestId'],
        properties: {
          decision: { enum: ['allow', 'deny', 'approval_required', 'error'] },
          policies: { type: 'array', items: { type: 'string' } },
          obligations: { type: 'object', additionalProperties: { type: 'string' } },
          requestId: { type: 'string' },
          seq: { type: 'integer', description: 'The ledger entry that records this decision' },
          reason: { type: 'string' },
          errors: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/v1/authorize': {
      post: {
        summary: 'Decide an action and record the decision',
        requestBody: { required: true, content: json({ $ref: '#/components/schemas/AuthorizeRequest' }) },
        responses: {
          '200': { description: 'The decision', content: json({ $ref: '#/components/schemas/Decision' }) },
          '400': errorResponse('Malformed JSON (invalid_json), wrong shape (invalid_request) or unknown verb (invalid_action)'),
          '401': errorResponse('Missing or invalid credential'),
          '403': errorResponse('The agent is suspended'),
          '404': errorResponse('Unknown agent or resource'),
          '413': errorResponse('Body over the configured limit'),
          '503': errorResponse('The ledger is unavailable: nothing is allowed'),
        },
      },
    },
    '/v1/tools/{tool}/invoke': {
      post: {
        summary: 'Call a tool through the Gate: decide, execute with the upstream resilience policies, validate the output, record',
        parameters: [{ name: 'tool', in: 'path', required: true, schema: { type: 'string' }, example: 'bank.get_balance' }],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            properties: {
              arguments: { type: 'object' },
              sessionId: { type: 'string' },
              agent: { type: 'string', description: 'The agent to act for (admin token only)' },
            },
          }),
        },
        responses: {
          '200': { description: 'The tool result (MCP CallToolResult shape: content, structuredContent, isError) with the decision' },
          '202': { description: 'Approval required: the call is parked, with its approvalId' },
          '403': errorResponse('Denied by policy (policy_denied), or the agent is suspended'),
          '404': errorResponse('Unknown tool or agent'),
          '429': errorResponse('Rate limited, loop detected or step budget exhausted; see Retry-After'),
          '502': errorResponse('The upstream failed (upstream_error), answered outside its schema (invalid_upstream_response), or its result was withheld as a suspected prompt injection (output_withheld)'),
          '503': errorResponse('Circuit open (upstream_unavailable) or too many calls in flight (upstream_busy)'),
          '504': errorResponse('The upstream timed out (upstream_timeout)'),
        },
      },
    },
    '/v1/kb/{kb}/retrieve': {
      post: {
        summary: 'Search a knowledge base through the Gate: Cedar decides, row-level security filters, chunks are decrypted, scanned and recorded',
        parameters: [{ name: 'kb', in: 'path', required: true, schema: { type: 'string' }, example: 'handbook' }],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['query'],
            properties: {
              query: { type: 'string', minLength: 1, maxLength: 2000 },
              top_k: { type: 'integer', minimum: 1, maximum: 50, default: 5 },
              sessionId: { type: 'string' },
              agent: { type: 'string', description: 'The agent to act for (admin token only)' },
            },
          }),
        },
        responses: {
          '200': {
            description: 'The chunks the agent may read, best first, each with its provenance; a chunk that carried an injected instruction has `withheld: true` and no text',
            content: json({
              type: 'object',
              properties: {
                chunks: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'string' },
                      document: { type: 'string' },
                      source: { type: 'string' },
                      score: { type: 'number' },
                      sensitivity: { enum: ['public', 'internal', 'confidential', 'restricted'] },
                      labels: { type: 'array', items: { type: 'string' } },
                      text: { type: 'string' },
                      withheld: { type: 'boolean' },
                    },
                  },
                },
                decision: { type: 'string' },
                policies: { type: 'array', items: { type: 'string' } },
                requestId: { type: 'string' },
                seq: { type: 'integer' },
              },
            }),
          },
          '400': errorResponse('No query, a query over 2,000 characters, or top_k out of range (invalid_request)'),
          '403': errorResponse('Denied by policy (policy_denied), or the agent is suspended'),
          '404': errorResponse('Unknown knowledge base or agent'),
          '502': errorResponse('Retrieval failed (upstream_error)'),
        },
      },
    },
    '/v1/memory/{name}': {
      put: {
        summary: 'Write a value to the agent’s own memory (memory.write through the Gate; encrypted at rest)',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' } }],
        requestBody: { required: true, content: json({ type: 'object', required: ['value'], additionalProperties: false, properties: { value: { type: 'string', maxLength: 65536 }, sessionId: { type: 'string' }, agent: { type: 'string' } } }) },
        responses: { '200': { description: 'Stored' }, '400': errorResponse('Bad name or value'), '403': errorResponse('Denied by policy') },
      },
      get: {
        summary: 'Read a value from the agent’s own memory (memory.read through the Gate)',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: '{name, value}' }, '403': errorResponse('Denied by policy'), '404': errorResponse('No such memory (memory_not_found)') },
      },
    },
    '/v1/delegations': {
      post: {
        summary: 'Lend another agent some of the calling agent’s tools for one task (agent.delegate through the Gate); returns a signed, expiring token',
        description: 'The holder presents the token in the x-warden-delegation header (HTTP) or _meta["warden/delegation"] (MCP tools/call). A delegated call must be in the token and allowed by both agents’ policies.',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['to', 'tools'],
            properties: {
              to: { type: 'string' },
              tools: { type: 'array', items: { type: 'string' }, minItems: 1 },
              ttl_seconds: { type: 'integer', minimum: 1, maximum: 86400, default: 900 },
              task: { type: 'string' },
              agent: { type: 'string', description: 'The delegating agent (admin token only)' },
            },
          }),
        },
        responses: {
          '201': { description: '{token, id, from, to, tools, expiresAt, seq}' },
          '400': errorResponse('No tools, a ttl out of range, or a tool the delegator may never use'),
          '403': errorResponse('No policy permits this delegation'),
        },
      },
    },
    '/mcp': {
      post: {
        summary: 'MCP Streamable HTTP (stateless): tools/list filtered per agent, tools/call through the Gate',
        description: 'Authenticate with an agent API key or client certificate; the admin token may act for an agent named in the x-warden-agent header.',
        responses: { '200': { description: 'JSON-RPC response (JSON or an SSE stream)' }, '401': errorResponse('Missing or invalid credential') },
      },
    },
    '/v1/audit': {
      get: {
        summary: 'Page the audit ledger (admin)',
        parameters: [
          { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        ],
        responses: { '200': { description: 'Entries after `after`, and the cursor for the next page' } },
      },
    },
    '/v1/audit/verify': { get: { summary: 'Verify the hash chain and signed checkpoints (admin)', responses: { '200': { description: 'Verification result' } } } },
    '/v1/agents': { get: { summary: 'List agents with their state (admin)', responses: { '200': { description: 'Agents' } } } },
    '/v1/agents/{agent}/suspend': { post: { summary: 'Suspend an agent (admin)', responses: { '200': { description: 'Suspended' }, '404': errorResponse('Unknown agent') } } },
    '/v1/agents/{agent}/resume': { post: { summary: 'Resume an agent (admin)', responses: { '200': { description: 'Resumed' }, '404': errorResponse('Unknown agent') } } },
    '/v1/agents/{agent}/keys': {
      post: { summary: 'Create an API key for an agent (admin); the key is shown once', responses: { '201': { description: 'The new key' }, '404': errorResponse('Unknown agent') } },
    },
    '/v1/admin/kb/{kb}/ingest': {
      post: {
        summary: 'Ingest files or directories the server can read into a knowledge base (admin)',
        requestBody: { required: true, content: json({ type: 'object', required: ['paths'], properties: { paths: { type: 'array', items: { type: 'string' } } } }) },
        responses: { '200': { description: '{documents, chunks, unchanged, failed: [{file, error}]}' }, '404': errorResponse('Unknown knowledge base') },
      },
    },
    '/v1/admin/kb/{kb}/documents': {
      delete: {
        summary: 'Delete a document and destroy its key (admin)',
        parameters: [{ name: 'source', in: 'query', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: '{deleted: boolean}' } },
      },
    },
    '/v1/admin/keys': { get: { summary: 'Master key versions, root keys per version, data keys by kind, rotation progress (admin)', responses: { '200': { description: 'Key status' } } } },
    '/v1/admin/keys/rotate': {
      post: { summary: 'Activate a new master key version and re-wrap root keys in the background (admin)', responses: { '202': { description: 'Started' }, '400': errorResponse('A rotation is already running') } },
    },
    '/v1/admin/tenants/{tenant}/shred': {
      post: { summary: 'Destroy a tenant’s keys and delete its data: crypto-shredding (admin)', responses: { '200': { description: '{tenant, documents, memories}' } } },
    },
    '/v1/approvals': {
      get: {
        summary: 'List approval requests, newest first (admin token or approver key)',
        parameters: [
          { name: 'status', in: 'query', schema: { enum: ['pending', 'approved', 'denied', 'expired', 'cancelled', 'consumed'] } },
          { name: 'agent', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        ],
        responses: {
          '200': { description: '{approvals: [Approval]}', content: json({ type: 'object', properties: { approvals: { type: 'array', items: { $ref: '#/components/schemas/Approval' } } } }) },
          '401': errorResponse('Missing or invalid credential'),
          '403': errorResponse('An agent key (forbidden)'),
        },
      },
    },
    '/v1/approvals/{id}': {
      get: {
        summary: 'One approval request: the admin, approvers, and the agent that parked it (to poll)',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'The request', content: json({ $ref: '#/components/schemas/Approval' }) },
          '404': errorResponse('No such request, or another agent’s (approval_not_found)'),
        },
      },
    },
    '/v1/approvals/{id}/approve': voteRoute('Approve as the approver whose key is presented; approved when enough distinct approvers agree (approver key only)'),
    '/v1/approvals/{id}/deny': voteRoute('Deny as the approver whose key is presented; one deny denies (approver key only)'),
    '/v1/approvers/{approver}/keys': {
      post: {
        summary: 'Create an approver key (admin); the key is shown once',
        parameters: [{ name: 'approver', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '201': { description: '{approver, keyId, key}' }, '404': errorResponse('No such approver is configured (unknown_approver)') },
      },
    },
    '/v1/metrics': {
      get: {
        summary: 'Prometheus text (admin): decisions by verb and outcome, executions, upstream errors, admission rejections, guard findings, decision and execution latency histograms, approvals pending, breaker state',
        responses: { '200': { description: 'text/plain; version=0.0.4' }, '401': errorResponse('Missing or invalid credential'), '403': errorResponse('Not the admin token') },
      },
    },
    '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'Alive' } } } },
    '/readyz': { get: { summary: 'Readiness: database reachable and policies loaded', security: [], responses: { '200': { description: 'Ready' }, '503': errorResponse('Not ready') } } },
    '/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } },
  },
} as const;
