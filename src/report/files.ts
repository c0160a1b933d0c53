/**
 * Report files written all or nothing: each file goes to a hidden temporary file (0600) in the
 * output folder, and only once every file of the set is complete do they take their real names;
 * on failure the temporary files are removed and nothing else is left behind.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { join } from 'node:path';
import { AuditError } from '../errors.js';

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

interface PendingFile {
  final: string;
  temp: string;
}

export class OutputFiles {
  readonly #dir: string;
  readonly #pending: PendingFile[] = [];

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Creates the output folder (0700) if missing. */
  async makeFolder(): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: DIR_MODE });
  }

  /** Creates a new private temporary file for `final` and runs `write` on its path. */
  async write(final: string, write: (temp: string) => Promise<unknown>): Promise<void> {
    const dir = join(final, '..');
    const temp = join(dir, `.${final.slice(dir.length + 1)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
    const handle = await open(temp, 'wx', FILE_MODE);
    this.#pending.push({ final, temp });
    try {
      await handle.chmod(FILE_MODE); // whatever the umask
    } finally {
      await handle.close();
    }
    await write(temp);
    const sync = await open(temp, 'r+');
    try {
      await sync.sync();
    } finally {
      await sync.close();
    }
  }

  /** As {@link write}, through a stream that `write` fills and this closes. */
  async stream(final: string, write: (out: Writable) => Promise<unknown>): Promise<void> {
    await this.write(final, async (temp) => {
      const out = createWriteStream(temp, { flags: 'r+' });
      try {
        await write(out);
        if (!out.closed) await once(out, 'close');
      } catch (e) {
        out.destroy();
        throw e;
      }
    });
  }

  /** Every file is complete: they take their real names. Returns them. */
  async commit(): Promise<string[]> {
    for (const f of this.#pending) await rename(f.temp, f.final);
    return this.#pending.map((f) => f.final);
  }

  /** Removes the temporary files; returns the error to throw, in words when a person can fix it. */
  async abort(e: unknown): Promise<unknown> {
    await Promise.all(this.#pending.map((f) => unlink(f.temp).catch(() => undefined)));
    return outputError(e, this.#dir);
  }
}

function outputError(e: unknown, outDir: string): unknown {
  if (e instanceof AuditError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return new AuditError('ERR_REPORT', `Disk full while writing the report in ${outDir}; free space or choose another output folder.`, { cause: e });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new AuditError('ERR_REPORT', `Cannot write the report in ${outDir} (${code}); choose an output folder you can write to.`, { cause: e });
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') return new AuditError('ERR_REPORT', `${outDir} is not a folder; choose another output folder.`, { cause: e });
  return e;
}
