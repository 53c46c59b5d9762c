import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { WardenError } from '../core/errors.js';
import { loadConfig } from '../config/load.js';
import { injectionThresholds, localPiiScanner, maskPii } from '../guard/index.js';
import { createInjectionScanner } from '../guard/injection/index.js';
import { scanText, WindowedScan, type TextScanners } from '../guard/text-scan.js';
import type { Surface } from '../guard/types.js';
import type { Out } from './commands.js';

export interface ScanOptions {
  config?: string;
  jsonl?: boolean;
  surface?: string;
}

/**
 * `warden scan [files...]`: one JSON object per input (each file, or stdin; each line with
 * `--jsonl`). Plain text is read in windows, so a huge input never has to fit in memory; invalid
 * UTF-8 becomes U+FFFD rather than an error. Exit 3 when an injection was flagged (like a deny), 0 otherwise.
 */
export async function scan(
  files: string[],
  opts: ScanOptions,
  out: Out,
  io: { stdin: Readable; write: (text: string) => void } = { stdin: process.stdin, write: (t) => process.stdout.write(t) },
): Promise<number> {
  const { stdin } = io;
  const surface = opts.surface ?? 'direct';
  if (surface !== 'direct' && surface !== 'indirect') throw new WardenError('invalid_request', `--surface must be direct or indirect, not "${surface}"`);
  const scanners = scannersFor(opts.config);
  const sources: Array<{ name?: string; open: () => Readable }> = files.length
    ? files.map((name) => ({ name, open: () => createReadStream(name) }))
    : [{ open: () => stdin }];
  let flagged = false;
  for (const source of sources) {
    const stream = source.open();
    const opened = new Promise<void>((resolve, reject) => {
      stream.once('error', (err: NodeJS.ErrnoException) =>
        reject(new WardenError('invalid_request', `cannot read ${source.name ?? 'stdin'}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`)),
      );
      stream.once('readable', resolve);
      stream.once('end', resolve);
    });
    await opened;
    const file: Record<string, string> = source.name ? { file: source.name } : {};
    if (opts.jsonl) flagged = (await scanJsonl(stream, scanners, surface, out, file)) || flagged;
    else flagged = (await scanStream(stream, scanners, surface, io.write, file)) || flagged;
  }
  return flagged ? 3 : 0;
}

/** The local scanners, with the thresholds and PII settings of a configuration when one is given. */
function scannersFor(config: string | undefined): TextScanners {
  const guard = config ? loadConfig(config).config.guard : undefined;
  return { injection: createInjectionScanner({ thresholds: injectionThresholds(guard?.injection.thresholds) }), pii: localPiiScanner(guard?.pii), mask: maskPii };
}

/**
 * A text that fits in one window prints as `{injection, pii, redacted}`; a longer one streams its
 * `redacted` text out window by window (the verdict comes last), so memory stays bounded.
 */
async function scanStream(stream: Readable, scanners: TextScanners, surface: Surface, write: (text: string) => void, extra: Record<string, string>): Promise<boolean> {
  const decoder = new StringDecoder('utf8');
  const scan = new WindowedScan(scanners, surface);
  let streaming = false;
  const emit = (piece: string) => {
    if (!piece) return;
    if (!streaming) write(`${JSON.stringify(extra).slice(0, -1)}${Object.keys(extra).length ? ',' : ''}"redacted":"`);
    streaming = true;
    write(JSON.stringify(piece).slice(1, -1));
  };
  for await (const chunk of stream) emit(scan.push(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer)));
  emit(scan.push(decoder.end()));
  const report = scan.finish();
  if (streaming) {
    write(`${JSON.stringify(report.redacted).slice(1, -1)}","injection":${JSON.stringify(report.injection)},"pii":${JSON.stringify(report.pii)}}\n`);
  } else {
    write(`${JSON.stringify({ ...extra, ...report })}\n`);
  }
  return report.injection.flagged;
}

async function scanJsonl(stream: Readable, scanners: TextScanners, surface: Surface, out: Out, extra: Record<string, string>): Promise<boolean> {
  let flagged = false;
  let line = 0;
  for await (const raw of createInterface({ input: stream, crlfDelay: Infinity })) {
    line++;
    if (!raw.trim()) continue;
    let text: unknown;
    try {
      text = (JSON.parse(raw) as { text?: unknown }).text;
    } catch {
      out(JSON.stringify({ ...extra, line, error: { code: 'invalid_json', message: 'the line is not valid JSON' } }));
      continue;
    }
    if (typeof text !== 'string') {
      out(JSON.stringify({ ...extra, line, error: { code: 'invalid_request', message: 'the line has no string "text" field' } }));
      continue;
    }
    const report = scanText(text, scanners, surface);
    flagged ||= report.injection.flagged;
    out(JSON.stringify({ ...extra, line, ...report }));
  }
  return flagged;
}
