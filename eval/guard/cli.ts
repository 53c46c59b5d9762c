/** Command-line options of `npm run eval:guard`. */
import { DEFAULT_DATA_DIR } from './data.js';

export interface EvalOptions {
  only?: 'injection' | 'pii';
  /** Rows per evaluation source (evenly spread), for quick runs. */
  limit?: number;
  json: boolean;
  dataDir: string;
}

export const USAGE = 'usage: npm run eval:guard -- [--only injection|pii] [--limit N] [--json] [--data DIR]';

export function parseArgs(argv: readonly string[]): EvalOptions | { error: string } {
  const opts: EvalOptions = { json: false, dataDir: DEFAULT_DATA_DIR };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--json') opts.json = true;
    else if (flag === '--only') {
      const v = value();
      if (v !== 'injection' && v !== 'pii') return { error: `--only takes injection or pii, not ${v ?? 'nothing'}` };
      opts.only = v;
    } else if (flag === '--limit') {
      const v = value();
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n <= 0) return { error: `--limit takes a positive integer, not ${v ?? 'nothing'}` };
      opts.limit = n;
    } else if (flag === '--data') {
      const v = value();
      if (v === undefined) return { error: '--data takes a directory' };
      opts.dataDir = v;
    } else return { error: `unknown argument "${arg}"` };
  }
  return opts;
}
