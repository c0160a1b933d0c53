/**
 * Event hooks subscribed to events Identity Engine does not emit (checklist C10, A5, C2).
 */
import { byEngine, finding, listText, parseJson, quoted } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

/** Event type → why it stops. */
const CLASSIC_ONLY_EVENTS: Readonly<Record<string, string>> = {
  'user.authentication.authenticate': 'Classic Device Trust only, not triggered in Identity Engine',
  'user.credential.enroll': 'Classic Device Trust only, not triggered in Identity Engine',
  'user.account.unlock_token': 'not triggered in Identity Engine',
  'user.mfa.okta_verify.deny_push': 'emitted only for Classic v1 API calls; Identity Engine logs a generic event',
};

const meta: RuleMeta = {
  id: 'eventhook_classic_only_events',
  title: 'Event hooks subscribed to Classic-only event types',
  severity: 'high',
  family: 'Classic-only Workflows',
  whyItMatters:
    'Identity Engine does not trigger user.authentication.authenticate, user.credential.enroll or user.account.unlock_token, and ' +
    'user.mfa.okta_verify.deny_push fires only for Classic v1 API calls. A hook subscribed to them silently stops receiving ' +
    'events after the upgrade, so the SIEM alert, ticket or automation behind it stops too.',
  recommendation:
    'For each listed event, pick the Identity Engine replacement from the event types catalog (for example the generic MFA ' +
    'verification events, user.mfa.factor.suspend/unsuspend, device.* or security.authenticator.lifecycle.*), subscribe the hook ' +
    'to it and update the receiving service; also check SIEM rules that key on the same event types.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-event-hooks/',
  appliesTo: 'both',
  requires: ['eventHooks'],
  checklist: ['C10', 'A5', 'C2'],
};

interface Row {
  id: string;
  name: string | null;
  status: string | null;
  events_json: string | null;
  uri: string | null;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number], Row>(`
      SELECT id, name, status, events_json, json_extract(raw_json, '$.channel.config.uri') AS uri
      FROM event_hooks WHERE snapshot_id = ? ORDER BY name, id`).iterate(ctx.snapshot.id);
    for (const h of rows) {
      const events = parseJson<unknown[]>(h.events_json, []).filter((e): e is string => typeof e === 'string');
      const classic = events.filter((e) => e in CLASSIC_ONLY_EVENTS).sort();
      if (classic.length === 0) continue;
      const active = h.status === 'ACTIVE';
      const list = listText(classic.map((e) => `${e} (${CLASSIC_ONLY_EVENTS[e]})`));
      const hook = `Event hook ${quoted(h.name)} (${h.id}, ${h.status ?? 'unknown status'}) subscribes to ${list}`;
      yield finding(meta, {
        severity: active ? meta.severity : 'low',
        subjectType: 'event_hook',
        subjectId: h.id,
        evidence: byEngine(ctx.pipeline, {
          v1: `${hook}: it will stop receiving them after the upgrade.`,
          idx: `${hook}: on Identity Engine it no longer receives them.`,
          unknown: `${hook}: Identity Engine does not deliver them.`,
        }),
        details: { hookId: h.id, name: h.name, status: h.status, uri: h.uri, classicOnlyEvents: classic, allEvents: events, engine: ctx.pipeline },
      });
    }
  },
};
