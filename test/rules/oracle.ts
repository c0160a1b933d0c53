/**
 * What the rules must find in an org, computed straight from the JSON it serves (a fixture), for
 * tests that compare the rules' findings with it instead of with fixed counts.
 */
import type { RawObject } from '../../src/store/types.js';
import type { SnapshotFixture, StoredFinding } from './helpers.js';

const CLASSIC_ONLY_EVENTS = ['user.authentication.authenticate', 'user.credential.enroll', 'user.account.unlock_token', 'user.mfa.okta_verify.deny_push'];
const CLASSIC_PATH = /^\/api\/v1\/(authn|sessions)(\/|$)|^\/api\/v1\/users\/[^/]+\/factors(\/|$)/;

const str = (o: unknown, ...path: string[]): string | undefined => {
  let cur: unknown = o;
  for (const k of path) cur = typeof cur === 'object' && cur !== null ? (cur as RawObject)[k] : undefined;
  return typeof cur === 'string' ? cur : undefined;
};

export function usersOf(findings: StoredFinding[], rule: string): string[] {
  return findings.filter((f) => f.rule_id === rule).map((f) => f.user_id ?? '').sort();
}

export function oracle(fx: SnapshotFixture) {
  const status = new Map(fx.users.map((u) => [String(u['id']), String(u['status'])]));
  const factorsOf = (id: string): RawObject[] => fx.factors?.[id] ?? [];
  const ids = fx.users.map((u) => String(u['id'])).sort();
  const pushes = (id: string) => factorsOf(id).filter((f) => f['factorType'] === 'push');
  const dupName = (id: string, type: string) => {
    const names = factorsOf(id).filter((f) => f['factorType'] === type).map((f) => str(f, 'profile', 'name')).filter((n) => n !== undefined);
    return new Set(names).size < names.length;
  };
  const active = (id: string) => factorsOf(id).filter((f) => f['status'] === 'ACTIVE');
  return {
    signedNonce: ids.flatMap((id) => factorsOf(id).filter((f) => f['factorType'] === 'signed_nonce').map(() => id)),
    duplicateDevice: ids.filter((id) => dupName(id, 'push') || dupName(id, 'signed_nonce')),
    multiple: ids.filter((id) => new Set(pushes(id).filter((f) => f['status'] !== 'PENDING_ACTIVATION').map((f) => str(f, 'profile', 'name') ?? String(f['id']))).size >= 2),
    pending: ids.filter((id) => pushes(id).filter((f) => f['status'] === 'PENDING_ACTIVATION').length >= 2),
    hidden: ids.filter((id) => (fx.authenticatorEnrollments?.[id] ?? []).filter((e) => e['key'] === 'okta_verify').length > pushes(id).length),
    noActive: ids.filter((id) => status.get(id) === 'ACTIVE' && active(id).length === 0),
    weakOnly: ids.filter((id) => ['ACTIVE', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'RECOVERY'].includes(status.get(id) ?? '')
      && active(id).length > 0 && active(id).every((f) => ['sms', 'call', 'email', 'question'].includes(String(f['factorType'])))),
    u2f: ids.flatMap((id) => factorsOf(id).filter((f) => f['factorType'] === 'u2f').map(() => id)),
    hooks: (fx.eventHooks ?? []).filter((h) => ((h['events'] as { items: string[] }).items).some((e) => CLASSIC_ONLY_EVENTS.includes(e))).map((h) => String(h['id'])).sort(),
    tokens: (fx.apiTokens ?? []).filter((t) => status.get(String(t['userId'])) !== 'ACTIVE').map((t) => String(t['id'])).sort(),
    // Browser calls without a token are the hosted sign-in page on Classic (left out), custom pages on Identity Engine.
    callerTokens: callers(fx, (e) => CLASSIC_PATH.test(uri(e)), fx.org?.pipeline === 'idx'),
    cookieTokenCallers: callers(fx, (e) => uri(e).startsWith('/api/v1/sessions') && (str(e, 'debugContext', 'debugData', 'url') ?? '').includes('additionalFields=cookieToken'), true),
    sessionsMeCallers: callers(fx, (e) => uri(e).startsWith('/api/v1/sessions/me'), true),
    orgFactorCallers: callers(fx, (e) => uri(e).startsWith('/api/v1/org/factors'), true),
    deviceTrustEvents: (fx.logs ?? []).filter((e) => ['user.authentication.authenticate', 'user.credential.enroll'].includes(String(e['eventType']))).length,
    classicApps: (fx.apps ?? []).filter((a) => a['authenticationPipeline'] === 'CLASSIC').map((a) => String(a['id'])).sort(),
    customLoginApps: (fx.apps ?? []).filter((a) => typeof str(a, 'accessibility', 'loginRedirectUrl') === 'string').map((a) => String(a['id'])).sort(),
    corsOrigins: (fx.trustedOrigins ?? []).filter((t) => t['status'] === 'ACTIVE' && (t['scopes'] as { type: string }[]).some((sc) => sc.type === 'CORS')).map((t) => String(t['id'])).sort(),
    registrationHooks: (fx.inlineHooks ?? []).filter((h) => h['type'] === 'com.okta.user.pre-registration').map((h) => String(h['id'])).sort(),
    oldWidgets: Object.entries(fx.signInPages ?? {}).filter(([, p]) => /^5\.(\d|10)$|^[1-4](\.|$)/.test(String(p['widgetVersion']))).map(([id]) => id).sort(),
  };
}

const uri = (e: RawObject): string => str(e, 'debugContext', 'debugData', 'requestUri') ?? '';

/** Subjects a caller rule reports: API tokens, plus 'browser' for browser calls without one. */
function callers(fx: SnapshotFixture, match: (e: RawObject) => boolean, withBrowser: boolean): string[] {
  const keys = (fx.logs ?? []).filter(match).map((e) => str(e, 'transaction', 'detail', 'requestApiTokenId')
    ?? (withBrowser && (str(e, 'client', 'userAgent', 'rawUserAgent') ?? '').startsWith('Mozilla/') ? 'browser' : undefined));
  return [...new Set(keys.filter((k): k is string => k !== undefined))].sort();
}

