import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run demo', () => {
  it('tells the quickstart story end to end: the attack parked and refused, the user’s transfer done, the ledger verified', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { timeout: 60_000 });
    expect(stdout).toMatch(/cfo\.office@acme-payments\.example: \[withheld by Warden: suspected prompt injection/);
    expect(stdout).toMatch(/2\. .*\n {3}parked for approval apr_\S+ \(untrusted-recipient-needs-approval\)/);
    expect(stdout).toMatch(/: denied by alice/);
    expect(stdout).toMatch(/to the IBAN the user typed: allowed \(payments-send-money\), executed: success/);
    expect(stdout).toMatch(/transfer 4: deny \(at-most-three-transfers-an-hour\)/);
    expect(stdout).toMatch(/verifies: \d+ entries/);
  }, 90_000);
});
