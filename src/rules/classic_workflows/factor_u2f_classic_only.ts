/**
 * Factor types whose Classic workflow does not carry over to Identity Engine. Today that is FIDO
 * U2F (`u2f`, policy key fido_u2f): Identity Engine enrolls security keys as WebAuthn and has no
 * fido_u2f policy key (checklist M11).
 */
import { byEngine, finding } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'factor_u2f_classic_only',
  title: 'FIDO U2F security-key factors, a Classic workflow replaced by WebAuthn in Identity Engine',
  severity: 'medium',
  family: 'Classic-only Workflows',
  whyItMatters:
    'u2f is the legacy Classic security-key factor. Identity Engine uses the WebAuthn authenticator, its enrollment policies have ' +
    'no fido_u2f key, and FIDO U2F enrollment is not supported when authenticator groups are used. Users who rely on a U2F key ' +
    'may lose their only strong factor, and tools that enroll or verify u2f factors stop working.',
  recommendation:
    'Ask these users to enroll their security key (or a platform authenticator) as WebAuthn before the upgrade, test sign-in ' +
    'with an existing U2F key in the preview org, and move any tooling that enrolls u2f factors to WebAuthn.',
  docUrl: 'https://developer.okta.com/docs/guides/ie-limitations/',
  appliesTo: 'both',
  requires: ['factors'],
  checklist: ['M11'],
  unverified: 'How existing u2f factors are mapped when the org is upgraded is not documented.',
};

interface Row {
  user_id: string;
  login: string | null;
  user_status: string | null;
  factor_id: string;
  status: string | null;
  provider: string | null;
  credential_id: string | null;
  version: string | null;
  created: string | null;
  last_verified: string | null;
  webauthn_factors: number;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number], Row>(`
      SELECT f.user_id, u.login, u.status AS user_status, f.id AS factor_id, f.status, f.provider, f.credential_id,
             json_extract(f.raw_json, '$.profile.version') AS version, f.created, f.last_verified,
             (SELECT count(*) FROM factors w
               WHERE w.snapshot_id = f.snapshot_id AND w.user_id = f.user_id AND +w.factor_type = 'webauthn' AND w.status = 'ACTIVE') AS webauthn_factors
      FROM factors f
      JOIN users u ON u.snapshot_id = f.snapshot_id AND u.id = f.user_id
      WHERE f.snapshot_id = ? AND f.factor_type = 'u2f'
      ORDER BY f.user_id, f.id`).iterate(ctx.snapshot.id);
    for (const r of rows) {
      const what =
        `FIDO U2F factor ${r.factor_id} (${r.status ?? 'unknown status'}${r.version ? `, ${r.version}` : ''}, created ${r.created ?? 'unknown'}, ` +
        `${r.last_verified === null ? 'never verified' : `last verified ${r.last_verified}`}); ` +
        `${r.webauthn_factors === 0 ? 'the user has no active WebAuthn factor to fall back on' : `the user also has ${r.webauthn_factors} active WebAuthn factor(s)`}`;
      yield finding(meta, {
        severity: r.webauthn_factors === 0 ? meta.severity : 'low',
        subjectType: 'user',
        subjectId: r.user_id,
        userId: r.user_id,
        userLogin: r.login,
        userStatus: r.user_status,
        evidence: byEngine(ctx.pipeline, {
          v1: `Classic-only workflow on a Classic Engine org: ${what}.`,
          idx: `Stale Classic factor on Identity Engine: ${what}.`,
          unknown: `${what}.`,
        }),
        details: {
          factorId: r.factor_id, status: r.status, provider: r.provider, credentialId: r.credential_id, version: r.version,
          created: r.created, lastVerified: r.last_verified, activeWebauthnFactors: r.webauthn_factors, engine: ctx.pipeline,
        },
      });
    }
  },
};
