/**
 * The rules run by a thread of their own (run_worker.ts), seen from the report: started, they
 * hold other writers off and read the last commit; then their results, committed; then whether
 * another connection committed since they began, asked once the report holds writers off again.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { AuditError } from '../errors.js';
import { workerUrl } from '../worker_url.js';
import type { RuleRunResult } from './run.js';
import type { FromRules, ToRules } from './run_worker.js';

export class RulesThread {
  readonly #worker: Worker;
  readonly #locked: Promise<void>;
  /** The rules' results, once committed. */
  readonly results: Promise<RuleRunResult[]>;
  #checked: ((othersCommitted: boolean) => void) | undefined;
  #failure: Error | undefined;
  #fail: Array<(e: Error) => void> = [];

  private constructor(path: string, snapshotId: number) {
    this.#worker = new Worker(workerUrl(import.meta.url, 'run_worker'), { workerData: { path, snapshotId } });
    const waiting = <T>(): { promise: Promise<T>; resolve: (v: T) => void } => {
      let resolve!: (v: T) => void;
      const promise = new Promise<T>((ok, reject) => {
        resolve = ok;
        this.#fail.push(reject);
      });
      promise.catch(() => undefined); // reported by whoever awaits it
      return { promise, resolve };
    };
    const locked = waiting<void>();
    const results = waiting<RuleRunResult[]>();
    this.#locked = locked.promise;
    this.results = results.promise;
    this.#worker.on('message', (m: FromRules) => {
      if (m.op === 'locked') locked.resolve();
      else if (m.op === 'ran') results.resolve(m.results);
      else if (m.op === 'checked') this.#checked?.(m.othersCommitted);
      else this.#stop(m.auditCode === undefined ? Object.assign(new Error(m.message), m.code === undefined ? {} : { code: m.code }) : new AuditError(m.auditCode, m.message));
    });
    this.#worker.on('error', (e) => this.#stop(e));
    this.#worker.on('exit', (code) => this.#stop(new Error(`the rules thread stopped (exit code ${code})`)));
  }

  /** Starts the rules; resolves once they hold other writers off. */
  static async start(path: string, snapshotId: number): Promise<RulesThread> {
    const thread = new RulesThread(path, snapshotId);
    try {
      await thread.#locked;
    } catch (e) {
      await thread.close();
      throw e;
    }
    return thread;
  }

  /** After the results: whether another connection has committed since the rules began. */
  othersCommitted(): Promise<boolean> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<boolean>((resolve, reject) => {
      this.#fail.push(reject);
      this.#checked = resolve;
      this.#worker.postMessage({ op: 'check' } satisfies ToRules);
    });
  }

  async close(): Promise<void> {
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
  }

  #stop(e: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = e;
    for (const f of this.#fail.splice(0)) f(e);
  }
}
