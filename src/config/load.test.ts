import { describe, expect, it } from 'vitest';
import { WardenError } from '../core/errors.js';
import { loadConfig, parseConfig } from './load.js';

const minimal = `version: 1
org: { id: acme }
agents:
  - id: bot
`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'warden.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(WardenError);
    return (err as WardenError).message.split('\n');
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('fills defaults for a minimal configuration', () => {
    const c = parseConfig(minimal, 'warden.yaml');
    expect(c.server).toEqual({ host: '127.0.0.1', port: 8787, body_limit: 1_048_576 });
    expect(c.policies.dirs).toEqual(['policies']);
    expect(c.agents[0]?.roles).toEqual([]);
  });

  it('rejects an unknown key, naming the file and its line', () => {
    expect(problems(`${minimal}    colour: blue\n`)).toEqual(['warden.yaml:4: agents.0: unknown key "colour"']);
  });

  it('rejects a wrong type with the line of the value and what was expected', () => {
    const [line] = problems(`${minimal}tools:\n  - id: bank.send_money\n    risk: extreme\n`);
    expect(line).toMatch(/^warden\.yaml:7: tools\.0\.risk: .*"low"/);
  });

  it('fills the content guard defaults and rejects a threshold outside 0–1 or an unknown treatment at its line', () => {
    const c = parseConfig(minimal, 'warden.yaml');
    expect(c.guard).toMatchObject({ injection: { enabled: true }, pii: { enabled: true, min_score: 0.5 }, on_injection: 'neutralise' });
    expect(problems(`${minimal}guard:\n  injection:\n    thresholds: { direct: 1.5 }\n`)).toEqual([expect.stringMatching(/^warden\.yaml:7: guard\.injection\.thresholds\.direct: /)]);
    expect(problems(`${minimal}guard:\n  on_injection: shrug\n`)).toEqual([expect.stringMatching(/^warden\.yaml:6: guard\.on_injection: .*"withhold"/)]);
  });

  it('reports a missing required key at its parent', () => {
    expect(problems('version: 1\nagents:\n  - id: bot\n')).toEqual([expect.stringMatching(/^warden\.yaml:1: org: /)]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('version: 1\norg: { id: acme\nagents: []\n')[0]).toMatch(/^warden\.yaml:\d+: /);
  });

  it('rejects duplicate keys', () => {
    expect(problems(`${minimal}org: { id: other }\n`)[0]).toMatch(/^warden\.yaml:5: .*unique/i);
  });

  it('rejects references to roles, teams and units that do not exist', () => {
    const lines = problems(`version: 1
org: { id: acme }
teams: [{ id: support, org_unit: nowhere }]
agents:
  - id: bot
    roles: [admin]
    team: ghosts
`);
    expect(lines).toEqual([
      'warden.yaml:3: unknown org unit "nowhere"',
      'warden.yaml:6: unknown role "admin"',
      'warden.yaml:7: unknown team "ghosts"',
    ]);
  });

  it('rejects duplicate ids within a section', () => {
    expect(problems(`${minimal}  - id: bot\n`)).toEqual(['warden.yaml:5: duplicate id "bot"']);
  });

  it('loads the quickstart from its directory', () => {
    const loaded = loadConfig('examples/quickstart');
    expect(loaded.config.agents.map((a) => a.id)).toEqual(['support-bot', 'finance-bot', 'research-bot']);
    expect(loaded.file).toMatch(/examples\/quickstart\/warden\.yaml$/);
  });

  it('says plainly when the configuration file does not exist', () => {
    expect(() => loadConfig('/nonexistent/warden.yaml')).toThrow(/no such file or directory/);
  });
});
