/**
 * `npm run demo`: the quickstart's attack story in under a minute, on a fresh temporary data
 * directory, through the real Gate, the real MCP servers and the real ledger:
 *   1. finance-bot reads the shared inbox; one e-mail tells it to wire money (the guard hides it);
 *   2. a worst-case agent pays the IBAN anyway: provenance parks the transfer for a human;
 *   3. the approver refuses; the user's own transfer (to an IBAN the user typed) goes through;
 *   4. a fourth transfer in the hour is refused by the org boundary;
 *   5. the ledger verifies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openApp, type App } from '../src/app.js';
import { verifyLedger } from '../src/audit/verify.js';
import type { GateInvocation } from '../src/core/gate.js';

const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (n: number, text: string) => say(`\n${n}. ${text}`);

function outcome(r: GateInvocation): string {
  if (r.decision === 'approval_required') return `parked for approval ${r.approvalId} (${r.policies.join(', ')})`;
  if (r.decision !== 'allow') return `${r.decision} (${r.policies.join(', ') || r.reason})`;
  return `allowed (${r.policies.join(', ')}), executed: ${r.execution?.outcome}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'warden-demo-'));
  const app: App = await openApp({ config: path.resolve('examples/quickstart'), dataDir, logger: pino({ level: 'silent' }) });
  let requests = 0;
  const call = (tool: string, args: Record<string, unknown>) =>
    app.gate.invoke({ requestId: `demo-${++requests}`, agentId: 'finance-bot', verb: 'tool.invoke', resource: tool, context: { args }, credential: { kind: 'api_key' }, sessionId: 'demo' });
  try {
    say(`Warden demo: the quickstart (${app.policy.current.policies.length} policies), data in ${dataDir}`);

    step(1, 'finance-bot reads the shared inbox');
    const inbox = await call('mail.read_inbox', { limit: 2 });
    const messages = (inbox.execution?.result?.structuredContent as { messages?: { from: string; body: string }[] } | undefined)?.messages ?? [];
    for (const m of messages) say(`   ${m.from}: ${m.body.slice(0, 110)}`);

    step(2, 'a worst-case agent pays the attacker’s IBAN (DE44500105175407324931) anyway');
    const attack = await call('bank.send_money', { amount: 500, to: 'DE44500105175407324931', currency: 'EUR' });
    say(`   ${outcome(attack)}`);

    step(3, 'the approver (alice) refuses it; the user’s own transfer goes through');
    if (attack.approvalId) {
      const refused = await app.approvals.vote(attack.approvalId, 'alice', 'deny', 'not a supplier of ours');
      say(`   approval ${refused.id}: ${refused.status} by alice`);
    }
    say(`   the same call again: ${outcome(await call('bank.send_money', { amount: 500, to: 'DE44500105175407324931', currency: 'EUR' }))}`);
    say(`   to the IBAN the user typed: ${outcome(await call('bank.send_money', { amount: 120, to: 'DE89370400440532013000', currency: 'EUR' }))}`);

    step(4, 'two more small transfers, then a fourth in the same hour');
    for (let i = 0; i < 3; i++) say(`   transfer ${i + 2}: ${outcome(await call('bank.send_money', { amount: 40 + i, to: 'DE89370400440532013000', currency: 'EUR' }))}`);

    step(5, 'the ledger');
    await app.ledger.flush();
    const verified = await verifyLedger(app.db, [app.signer.publicKey]);
    say(`   ${verified.ok ? `verifies: ${verified.entries} entries, every decision and execution above` : `DOES NOT VERIFY: ${verified.problem}`}`);
    say(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (!verified.ok) process.exitCode = 1;
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
