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
import { workerUrl } from '../worker_url.js';
import { EXCEL_MAX_ROWS } from './cells.js';
import type { KnownResults, ReportContext, SheetSpec } from './sheets.js';
import type { FromPackager, ToPackager } from './xlsx_package.js';
import { type PartPlan, planParts, type RenderedPart, renderSheet, SharedCells, sheetParts, Styles } from './xlsx_render.js';
import type { FromRenderer, RenderJob, ToRenderer } from './xlsx_render_worker.js';

export { cellText, columnLetters, DATE_FORMAT, SEVERITY_COLOURS, xmlText } from './xlsx_render.js';

export interface XlsxOptions {
  /** Rows per sheet, header included; a sheet with more continues on "<name> (2)". */
  rowLimit?: number;
  /** Stamped into the document properties. */
  now?: Date;
  /** Called as each sheet (or continuation) is rendered, e.g. for a progress line. */
  onSheet?: (part: XlsxPart, ms: number) => void;
  /** Called once every sheet is rendered (render workers' connections closed), while the last are packaged. */
  onRendered?: () => void;
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
  /**
   * Runs the rules while the workers render the sheets that do not read their results (the
   * specs' beforeRules), and then has every reader (the workers' second read transactions
   * included: RenderWorkers.repin) see the commit that holds those results.
   */
  audit?: () => Promise<void>;
}

function failure(m: { message: string; code?: string }): Error {
  return Object.assign(new Error(m.message), m.code === undefined ? {} : { code: m.code });
}

/** The packager worker seen from here: it writes the file itself. */
class PackagerClient {
  readonly #worker = new Worker(workerUrl(import.meta.url, 'xlsx_package'));
  #failure: Error | undefined;
  #waiters: Array<{ op: FromPackager['op']; resolve: (m: FromPackager) => void; reject: (e: Error) => void }> = [];
  #queued = 0;
  #roomWaiters: Array<() => void> = [];

  constructor() {
    this.#worker.on('message', (m: FromPackager) => (m.op === 'failed' ? this.fail(failure(m)) : this.#settle(m)));
    this.#worker.on('error', (e) => this.fail(e));
    this.#worker.on('exit', (code) => this.fail(new Error(`the workbook packager stopped (exit code ${code})`)));
  }

  /** Opens the workbook; the style ids come back. */
  async open(m: Omit<Extract<ToPackager, { op: 'open' }>, 'op'>): Promise<number[]> {
    // Sent first: if that throws, no rejected wait is left behind. Answers come later anyway.
    this.#send({ op: 'open', ...m });
    const r = await this.#next('opened');
    return r.op === 'opened' ? r.styleIds : [];
  }

  /** Queues a rendered part; the packager deletes its file once it is in the workbook. */
  pack(part: PartPlan, file: string): void {
    this.#send({ op: 'pack', part, file });
    this.#queued += 1;
  }

  /** Resolves once at most `n` parts wait to be packaged (their files are the disk this needs). */
  async room(n: number): Promise<void> {
    while (this.#queued > n) await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Resolves once every queued part is in and the file is written and closed. */
  async commit(order: string[], shared: Extract<ToPackager, { op: 'commit' }>['shared']): Promise<void> {
    this.#send({ op: 'commit', order, shared });
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

type RenderMessage = Extract<ToRenderer, { op: 'render' }>;

/** The parts of the `index`-th sheet, in order. */
function partsOf(parts: ReadonlyArray<PartPlan>, index: number): PartPlan[] {
  return parts.filter((p) => p.key.startsWith(`${index}.`));
}

/**
 * The work on some sheets (`index` into the report's list), costliest first (rows times columns):
 * each sheet from its first part, or each part on its own for a sheet of several parts that can
 * start in the middle (rowsFrom), so both workers share the longest sheet.
 */
function queue(sheets: ReadonlyArray<SheetSpec>, parts: ReadonlyArray<PartPlan>, indexes: readonly number[], after: boolean): RenderMessage[] {
  const cost = (p: PartPlan): number => (p.rows + 1) * p.headers.length;
  return indexes
    .flatMap((index) => {
      const own = partsOf(parts, index);
      if (own.length > 1 && sheets[index]!.rowsFrom !== undefined) return own.map((p, k) => ({ op: 'render' as const, index, firstPart: k, only: true, after, cost: cost(p) }));
      return [{ op: 'render' as const, index, firstPart: 0, only: false, after, cost: own.reduce((n, p) => n + cost(p), 0) }];
    })
    .sort((a, b) => b.cost - a.cost)
    .map(({ cost: _, ...m }) => m);
}

type SharedSlots = Array<{ first: number; step: number; strings: string[] }>;

/**
 * Render workers, started before the report reads anything: each opens its read transaction at
 * once, so the caller can hold writers off (holdWriters) for just that long. Once started, they
 * take the sheets {@link add}ed, the costliest first, each whichever worker is free, until
 * {@link finish}.
 */
export class RenderWorkers {
  readonly #workers: Worker[] = [];
  /** Resolves once every worker has opened its read transaction. */
  readonly pinned: Promise<void>;
  #failure: Error | undefined;
  #onFailure: Array<(e: Error) => void> = [];
  #handlers: Array<((m: FromRenderer) => void) | undefined> = [];
  #finished = new Set<number>();
  #todo: RenderMessage[] = [];
  /** Workers waiting for a sheet, and whether more may come. */
  #idle: Worker[] = [];
  #closed = false;
  #room: () => Promise<void> = async () => undefined;
  #repinned: (() => void) | undefined;
  #done: ((shared: SharedSlots) => void) | undefined;

  constructor(dbPath: string, count: number) {
    let pinned = 0;
    this.pinned = new Promise<void>((resolve, reject) => {
      this.#onFailure.push(reject);
      for (let k = 0; k < count; k++) {
        const worker = new Worker(workerUrl(import.meta.url, 'xlsx_render_worker'), { workerData: { dbPath } });
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
    this.pinned.catch(() => undefined); // also reported by finish() or by the caller's await
  }

  /** Gives the workers the report; `room` resolves when the packager can take another part. */
  start(report: ReportContext, styleIds: number[], filePrefix: string, onPart: (p: RenderedPart) => void, room: () => Promise<void>): void {
    const { db: _db, now, ...context } = report;
    this.#room = room;
    const shared: SharedSlots = [];
    let repinned = 0;
    const count = this.#workers.length;
    this.#workers.forEach((worker, k) => {
      this.#handlers[k] = (m) => {
        if (m.op === 'ready') {
          this.#idle.push(worker);
          this.#dispatch();
        } else if (m.op === 'part') {
          try {
            onPart(m);
          } catch (e) {
            this.#fail(e as Error); // the packager failed: stop rendering
          }
        } else if (m.op === 'repinned') {
          if (++repinned === count) this.#repinned?.();
        } else if (m.op === 'done') {
          this.#finished.add(k);
          shared.push(m.shared);
          if (shared.length === count) this.#done?.(shared);
        }
      };
      const job: RenderJob = { context: { ...context, now: now.getTime() }, styleIds, slot: { first: k, step: count }, filePrefix };
      worker.postMessage({ op: 'job', job } satisfies ToRenderer);
    });
  }

  /** Queues sheets: `after` ones are read in the transactions {@link repin} opened. */
  add(sheets: ReadonlyArray<SheetSpec>, parts: ReadonlyArray<PartPlan>, indexes: readonly number[], after: boolean): void {
    this.#todo.push(...queue(sheets, parts, indexes, after));
    this.#dispatch();
  }

  /**
   * Each worker opens a second read transaction, beside the one it renders the earlier sheets
   * from, and takes what the caller read in that commit; resolves once all have (the caller
   * holds writers off meanwhile).
   */
  repin(known: KnownResults): Promise<void> {
    return this.#whenOk(new Promise<void>((resolve) => {
      this.#repinned = resolve;
      for (const w of this.#workers) w.postMessage({ op: 'repin', known } satisfies ToRenderer);
    }));
  }

  /** No more sheets: resolves with each worker's shared strings once all are rendered. */
  finish(): Promise<SharedSlots> {
    this.#closed = true;
    const done = new Promise<SharedSlots>((resolve) => (this.#done = resolve));
    this.#dispatch();
    return this.#whenOk(done);
  }

  /** Stops the rendering: workers are terminated and whoever waits is told why. */
  stop(e: Error): void {
    this.#fail(e);
  }

  async close(): Promise<void> {
    for (let k = 0; k < this.#workers.length; k++) this.#finished.add(k);
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  /** A new sheet to each idle worker, but only while the packager keeps up: waiting parts take disk. */
  #dispatch(): void {
    while (this.#idle.length > 0 && (this.#todo.length > 0 || this.#closed)) {
      const worker = this.#idle.shift()!;
      const next: ToRenderer = this.#todo.shift() ?? { op: 'finish' };
      void this.#room().then(() => {
        if (this.#failure === undefined) worker.postMessage(next);
      });
    }
  }

  #whenOk<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#failure !== undefined) return reject(this.#failure);
      this.#onFailure.push(reject);
      p.then(resolve, reject);
    });
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
  const filePrefix = `${path}.`;
  const file = (key: string): string => `${filePrefix}${key}.xml`;
  // Every part planned so far, and those rendered, by key.
  const planned = new Map<string, PartPlan>();
  const rendered = new Map<string, RenderedPart>();
  const packager = new PackagerClient();
  const packed = (p: RenderedPart): void => {
    const part = planned.get(p.key)!;
    rendered.set(p.key, p);
    options.onSheet?.({ sheet: part.sheet, name: part.name, rows: p.rows }, p.ms);
    packager.pack(part, p.file);
  };
  const plan = (parts: readonly PartPlan[]): void => {
    for (const p of parts) {
      const known = planned.get(p.key);
      // Counted twice when the rules ran in between: the snapshot's rows cannot have changed.
      if (known !== undefined && known.rows !== p.rows) throw new Error(`sheet "${p.name}" counted ${known.rows} rows, then ${p.rows}`);
      planned.set(p.key, p);
    }
  };
  try {
    const styles = new Styles();
    const styleIds = await packager.open({ path, now: (options.now ?? new Date()).getTime(), styles: styles.models(), headerStyle: styles.header });
    styles.ids(styleIds);
    let shared: SharedSlots;
    let all: PartPlan[];
    if (source !== undefined) {
      const { workers } = source;
      packager.onFailure = (e) => workers.stop(e);
      workers.start(source.context, styleIds, filePrefix, packed, () => packager.room(MAX_WAITING_PARTS));
      const indexes = sheets.map((_, i) => i);
      const early = source.audit === undefined ? [] : indexes.filter((i) => sheets[i]!.beforeRules === true);
      const earlyParts = early.flatMap((i) => sheetParts(sheets[i]!, i, rowLimit));
      plan(earlyParts);
      workers.add(sheets, earlyParts, early, false);
      await source.audit?.();
      all = planParts(sheets, rowLimit);
      plan(all);
      workers.add(sheets, all, indexes.filter((i) => !early.includes(i)), source.audit !== undefined);
      shared = await workers.finish();
    } else {
      all = planParts(sheets, rowLimit);
      plan(all);
      const cells = new SharedCells();
      for (const [index, spec] of sheets.entries()) {
        await renderSheet(spec, partsOf(all, index), 0, { styles, shared: cells, file }, async (p) => packed(p));
      }
      shared = [{ first: 0, step: 1, strings: cells.strings }];
    }
    options.onRendered?.();
    if (all.length !== rendered.size || all.some((p) => rendered.get(p.key)?.rows !== p.rows)) throw new Error('the worksheets rendered are not those of the plan');
    await packager.commit(all.map((p) => p.key), shared);
    // The workbook lists its sheets in plan order, whichever order they were rendered in.
    return all.map((p) => ({ sheet: p.sheet, name: p.name, rows: p.rows }));
  } catch (e) {
    packager.fail(e as Error);
    await source?.workers.close(); // before the part files go: none is still being written
    await Promise.all([...planned.keys()].map((key) => unlink(file(key)).catch(() => undefined)));
    throw e;
  } finally {
    await packager.close();
  }
}
