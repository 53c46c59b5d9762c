import type { Logger } from 'pino';
import type { SqlClient } from '../backends/sql/sql-client.js';
import type { Action } from '../core/action.js';
import type { AnomalyContext, BehaviourMonitor, BehaviourOutcome } from '../core/ports.js';
import { AnomalyDetector, anomalyContext, recordAlert, type AnomalyAlert } from './anomaly.js';

const SAVE_EVERY_MS = 60_000;
const TICK_EVERY_MS = 5_000;

/**
 * The Gate's view of the anomaly detector: every action is counted (as a call, a denial or an
 * error, with the bytes it returned), the agent's state goes into `context.anomaly`, alerts go to
 * the log and the `anomaly_alerts` table, and the baselines are saved so a restart keeps them.
 */
export class AnomalyMonitor implements BehaviourMonitor {
  private readonly detector: AnomalyDetector;
  private readonly timers: NodeJS.Timeout[] = [];
  private saving: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: SqlClient,
    private readonly logger: Logger,
  ) {
    this.detector = new AnomalyDetector({ onAlert: (alert) => this.alerted(alert) });
  }

  static async open(db: SqlClient, logger: Logger): Promise<AnomalyMonitor> {
    const monitor = new AnomalyMonitor(db, logger);
    await monitor.detector.load(db);
    monitor.timers.push(setInterval(() => monitor.detector.tick(), TICK_EVERY_MS).unref());
    monitor.timers.push(setInterval(() => void monitor.save(), SAVE_EVERY_MS).unref());
    return monitor;
  }

  context(agentId: string): AnomalyContext {
    return anomalyContext(this.detector.state(agentId));
  }

  observe(action: Action, outcome: BehaviourOutcome, bytes?: number): void {
    this.detector.observe({
      agentId: action.agentId,
      tool: action.verb === 'tool.invoke' ? action.resource : `${action.verb}:${action.resource}`,
      at: new Date(),
      kind: outcome,
      ...(bytes !== undefined ? { bytes } : {}),
    });
  }

  private alerted(alert: AnomalyAlert): void {
    const message = `anomaly ${alert.state}: ${alert.agentId} ${alert.series} (${alert.reason})`;
    if (alert.state === 'open') this.logger.warn({ kind: 'anomaly', alert }, message);
    else this.logger.info({ kind: 'anomaly', alert }, message);
    recordAlert(this.db, alert).catch((err: unknown) => this.logger.error({ err, alert: alert.id }, 'could not record an anomaly alert'));
  }

  /** Saves the baselines (changed agents only); errors are logged, the next save tries again. */
  save(): Promise<unknown> {
    this.saving = this.saving.then(() => this.detector.save(this.db)).catch((err: unknown) => this.logger.error({ err }, 'could not save the anomaly baselines'));
    return this.saving;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.save();
  }
}
