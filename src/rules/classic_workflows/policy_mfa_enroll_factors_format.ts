/**
 * MFA_ENROLL policies still in the Classic `settings.factors` format, with the authenticator key
 * each factor key becomes on conversion (checklist M7).
 */
import { byEngine, finding, listText, parseJson, quoted } from '../common.js';
import { mapFactorKey } from '../factor_keys.js';
import type { Rule, RuleMeta, Severity } from '../types.js';

const meta: RuleMeta = {
  id: 'policy_mfa_enroll_factors_format',
  title: 'MFA enrollment policies still in the Classic settings.factors format',
  severity: 'medium',
  family: 'Classic-only Workflows',
  whyItMatters:
    'Enrollment policies created before the upgrade keep settings.factors until an admin saves them in the Admin Console, which ' +
    'converts them to settings.authenticators (keyed by authenticator). Code and Terraform that read or write these policies must ' +
    'handle both formats, and factor keys without an authenticator equivalent need manual set-up.',
  recommendation:
    'Before the upgrade, record each policy\'s factor settings and check the mapping shown. After the upgrade, save the policy in ' +
    'the Admin Console (or PUT it with settings.type AUTHENTICATORS) and update any automation that manages it; keep the factors ' +
    'format only for tools that cannot parse authenticators.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-mfa-enroll-policy/',
  appliesTo: 'both',
  requires: ['policies:MFA_ENROLL'],
  checklist: ['M7'],
};

interface Row {
  id: string;
  name: string | null;
  status: string | null;
  priority: number | null;
  is_system: number | null;
  factors_json: string | null;
}

interface MappedFactor {
  factorKey: string;
  enroll: string | null;
  authenticatorKey: string | null;
  note?: string;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number], Row>(`
      SELECT id, name, status, priority, is_system, json_extract(raw_json, '$.settings.factors') AS factors_json
      FROM policies
      WHERE snapshot_id = ? AND type = 'MFA_ENROLL' AND settings_format = 'FACTORS'
      ORDER BY priority, id`).iterate(ctx.snapshot.id);
    for (const p of rows) {
      const factors = parseJson<Record<string, { enroll?: { self?: unknown } }>>(p.factors_json, {});
      const mapped: MappedFactor[] = Object.keys(factors).sort().map((key) => {
        const self = factors[key]?.enroll?.self;
        const m = mapFactorKey(key);
        return { factorKey: key, enroll: typeof self === 'string' ? self : null, authenticatorKey: m.authenticatorKey, ...(m.note === undefined ? {} : { note: m.note }) };
      });
      const enabled = mapped.filter((m) => m.enroll === 'REQUIRED' || m.enroll === 'OPTIONAL');
      const disabled = mapped.length - enabled.length;
      const mapping = enabled.map((m) => `${m.factorKey} ${m.enroll} → ${m.authenticatorKey ?? 'no authenticator key'}`);
      const unmapped = enabled.filter((m) => m.authenticatorKey === null).map((m) => m.factorKey);
      const what =
        `MFA_ENROLL policy ${quoted(p.name)} (${p.id}, ${p.status ?? 'unknown status'}${p.is_system === 1 ? ', default policy' : ''}) uses settings.factors: ` +
        `${mapping.length === 0 ? 'no factor enabled' : listText(mapping, 20)}` +
        `${disabled > 0 ? ` (${disabled} more not allowed)` : ''}` +
        `${unmapped.length > 0 ? `; ${listText(unmapped)} must be set up again by hand` : ''}`;
      yield finding(meta, {
        severity: byEngine<Severity>(ctx.pipeline, { v1: 'low', idx: 'medium', unknown: 'medium' }),
        subjectType: 'policy',
        subjectId: p.id,
        evidence: byEngine(ctx.pipeline, {
          v1: `Expected on Classic Engine, and it stays in this format after the upgrade until saved: ${what}.`,
          idx: `Stale on Identity Engine, never converted to authenticators: ${what}.`,
          unknown: `${what}.`,
        }),
        details: { policyId: p.id, policyName: p.name, status: p.status, priority: p.priority, system: p.is_system === 1, mapping: mapped, engine: ctx.pipeline },
      });
    }
  },
};
