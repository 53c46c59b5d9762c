import { SingleBar, Presets } from 'cli-progress';

/** Progress of long work on stderr: a bar on a terminal, a line per step otherwise (logs, CI). */
export interface Progress {
  update(done: number, total: number, label: string): void;
  stop(): void;
}

export function progress(title: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    return {
      update: (done, total, label) => stream.write(`${title}: ${done}/${total} ${label}\n`),
      stop: () => {},
    };
  }
  const bar = new SingleBar({ format: `${title} [{bar}] {value}/{total} {label}`, stream, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total, label) {
      if (!started) {
        bar.start(total, 0, { label: '' });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { label });
    },
    stop: () => started && bar.stop(),
  };
}
