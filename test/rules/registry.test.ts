import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rulesMarkdown } from '../../src/rules/docs.js';
import { FAMILY_FOLDERS, listRules, registryProblems, RULES, ruleById, validateRegistry } from '../../src/rules/registry.js';
import type { Rule, RuleMeta } from '../../src/rules/types.js';
import { mapFactorKey } from '../../src/rules/factor_keys.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RULES_DIR = join(ROOT, 'src/rules');
const DOC = join(ROOT, 'docs/rules.md');

const good = RULES[0] as Rule;

function variant(meta: Partial<RuleMeta>, file = good.file): Rule {
  return { ...good, file, meta: { ...good.meta, ...meta } };
}

describe('rule registry', () => {
  it('is valid', () => {
    expect(registryProblems(RULES)).toEqual([]);
    expect(() => validateRegistry()).not.toThrow();
  });

  it('registers every rule file of every family folder, once', () => {
    const onDisk = Object.values(FAMILY_FOLDERS)
      .flatMap((folder) => readdirSync(join(RULES_DIR, folder)).filter((f) => f.endsWith('.ts')).map((f) => `${folder}/${f.replace(/\.ts$/, '')}`))
      .sort();
    const registered = RULES.map((r) => `${FAMILY_FOLDERS[r.meta.family]}/${r.meta.id}`).sort();
    expect(registered).toEqual(onDisk);
  });

  it('reports each kind of problem', () => {
    const elsewhere = good.file.replace('/signed_nonce/', '/mfa_hygiene/');
    const problems = registryProblems([
      good,
      good,
      variant({ id: 'Bad-Id' }),
      variant({ title: 'Ensure push is fine' }),
      variant({ title: 'x'.repeat(151) }),
      variant({ severity: 'urgent' as never }),
      variant({ family: 'Expected after the upgrade', severity: 'high' }),
      variant({ docUrl: 'https://example.com/page' }),
      variant({ requires: ['logz' as never] }),
      variant({ checklist: ['Z9'] }),
      variant({}, elsewhere),
    ]);
    const expected = [
      'duplicate id',
      'id must be snake_case',
      'id differs from its file name',
      'title must not start with "Ensure"',
      'title longer than 150 characters',
      'unknown severity "urgent"',
      '"Expected after the upgrade" rules are severity info',
      'docUrl must be a developer.okta.com or help.okta.com page',
      'unknown requirement "logz"',
      'checklist id "Z9"',
      'rules belong in signed_nonce/, not mfa_hygiene/',
    ];
    for (const e of expected) expect(problems.join('\n')).toContain(e);
    expect(() => validateRegistry([good, good])).toThrow(/Invalid rule registry:\n- rule 1 \(factor_signed_nonce_admin_console_only\): duplicate id/);
  });

  it('lists rules for the `rules` command', () => {
    const rows = listRules();
    expect(rows).toHaveLength(RULES.length);
    expect(rows.find((r) => r.id === 'policy_idp_discovery_iwa_routing')).toEqual({
      id: 'policy_idp_discovery_iwa_routing',
      severity: 'critical',
      family: 'Classic-only Workflows',
      title: 'Routing rules that send users to IWA or Agentless Desktop SSO (upgrade blocker)',
      appliesTo: 'v1',
      unverified: expect.stringContaining('Agentless Desktop SSO') as unknown as string,
    });
    expect(rows.find((r) => r.id === 'factor_signed_nonce_admin_console_only')?.unverified).toBeNull();
    expect(ruleById('log_classic_api_callers')?.meta.family).toBe('Classic API Callers');
    expect(ruleById('nope')).toBeUndefined();
  });

  it('covers every family', () => {
    expect(new Set(RULES.map((r) => r.meta.family)).size).toBe(Object.keys(FAMILY_FOLDERS).length);
  });

  it('docs/rules.md is generated from the metadata and names every rule', () => {
    const expected = rulesMarkdown(RULES);
    if (process.env['UPDATE_RULES_DOC'] === '1') writeFileSync(DOC, expected);
    expect(existsSync(DOC)).toBe(true);
    const doc = readFileSync(DOC, 'utf8');
    for (const r of RULES) expect(doc).toContain(`### \`${r.meta.id}\``);
    expect(doc).toBe(expected);
  });
});

describe('factor key → authenticator key mapping (checklist M7)', () => {
  it.each([
    ['okta_sms', 'phone_number'], ['okta_call', 'phone_number'], ['okta_voice', 'phone_number'],
    ['okta_otp', 'okta_verify'], ['okta_push', 'okta_verify'], ['okta_question', 'security_question'],
    ['okta_email', 'okta_email'], ['fido_webauthn', 'webauthn'], ['fido_u2f', 'webauthn'], ['google_otp', 'google_otp'],
    ['duo', 'duo'], ['okta_password', 'okta_password'],
    ['rsa_token', null], ['symantec_vip', null], ['yubikey_token', null], ['custom_otp', null], ['hotp', null], ['something_new', null],
  ])('%s → %s', (factorKey, authenticatorKey) => {
    expect(mapFactorKey(factorKey).authenticatorKey).toBe(authenticatorKey);
  });

  it('says why a key has no equivalent', () => {
    expect(mapFactorKey('rsa_token').note).toContain('"n/a"');
    expect(mapFactorKey('fido_u2f').note).toContain('UNVERIFIED');
  });
});
