/**
 * docs/rules.md, generated from rule metadata so the page never drifts from the code
 * (a test compares the file with this output).
 * @module
 */
import { RULE_FAMILIES, type Rule } from './types.js';

const APPLIES: Record<string, string> = { idx: 'Identity Engine orgs', v1: 'Classic Engine orgs', both: 'both engines' };

export function rulesMarkdown(rules: readonly Rule[]): string {
  const out: string[] = [
    '# Audit rules',
    '',
    '<!-- Generated from the rule metadata in src/rules/ by src/rules/docs.ts; do not edit by hand.',
    '     Regenerate: UPDATE_RULES_DOC=1 node --experimental-vm-modules node_modules/jest/bin/jest.js test/rules/registry.test.ts -->',
    '',
    'Each rule reads one snapshot and writes findings (table `findings`) and one `rule_runs` row saying whether it',
    'was evaluated, skipped (the data it needs exists but was not read), not applicable (it is meant for the other engine, or',
    'its data does not exist in this org, such as authenticator enrollments on Classic Engine) or failed.',
    'Severities: critical, high, medium, low, info; the severity shown is the rule\'s default, and a finding may state',
    'another one (for example an anomaly on a Classic Engine org versus an expected but stale row on Identity Engine).',
    'Time-based values count from the snapshot\'s start, never from the time of the report.',
    'Checklist ids (C…, A…, M…, U…) refer to the Classic to Identity Engine upgrade checklist the rules were built from.',
    '',
  ];
  for (const family of RULE_FAMILIES) {
    const members = rules.filter((r) => r.meta.family === family);
    if (members.length === 0) continue;
    out.push(`## ${family}`, '');
    for (const { meta: m } of members) {
      out.push(`### \`${m.id}\``, '', `**${m.title}**`, '');
      out.push(`- Severity: ${m.severity}`);
      out.push(`- Applies to: ${APPLIES[m.appliesTo] ?? m.appliesTo}`);
      out.push(`- Needs: ${m.requires.map((r) => `\`${r}\``).join(', ')}`);
      out.push(`- Checklist: ${m.checklist.length > 0 ? m.checklist.join(', ') : 'none (an item after the upgrade)'}`);
      if (m.thresholds !== undefined) {
        out.push(`- Thresholds: ${Object.entries(m.thresholds).map(([k, v]) => `${k} = ${v}`).join(', ')}`);
      }
      if (m.unverified !== undefined) out.push(`- Unverified: ${m.unverified}`);
      out.push(`- Reference: ${m.docUrl}`, '');
      out.push(`Why it matters: ${m.whyItMatters}`, '', `Recommendation: ${m.recommendation}`, '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
