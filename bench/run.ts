/**
 * Benchmark entry point: `npm run bench -- <name> [--json]`.
 * Each benchmark is a module exporting `run(opts)`; progress goes to stderr, results to stdout, and
 * with `--json` the last stdout line is one JSON object.
 */
export interface BenchOptions {
  json: boolean;
}

export interface BenchModule {
  run(opts: BenchOptions): Promise<void>;
}

const BENCHES: Record<string, () => Promise<BenchModule>> = {
  decide: () => import('./decide.js'),
  ledger: () => import('./ledger.js'),
  gateway: () => import('./gateway.js'),
  guard: () => import('./guard.js'),
};

async function main(argv: string[]): Promise<number> {
  const names = Object.keys(BENCHES).join(', ');
  const flags = argv.filter((a) => a.startsWith('-'));
  const positional = argv.filter((a) => !a.startsWith('-'));
  const unknownFlag = flags.find((f) => f !== '--json');
  if (unknownFlag !== undefined) {
    process.stderr.write(`bench: unknown option "${unknownFlag}"; usage: npm run bench -- <${names}> [--json]\n`);
    return 2;
  }
  const name = positional[0];
  const load = name !== undefined && positional.length === 1 && Object.hasOwn(BENCHES, name) ? BENCHES[name] : undefined;
  if (load === undefined) {
    const what = name === undefined ? 'no benchmark given' : `unknown benchmark "${positional.join(' ')}"`;
    process.stderr.write(`bench: ${what}; available: ${names} (usage: npm run bench -- <name> [--json])\n`);
    return 2;
  }
  const bench = await load();
  await bench.run({ json: flags.includes('--json') });
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
