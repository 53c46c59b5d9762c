/**
 * Benchmark entry point: `npm run bench -- <name> [--json] [--quick] [--chunks N]`.
 * Each benchmark is a module exporting `run(opts)`; progress goes to stderr, results to stdout, and
 * with `--json` the last stdout line is one JSON object. `--quick` and `--chunks N` size a smoke run
 * (benchmarks that have no size ignore them).
 */
export interface BenchOptions {
  json: boolean;
  /** A small, fast run (a smoke test, not a measurement). */
  quick?: boolean;
  /** Corpus size for benchmarks that have one (retrieve: chunks). */
  chunks?: number;
}

export interface BenchModule {
  run(opts: BenchOptions): Promise<void>;
}

const BENCHES: Record<string, () => Promise<BenchModule>> = {
  decide: () => import('./decide.js'),
  ledger: () => import('./ledger.js'),
  gateway: () => import('./gateway.js'),
  guard: () => import('./guard.js'),
  retrieve: () => import('./retrieve.js'),
  agentdojo: () => import('./agentdojo.js'),
  injecagent: () => import('./injecagent.js'),
  anomaly: () => import('./anomaly.js'),
};

const USAGE = '[--json] [--quick] [--chunks N]';

async function main(argv: string[]): Promise<number> {
  const names = Object.keys(BENCHES).join(', ');
  const args = [...argv];
  // `--chunks N` and `--chunks=N`: take the value out before sorting flags from positionals.
  let chunks: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = a === '--chunks' ? args[i + 1] : a.startsWith('--chunks=') ? a.slice('--chunks='.length) : undefined;
    if (value === undefined && a !== '--chunks') continue;
    chunks = Number(value);
    if (!Number.isInteger(chunks) || chunks < 100) {
      process.stderr.write(`bench: --chunks needs a whole number of at least 100, got "${value ?? ''}"\n`);
      return 2;
    }
    args.splice(i, a === '--chunks' ? 2 : 1);
    i--;
  }
  const flags = args.filter((a) => a.startsWith('-'));
  const positional = args.filter((a) => !a.startsWith('-'));
  const unknownFlag = flags.find((f) => f !== '--json' && f !== '--quick');
  if (unknownFlag !== undefined) {
    process.stderr.write(`bench: unknown option "${unknownFlag}"; usage: npm run bench -- <${names}> ${USAGE}\n`);
    return 2;
  }
  const name = positional[0];
  const load = name !== undefined && positional.length === 1 && Object.hasOwn(BENCHES, name) ? BENCHES[name] : undefined;
  if (load === undefined) {
    const what = name === undefined ? 'no benchmark given' : `unknown benchmark "${positional.join(' ')}"`;
    process.stderr.write(`bench: ${what}; available: ${names} (usage: npm run bench -- <name> ${USAGE})\n`);
    return 2;
  }
  const bench = await load();
  await bench.run({ json: flags.includes('--json'), quick: flags.includes('--quick'), ...(chunks !== undefined ? { chunks } : {}) });
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
