import { Command, CommanderError } from 'commander';
import { WardenError } from '../core/errors.js';
import * as cmd from './commands.js';
import { serve } from './serve.js';
import { mcpStdio } from './mcp.js';
import { scan } from './scan.js';
import * as kb from './knowledge.js';
import * as keys from './keys.js';
import * as approvals from './approvals.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

function program(setExit: (code: number) => void): Command {
  const run =
    <A extends unknown[]>(fn: (...args: A) => number | Promise<number>) =>
    async (...args: A) =>
      setExit(await fn(...args));
  const p = new Command('warden').description('Policy gateway for autonomous AI agents').exitOverride().showHelpAfterError(false);
  const common = (c: Command) => c.option('-c, --config <path>', 'warden.yaml or its directory').option('-d, --data-dir <dir>', 'data directory (default $WARDEN_DATA_DIR or ./.warden)');

  common(p.command('serve').description('run the gateway'))
    .option('--host <host>', 'address to listen on')
    .option('-p, --port <port>', 'port to listen on')
    .action(run((o) => serve(o, out)));
  common(p.command('mcp').description('serve MCP on stdio for one agent (every tools/call goes through the Gate)'))
    .requiredOption('--agent <id>', 'the agent this server acts for')
    .action(run((o) => mcpStdio(o)));
  common(p.command('check').description('validate the configuration and policies'))
    .option('--json', 'machine-readable output')
    .action(run((o) => cmd.check(o, out)));
  common(p.command('policy').description('policy tools').command('test').description('run the policy test cases in tests/*.yaml'))
    .option('--json', 'machine-readable output')
    .action(run((o) => cmd.policyTest(o, out)));
  common(p.command('authorize').description('decide one action and record it (exit 0 allow, 3 deny, 4 approval_required, 5 error)'))
    .requiredOption('--agent <id>', 'agent id')
    .requiredOption('--action <verb>', 'action verb, e.g. tool.invoke')
    .requiredOption('--resource <id>', 'resource id, e.g. bank.send_money')
    .option('--context <json>', 'policy context as JSON, e.g. \'{"args":{"amount":50}}\'')
    .option('--json', 'machine-readable output')
    .action(run((o) => cmd.authorize(o, out)));

  p.command('scan [files...]')
    .description('scan text for prompt injection and PII: one JSON object per input (exit 3 when an injection is flagged)')
    .option('-c, --config <path>', 'take thresholds and PII settings from this warden.yaml')
    .option('--jsonl', 'inputs are JSON lines with a "text" field')
    .option('--surface <surface>', 'direct (user prompts) or indirect (documents, tool outputs): picks the thresholds', 'direct')
    .action(run((files: string[], o) => scan(files, o, out)));

  const audit = p.command('audit').description('the audit ledger');
  common(audit.command('verify').description('verify the hash chain and signed checkpoints'))
    .option('--json', 'machine-readable output')
    .action(run((o) => cmd.auditVerify(o, out)));
  common(audit.command('tail').description('show the newest entries'))
    .option('-n, --lines <n>', 'how many', '20')
    .option('--json', 'one JSON object per line')
    .action(run((o) => cmd.auditTail(o, out)));

  const agents = p.command('agents').description('agent identities');
  common(agents.command('list').description('agents and their state'))
    .option('--json', 'machine-readable output')
    .action(run((o) => cmd.agentsList(o, out)));
  common(agents.command('suspend <agent>').description('deny every request of an agent until resumed')).action(
    run((agent: string, o) => cmd.agentsSuspend(agent, true, o, out)),
  );
  common(agents.command('resume <agent>').description('lift a suspension')).action(run((agent: string, o) => cmd.agentsSuspend(agent, false, o, out)));
  common(agents.command('key').description('API keys').command('create <agent>').description('create an API key (printed once)'))
    .option('--json', 'machine-readable output')
    .action(run((agent: string, o) => cmd.agentsKeyCreate(agent, o, out)));
  const kbs = p.command('kb').description('knowledge bases');
  common(kbs.command('ingest <kb> <paths...>').description('chunk, embed, encrypt and store documents (markdown, text, HTML, JSON, PDF)'))
    .option('--json', 'machine-readable output')
    .action(run((id: string, paths: string[], o) => kb.kbIngest(id, paths, o, out)));
  common(kbs.command('search <kb> <query>').description('retrieve as an agent would, through the Gate and row-level security (exit 3 when refused)'))
    .requiredOption('--agent <id>', 'the agent to search as')
    .option('-k, --top-k <n>', 'how many chunks (1-50)')
    .option('--json', 'machine-readable output')
    .action(run((id: string, query: string, o) => kb.kbSearch(id, query, o, out)));
  common(kbs.command('delete <kb> <source>').description('delete a document and destroy its key (crypto-shredding)')).action(
    run((id: string, source: string, o) => kb.kbDelete(id, source, o, out)),
  );
  const keyCmd = p.command('keys').description('envelope encryption keys');
  common(keyCmd.command('status').description('master key versions and the data keys they protect'))
    .option('--json', 'machine-readable output')
    .action(run((o) => keys.keysStatus(o, out)));
  common(keyCmd.command('rotate').description('activate a new master key version and re-wrap existing keys onto it'))
    .option('--json', 'machine-readable output')
    .action(run((o) => keys.keysRotate(o, out)));
  common(keyCmd.command('shred').description("destroy a tenant's keys (crypto-shredding): its data can never be read again"))
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--yes', 'confirm')
    .action(run((o) => keys.keysShred(o, out)));
  const apr = p.command('approvals').description('human approval of parked actions');
  common(apr.command('list').description('approval requests, newest first (pending unless --status says otherwise)'))
    .option('--status <status>', 'all, pending, approved, denied, expired, cancelled or consumed', 'pending')
    .option('--agent <id>', "only this agent's requests")
    .option('--json', 'machine-readable output')
    .action(run((o) => approvals.approvalsList(o, out)));
  for (const vote of ['approve', 'deny'] as const) {
    common(apr.command(`${vote} <id>`).description(`${vote} a parked action as an approver (key from --approver-key or $${approvals.APPROVER_KEY_ENV})`))
      .option('--approver-key <key>', `the approver key (wdn_apr_…); default $${approvals.APPROVER_KEY_ENV}`)
      .option('--comment <text>', 'why, recorded with the vote')
      .option('--json', 'machine-readable output')
      .action(run((id: string, o) => approvals.approvalsVote(id, vote, o, out)));
  }
  common(p.command('approvers').description('the humans who approve').command('key').description('approver keys').command('create <approver>').description('create an approver key (printed once)'))
    .option('--json', 'machine-readable output')
    .action(run((approver: string, o) => approvals.approverKeyCreate(approver, o, out)));
  return p;
}

/** Runs the CLI; returns the exit code. Errors are one line on stderr, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  try {
    await program((c) => (code = c)).parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof WardenError) {
      process.stderr.write(`warden: ${err.code}: ${err.message}\n`);
      return err.code === 'config_invalid' || err.code === 'policy_invalid' ? 2 : 1;
    }
    process.stderr.write(`warden: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
