/**
 * `crawl --refresh`: a new snapshot built from a complete earlier one (the base) of the same org,
 * re-reading only what may have changed since the base started:
 * - users the System Log names as targets of factor, device, lifecycle or account events since
 *   then (a factor change is not documented to move the user's `lastUpdated`, so the log decides);
 * - users whose object differs from the base's (its `lastUpdated`, status, profile), and users
 *   new since: the full user listing, which also drops users deleted since (they are not listed);
 * - org resources, re-read whole (they are small); and the System Log window, whose part already
 *   in the base is copied.
 * Every other user's factors and enrollments are copied from the base (`users.carried_from`), so
 * the result has the rows a full crawl of the org would have at this moment.
 * @module
 */
import { AuditError } from '../errors.js';
import type { OktaReader } from '../okta/client.js';
import type { SnapshotWriter } from '../store/snapshot_writer.js';
import type { SnapshotRow } from '../store/types.js';
import { classify } from './classify.js';

/** The System Log keeps 90 days: a base older than that may hide changes the log no longer shows. */
export const REFRESH_MAX_AGE_DAYS = 90;
/** Read the log from a little before the base started: Okta may persist events late. */
export const REFRESH_OVERLAP_MS = 5 * 60_000;

/**
 * Event types whose targets are users to read again: factor and authenticator enrollment changes
 * (`user.mfa.factor.*`: activate, deactivate, reset_all, suspend, unsuspend, update), devices
 * (`device.*`, Identity Engine: a device's deactivation affects its users' Okta Verify), and user
 * lifecycle and account changes. Sign-in events (`user.authentication.*`) change nothing.
 */
export const CHANGE_EVENT_PREFIXES = ['user.mfa.factor.', 'device.', 'user.lifecycle.', 'user.account.'] as const;

export const CHANGES_PHASE = 'refresh:changes';

/**
 * The base a refresh starts from, checked: same org, complete, young enough for the log to cover.
 * `baseStart` is when the base began on the org's clock (the end of its log window).
 */
export function refreshBase(writer: SnapshotWriter, orgUrl: string, orgNow: Date, baseId: number | undefined, baseStart: (base: SnapshotRow) => Date): SnapshotRow {
  const base = baseId === undefined ? writer.latestComplete(orgUrl) : writer.snapshot(baseId);
  if (base === undefined) {
    throw new AuditError('ERR_USAGE', baseId === undefined
      ? `--refresh: there is no complete snapshot of ${orgUrl} in this database to start from; run a full crawl (without --refresh) first.`
      : `--base ${baseId}: there is no such snapshot in this database; give the id of a complete snapshot of ${orgUrl}, or leave --base out.`);
  }
  if (base.org_url !== orgUrl.replace(/\/+$/, '')) {
    throw new AuditError('ERR_USAGE', `--base ${base.id} is a snapshot of ${base.org_url}, not of ${orgUrl}; give a snapshot of this org.`);
  }
  if (base.status !== 'complete') {
    throw new AuditError('ERR_USAGE', `--base ${base.id} is not complete (${base.status}); resume it, or give a complete snapshot.`);
  }
  const ageDays = (orgNow.getTime() - baseStart(base).getTime()) / 86_400_000;
  if (!(ageDays <= REFRESH_MAX_AGE_DAYS)) {
    throw new AuditError('ERR_USAGE', `--refresh: base snapshot ${base.id} started ${baseStart(base).toISOString()}, more than the ${REFRESH_MAX_AGE_DAYS} days the System Log keeps, so changes since could be missed; run a full crawl (without --refresh).`);
  }
  return base;
}

/** The engine must be the one the base was read on: an upgrade changes what every user holds. */
export function checkSameEngine(base: SnapshotRow, pipeline: string | null): void {
  if (pipeline !== base.pipeline) {
    throw new AuditError('ERR_USAGE', `--refresh: the org runs ${pipeline ?? 'an unknown engine'} now but ran ${base.pipeline ?? 'an unknown engine'} in base snapshot ${base.id} (an upgrade?); run a full crawl (without --refresh).`);
  }
}

/** Records every user the System Log names as changed in [since, until]; a read that fails refuses the refresh. */
export async function collectChanges(reader: OktaReader, writer: SnapshotWriter, snapshotId: number, since: Date, until: Date, signal: AbortSignal): Promise<void> {
  const at = writer.getCursor(snapshotId, CHANGES_PHASE);
  if (at?.done) return;
  const filter = CHANGE_EVENT_PREFIXES.map((p) => `eventType sw "${p}"`).join(' or ');
  const first = `/api/v1/logs?since=${since.toISOString()}&until=${until.toISOString()}&limit=1000&sortOrder=ASCENDING&filter=${encodeURIComponent(filter)}`;
  try {
    for await (const page of reader.pages(at?.cursor ?? first)) {
      writer.addRefreshTargets(snapshotId, CHANGES_PHASE, page.items, page.next);
      if (signal.aborted) return;
    }
  } catch (e) {
    const f = classify(e, 'logs');
    throw new AuditError('ERR_USAGE', `--refresh: the System Log since the base could not be read completely (${[f.httpStatus, f.errorCode, f.message].filter((x) => x !== null).join(' ')}), so changed users cannot be told apart; fix the access (okta.logs.read) or run a full crawl (without --refresh).`);
  }
}
