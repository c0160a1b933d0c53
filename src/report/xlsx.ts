/**
 * The workbook: rendered into part files (xlsx_render.ts), on this thread or by render workers
 * side by side, and packaged by exceljs's streaming WorkbookWriter in a worker of its own
 * (xlsx_package.ts) as each part is complete. Memory stays flat whatever the org size; the part
 * files being rendered or waiting to be packaged (a few sheets' XML: a worker gets a new sheet
 * only while at most one part waits) are the disk space it needs on top.
 * @module
 */
import { unlink } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { AuditError } from '../errors.js';
import { EXCEL_MAX_ROWS } from './cells.js';
import type { ReportContext, SheetSpec } from './sheets.js';
import type { FromPackager, ToPackager } from './xlsx_package.js';
import { type PartPlan, planParts, type RenderedPart, renderSheet, SharedCells, Styles } from './xlsx_render.js';
import type { FromRenderer, RenderJob, ToRenderer } from './xlsx_render_worker.js';

export { cellText, columnLetters, DATE_FORMAT, SEVERITY_COLOURS, xmlText } from './xlsx_render.js';

export interface XlsxOptions {
  /** Rows per sheet, header included; a sheet with more continues on "<name> (2)". */
  rowLimit?: number;
  /** Stamped into the document properties. */
  now?: Date;
  /** Called as each sheet (or continuation) is rendered, e.g. for a progress line. */
  onSheet?: (part: XlsxPart, ms: number) => void;
}

export interface XlsxPart {
  sheet: string;
  name: string;
  rows: number;
}

// Parts rendered but not yet packaged before a render worker is given another sheet.
const MAX_WAITING_PARTS = 1;

/** Render workers that have opened their read transactions, and the report's context. */
export interface RenderSource {
  workers: RenderWorkers;
  context: ReportContext;
}

/**
 * A worker module next to this one. Under jest the sources are TypeScript, which Node 20 cannot
 * start as a worker: the built file (npm test builds first) stands in for it.
 */
function workerUrl(name: string): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? here.replace(/\/src\/report\/xlsx\.ts$/, `/dist/report/${name}.js`) : here.replace(/xlsx\.js$/, `${name}.js`));
}

function failure(m: { message: string; code?: string }): Error {
  return Object.assign(new Error(m.message), m.code === undefined ? {} : { code: m.code });
}

/** The packager worker seen from here: it writes the file itself. */
class PackagerClient {
  readonly #worker = new Worker(workerUrl('xlsx_package'));
  #failure: Error | undefined;
  #waiters: Array<{ op: FromPackager['op']; resolve: (m: FromPackager) => void; reject: (e: Error) => void }> = [];
  #queued = 0;
  #roomWaiters: Array<() => void> = [];

  constructor() {
    this.#worker.on('message', (m: FromPackager) => (m.op === 'failed' ? this.fail(failure(m)) : this.#settle(m)));
    this.#worker.on('error', (e) => this.fail(e));
    this.#worker.on('exit', (code) => this.fail(new Error(`the workbook packager stopped (exit code ${code})`)));
  }

  /** Opens the workbook with every worksheet of the plan; the style ids come back. */
  async open(m: Omit<Extract<ToPackager, { op: 'open' }>, 'op'>): Promise<number[]> {
    // Sent first: if that throws, no rejected wait is left behind. Answers come later anyway.
    this.#send({ op: 'open', ...m });
    const r = await this.#next('opened');
    return r.op === 'opened' ? r.styleIds : [];
  }

  /** Queues a rendered part; the packager deletes its file once it is in the workbook. */
  pack(part: RenderedPart): void {
    this.#send({ op: 'pack', part: part.part, file: part.file });
    this.#queued += 1;
  }

  /** Resolves once at most `n` parts wait to be packaged (their files are the disk this needs). */
  async room(n: number): Promise<void> {
    while (this.#queued > n) await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Resolves once every queued part is in and the file is written and closed. */
  async commit(shared: Extract<ToPackager, { op: 'commit' }>['shared']): Promise<void> {
    this.#send({ op: 'commit', shared });
    await this.#next('committed');
  }

  /** Told when the packager fails, e.g. to stop rendering at once. */
  onFailure: ((e: Error) => void) | undefined;

  fail(e: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = e;
    for (const w of this.#waiters.splice(0)) w.reject(e);
    this.onFailure?.(e);
  }

  async close(): Promise<void> {
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
  }

  #send(m: ToPackager): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#worker.postMessage(m);
  }

  #next(op: FromPackager['op']): Promise<FromPackager> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#waiters.push({ op, resolve, reject }));
  }

  #settle(m: FromPackager): void {
    if (m.op === 'packed') {
      this.#queued -= 1;
      for (const wake of this.#roomWaiters.splice(0)) wake();
    }
    const i = this.#waiters.findIndex((w) => w.op === m.op);
    if (i >= 0) this.#waiters.splice(i, 1)[0]!.resolve(m);
  }
}

/**
 * The work, costliest first (rows times columns): each sheet with the plan index of its first
 * part, or each part on its own for a sheet of several parts that can start in the middle
 * (rowsFrom), so both workers share the longest sheet.
 */
function queue(sheets: ReadonlyArray<SheetSpec>, plan: readonly PartPlan[]): Array<Extract<ToRenderer, { op: 'render' }>> {
  const cost = (p: PartPlan): number => (p.rows + 1) * p.headers.length;
  return sheets
    .flatMap((s, index) => {
      const parts = plan.map((p, k) => ({ p, k })).filter(({ p }) => p.sheet === s.name);
      if (parts.length > 1 && s.rowsFrom !== undefined) return parts.map(({ p, k }) => ({ op: 'render' as const, index, firstPart: k, only: true, cost: cost(p) }));
      return [{ op: 'render' as const, index, firstPart: parts[0]!.k, only: false, cost: parts.reduce((n, { p }) => n + cost(p), 0) }];
    })
    .sort((a, b) => b.cost - a.cost)
    .map(({ cost: _, ...m }) => m);
}

type SharedSlots = Array<{ first: number; step: number; strings: string[] }>;

/**
 * Render workers, started before the report reads anything: each opens its read transaction at
 * once, so the caller can hold writers off (holdWriters) for just that long. {@link render} then
 * hands them the sheets, the costliest first, each to whichever worker is free.
 */
export class RenderWorkers {
  readonly #workers: Worker[] = [];
  /** Resolves once every worker has opened its read transaction. */
  readonly pinned: Promise<void>;
  #failure: Error | undefined;
  #onFailure: Array<(e: Error) => void> = [];
  #handlers: Array<((m: FromRenderer) => void) | undefined> = [];
  #finished = new Set<number>();

  constructor(dbPath: string, count: number) {
    let pinned = 0;
    this.pinned = new Promise<void>((resolve, reject) => {
      this.#onFailure.push(reject);
      for (let k = 0; k < count; k++) {
        const worker = new Worker(workerUrl('xlsx_render_worker'), { workerData: { dbPath } });
        this.#workers.push(worker);
        worker.on('message', (m: FromRenderer) => {
          if (this.#failure !== undefined) return;
          if (m.op === 'failed') this.#fail(failure(m));
          else if (m.op === 'pinned') {
            if (++pinned === count) resolve();
          } else this.#handlers[k]?.(m);
        });
        worker.on('error', (e) => this.#fail(e));
        worker.on('exit', (code) => {
          if (!this.#finished.has(k)) this.#fail(new Error(`a render worker stopped (exit code ${code})`));
        });
      }
    });
    this.pinned.catch(() => undefined); // also reported by render() or by the caller's await
  }

  /** Renders every sheet; resolves with each worker's shared strings once all are done. */
  render(report: ReportContext, sheets: ReadonlyArray<SheetSpec>, plan: PartPlan[], styleIds: number[], filePrefix: string,
    onPart: (p: RenderedPart) => void, room: () => Promise<void>): Promise<SharedSlots> {
    const { db: _db, now, ...context } = report;
    const todo = queue(sheets, plan);
    const count = this.#workers.length;
    return new Promise<SharedSlots>((resolve, reject) => {
      if (this.#failure !== undefined) return reject(this.#failure);
      this.#onFailure.push(reject);
      const done: SharedSlots = [];
      this.#workers.forEach((worker, k) => {
        this.#handlers[k] = (m) => {
          if (m.op === 'ready') {
            // A new sheet only while the packager keeps up: part files waiting for it take disk.
            void room().then(() => {
              if (this.#failure === undefined) worker.postMessage(todo.shift() ?? ({ op: 'finish' } satisfies ToRenderer));
            });
          } else if (m.op === 'part') {
            try {
              onPart(m);
            } catch (e) {
              this.#fail(e as Error); // the packager failed: stop rendering
            }
          } else if (m.op === 'done') {
            this.#finished.add(k);
            done.push(m.shared);
            if (done.length === count) resolve(done);
          }
        };
        const job: RenderJob = { context: { ...context, now: now.getTime() }, plan, styleIds, slot: { first: k, step: count }, filePrefix };
        worker.postMessage({ op: 'job', job } satisfies ToRenderer);
      });
    });
  }

  /** Stops the rendering: workers are terminated and whoever waits is told why. */
  stop(e: Error): void {
    this.#fail(e);
  }

  async close(): Promise<void> {
    for (let k = 0; k < this.#workers.length; k++) this.#finished.add(k);
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #fail(e: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = e;
    for (let k = 0; k < this.#workers.length; k++) this.#finished.add(k);
    for (const w of this.#workers) void w.terminate();
    for (const f of this.#onFailure.splice(0)) f(e);
  }
}

/**
 * Writes the sheets, in order, as one workbook into the file at `path` (created with mode 0600,
 * or truncated) and resolves once the file is closed. A sheet over the row limit continues on
 * "<name> (2)", "(3)", … each with the same header. With a `source`, render workers read the
 * sheets from the database instead of this thread: the same sheets, built by buildSheets().
 */
export async function writeXlsx(path: string, sheets: ReadonlyArray<SheetSpec>, options: XlsxOptions = {}, source?: RenderSource): Promise<XlsxPart[]> {
  const rowLimit = options.rowLimit ?? EXCEL_MAX_ROWS;
  if (!Number.isInteger(rowLimit) || rowLimit < 2 || rowLimit > EXCEL_MAX_ROWS) {
    throw new AuditError('ERR_REPORT', `Row limit ${rowLimit} is not between 2 and ${EXCEL_MAX_ROWS}; leave it at its default.`);
  }
  const plan = planParts(sheets, rowLimit);
  const filePrefix = `${path}.`;
  const parts: XlsxPart[] = [];
  const packager = new PackagerClient();
  const packed = (p: RenderedPart): void => {
    const part = plan[p.part]!;
    parts.push({ sheet: part.sheet, name: part.name, rows: p.rows });
    options.onSheet?.(parts[parts.length - 1]!, p.ms);
    packager.pack(p);
  };
  try {
    const styles = new Styles();
    const styleIds = await packager.open({ path, now: (options.now ?? new Date()).getTime(), styles: styles.models(), parts: plan, headerStyle: styles.header });
    styles.ids(styleIds);
    let shared: Array<{ first: number; step: number; strings: string[] }>;
    if (source !== undefined) {
      packager.onFailure = (e) => source.workers.stop(e);
      shared = await source.workers.render(source.context, sheets, plan, styleIds, filePrefix, packed, () => packager.room(MAX_WAITING_PARTS));
    } else {
      const cells = new SharedCells();
      let first = 0;
      for (const spec of sheets) {
        await renderSheet(spec, first, plan, { styles, shared: cells, file: (k) => `${filePrefix}${k}.xml` }, async (p) => packed(p));
        first += plan.filter((p) => p.sheet === spec.name).length;
      }
      shared = [{ first: 0, step: 1, strings: cells.strings }];
    }
    await packager.commit(shared);
    // The workbook lists its sheets in plan order, whichever order they were rendered in.
    return plan.map((p) => parts.find((x) => x.name === p.name)!);
  } catch (e) {
    packager.fail(e as Error);
    await source?.workers.close(); // before the part files go: none is still being written
    await Promise.all(plan.map((_, k) => unlink(`${filePrefix}${k}.xml`).catch(() => undefined)));
    throw e;
  } finally {
    await packager.close();
  }
}
