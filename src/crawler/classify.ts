/**
 * What a failed read means for the snapshot. Okta's `errorCode` decides, never message text:
 * a missing scope is "not available" (the data exists but was not read: a gap in the snapshot), a
 * feature the org does not have (E0000015) is "not applicable" (there is no such data: no gap);
 * a user's 404 is "deleted" (gone since it was listed); a bad credential stops the crawl;
 * anything else is "failed" after the executor's retries.
 */
import { AuditError } from '../errors.js';

export interface Failure {
  kind: 'failed' | 'deleted' | 'not_available' | 'not_applicable';
  httpStatus: number | null;
  errorCode: string | null;
  message: string;
}

interface OktaLikeError {
  status?: unknown;
  errorCode?: unknown;
  errorSummary?: unknown;
  message?: unknown;
}

export function classify(e: unknown, scope: 'org' | 'user' | 'logs'): Failure {
  if (e instanceof AuditError) throw e;
  const err = (e ?? {}) as OktaLikeError;
  const status = typeof err.status === 'number' ? err.status : null;
  const code = typeof err.errorCode === 'string' ? err.errorCode : null;
  const summary = typeof err.errorSummary === 'string' ? err.errorSummary : String(err.message ?? e);
  if (code === 'E0000011' || code === 'E0000004') {
    throw new AuditError('ERR_OKTA_AUTH', `Okta refused the credentials (${status} ${code} ${summary}). Check okta.token, or the OAuth app's client id, key and granted scopes.`);
  }
  const message = oneLine(summary);
  if (code === 'E0000006') return { kind: 'not_available', httpStatus: status, errorCode: code, message: `no permission (${message}); grant the read scope or admin role listed in the README` };
  if (code === 'E0000015') return { kind: 'not_applicable', httpStatus: status, errorCode: code, message: `Okta answered that this feature is not enabled in the org (${message}), so the org has no such data` };
  if (status === 404 && scope === 'user') return { kind: 'deleted', httpStatus: status, errorCode: code, message: 'user no longer exists (deleted or deprovisioned since it was listed)' };
  return { kind: 'failed', httpStatus: status, errorCode: code, message };
}

/** Error text from Okta may be HTML or hostile: one short line. */
function oneLine(s: string): string {
  const flat = s.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}
