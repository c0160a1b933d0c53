/**
 * Classic Device Trust in use: the System Log holds events only Device Trust writes
 * (`user.authentication.authenticate`, `user.credential.enroll`, per Okta's Identity Engine
 * limitations guide). Device Trust must be turned off before the upgrade; checklist C2.
 */
import { counted, finding, listText } from '../common.js';
import { DEVICE_TRUST_EVENT_TYPES } from '../../okta/event_types.js';
import type { Rule, RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'log_device_trust_classic_events',
  title: 'Classic Device Trust in use (Device Trust events in the System Log)',
  severity: 'critical',
  family: 'Classic-only Workflows',
  whyItMatters:
    'Identity Engine does not support Classic Engine Device Trust, and Okta requires it to be turned off before the upgrade. ' +
    'Users and app sign-on rules that rely on it (managed-device checks for mobile or desktop) lose that control or are blocked.',
  recommendation:
    'Before the upgrade, turn off mobile Device Trust (set the app sign-on rules\' device condition to Any, disable the Device ' +
    'Trust settings) and delete IWA routing rules used for desktop Device Trust; deploy Okta Verify first. After the upgrade, ' +
    'move desktop users to Okta FastPass and device assurance policies.',
  docUrl: 'https://developer.okta.com/docs/guides/ie-limitations/main/',
  appliesTo: 'v1',
  requires: ['logs'],
  checklist: ['C2'],
  unverified: 'The events do not say whether mobile or desktop Device Trust wrote them.',
};

interface Row { event_type: string; events: number; users: number; first_seen: string | null; last_seen: string | null }

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number, string], Row>(`
      SELECT event_type, count(*) AS events, count(DISTINCT coalesce(target_user_id, actor_id)) AS users,
             min(published) AS first_seen, max(published) AS last_seen
      FROM log_events WHERE snapshot_id = ? AND event_type IN (SELECT value FROM json_each(?))
      GROUP BY event_type ORDER BY event_type`).all(ctx.snapshot.id, JSON.stringify(DEVICE_TRUST_EVENT_TYPES));
    if (rows.length === 0) return;
    const users = ctx.db.prepare<[number, string], number>(`
      SELECT count(DISTINCT coalesce(target_user_id, actor_id)) FROM log_events
      WHERE snapshot_id = ? AND event_type IN (SELECT value FROM json_each(?))`).pluck().get(ctx.snapshot.id, JSON.stringify(DEVICE_TRUST_EVENT_TYPES)) ?? 0;
    const first = rows.map((r) => r.first_seen).filter((x): x is string => x !== null).sort()[0] ?? null;
    const last = rows.map((r) => r.last_seen).filter((x): x is string => x !== null).sort().at(-1) ?? null;
    yield finding(meta, {
      subjectType: 'org',
      subjectId: ctx.snapshot.org_id,
      evidence: `Classic Device Trust is in use: the System Log holds ${listText(rows.map((r) => `${counted(r.events, `${r.event_type} event`)}`))} `
        + `for ${counted(users, 'user')}, from ${first ?? 'unknown'} to ${last ?? 'unknown'}. Turn Device Trust off before the upgrade.`,
      details: {
        events: rows.reduce((n, r) => n + r.events, 0), users, firstSeen: first, lastSeen: last,
        byEventType: rows.map((r) => ({ eventType: r.event_type, events: r.events, users: r.users, firstSeen: r.first_seen, lastSeen: r.last_seen })),
      },
    });
  },
};
