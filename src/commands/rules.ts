/** `oie-audit rules`: the audit rules this version applies, with their metadata. */
import { RULES, listRules } from '../rules/registry.js';

export function runRules(a: { json: boolean }): void {
  if (a.json) {
    process.stdout.write(`${JSON.stringify(RULES.map((r) => r.meta), null, 2)}\n`);
    return;
  }
  for (const r of listRules()) {
    const note = r.unverified ? ' (rests on an unverified fact: see --json)' : '';
    process.stdout.write(`${r.id}\n  ${r.severity.toUpperCase()} · ${r.family} · ${r.appliesTo === 'both' ? 'Classic and Identity Engine' : r.appliesTo === 'idx' ? 'Identity Engine' : 'Classic Engine'}\n  ${r.title}${note}\n`);
  }
}
