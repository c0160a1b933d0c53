/**
 * System Log for the snapshot's window. Only bounded queries (`since` + `until`): a polling query
 * always has a `next` link and the SDK's Collection would page it forever. Five queries:
 * MFA lifecycle and verification events (which also carry the Factors API calls behind them);
 * calls to the Classic Authentication and Sessions APIs and to the org factor API
 * (/api/v1/org/factors); and the events only Classic Device Trust writes.
 */
import type { OktaReader } from '../okta/client.js';
import type { SnapshotWriter } from '../store/snapshot_writer.js';
import { DEVICE_TRUST_EVENT_TYPES } from '../okta/event_types.js';
import { classify } from './classify.js';
import { REFRESH_OVERLAP_MS } from './refresh.js';

const CARRIED_PHASE = 'logs:carried';

export const MFA_EVENT_TYPES = [
  'user.mfa.factor.activate', 'user.mfa.factor.deactivate', 'user.mfa.factor.reset_all', 'user.mfa.factor.suspend',
  'user.mfa.factor.unsuspend', 'user.mfa.factor.update', 'user.mfa.okta_verify', 'user.mfa.okta_verify.deny_push',
  'user.mfa.attempt_bypass', 'system.push.send_factor_verify_push', 'user.authentication.auth_via_mfa',
  'user.authentication.verify', 'system.sms.send_factor_verify_message', 'system.voice.send_mfa_challenge_call',
];

export function logQueries(since: Date, until: Date): { phase: string; path: string }[] {
  const q = (filter: string) =>
    `/api/v1/logs?since=${since.toISOString()}&until=${until.toISOString()}&limit=1000&sortOrder=ASCENDING&filter=${encodeURIComponent(filter)}`;
  return [
    { phase: 'logs:mfa', path: q(MFA_EVENT_TYPES.map((t) => `eventType eq "${t}"`).join(' or ')) },
    { phase: 'logs:authn', path: q('debugContext.debugData.requestUri sw "/api/v1/authn"') },
    { phase: 'logs:sessions', path: q('debugContext.debugData.requestUri sw "/api/v1/sessions"') },
    { phase: 'logs:org_factors', path: q('debugContext.debugData.requestUri sw "/api/v1/org/factors"') },
    { phase: 'logs:device_trust', path: q(DEVICE_TRUST_EVENT_TYPES.map((t) => `eventType eq "${t}"`).join(' or ')) },
  ];
}

/** A refresh's base window: its events in the new window are copied, and only the rest is read. */
export interface CarriedLogs {
  baseId: number;
  since: Date;
  until: Date;
}

export async function crawlLogs(reader: OktaReader, writer: SnapshotWriter, snapshotId: number,
  window: { since: Date; until: Date }, signal: AbortSignal, carried?: CarriedLogs): Promise<void> {
  if (writer.isOrgResourceDone(snapshotId, 'logs')) return;
  let from = window.since;
  // The base read the same queries over a window that starts no later: its events from our start
  // on are ours too, and the read begins where it ended (overlapping: late events, same uuids).
  if (carried !== undefined && carried.since <= window.since && carried.until > window.since) {
    if (!writer.getCursor(snapshotId, CARRIED_PHASE)?.done) {
      // In short transactions, yielding between them, so the users' requests keep flowing.
      while (!writer.carryLogEvents(snapshotId, CARRIED_PHASE, carried.baseId, window.since.toISOString(), carried.until.toISOString())) {
        if (signal.aborted) return;
        await new Promise((r) => setImmediate(r));
      }
    }
    from = new Date(Math.max(window.since.getTime(), carried.until.getTime() - REFRESH_OVERLAP_MS));
  }
  for (const { phase, path } of logQueries(from, window.until)) {
    const at = writer.getCursor(snapshotId, phase);
    if (at?.done) continue;
    try {
      for await (const page of reader.pages(at?.cursor ?? path)) {
        writer.writeLogEvents(snapshotId, phase, page.items, page.next);
        if (signal.aborted) return;
      }
    } catch (e) {
      const f = classify(e, 'logs');
      if (f.kind === 'not_available' || f.kind === 'not_applicable') {
        writer.markOrgResource(snapshotId, 'logs', f.kind, f.message, f.httpStatus, f.errorCode);
        return;
      }
      writer.recordError(snapshotId, { scope: 'logs', subject: phase, endpoint: '/api/v1/logs', kind: f.kind, httpStatus: f.httpStatus, errorCode: f.errorCode, message: f.message });
    }
  }
  writer.markOrgResource(snapshotId, 'logs', 'complete');
}
