/**
 * The JSON report: the snapshot header (org, engine, times, coverage, completeness), every rule's
 * metadata with how it ran, the findings of every snapshot of the org by severity and rule (the
 * burn-down), and every finding, streamed one finding per line so memory stays flat.
 * JSON is data, not a spreadsheet: strings are full and unchanged (JSON escaping makes them safe),
 * with no formula neutralisation and no truncation.
 * @module
 */
import type { Writable } from 'node:stream';
import { TextSink } from './csv.js';
import { burnDown } from './burndown.js';
import { engineWords, findingGroups, orderedFindings, type ReportContext, type RuleMetaLike, SEVERITIES } from './sheets.js';

export const JSON_FORMAT = 'oie-audit-report';
export const JSON_FORMAT_VERSION = 1;

interface RuleRunRow {
  rule_id: string;
  status: 'evaluated' | 'skipped' | 'not_applicable' | 'error';
  reason: string | null;
  findings: number;
  evaluated_at: string;
}

function details(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return { unparsedDetails: json };
  }
}

function ruleJson(rule: RuleMetaLike, run: RuleRunRow | undefined): object {
  return {
    id: rule.id,
    title: rule.title,
    severity: rule.severity,
    family: rule.family,
    whyItMatters: rule.whyItMatters,
    recommendation: rule.recommendation,
    docUrl: rule.docUrl,
    unverified: rule.unverified ?? false,
    run: run === undefined ? null : { status: run.status, reason: run.reason, findings: run.findings, evaluatedAt: run.evaluated_at },
  };
}

/** Writes the JSON report to `out` and ends it; resolves with the number of findings. */
export async function writeJson(out: Writable, ctx: ReportContext): Promise<number> {
  const { db, snapshot: s } = ctx;
  const runs = db.prepare(`SELECT rule_id, status, reason, findings, evaluated_at FROM rule_runs WHERE snapshot_id = ? ORDER BY rule_id`).all(s.id) as RuleRunRow[];
  const runById = new Map(runs.map((r) => [r.rule_id, r]));
  const known = new Set(ctx.rules.map((r) => r.id));
  const groups = findingGroups(db, s.id);
  const counts = Object.fromEntries(SEVERITIES.map((sev) => [sev, 0])) as Record<string, number>;
  for (const g of groups) counts[g.severity] = (counts[g.severity] ?? 0) + g.n;
  const head = {
    format: JSON_FORMAT,
    formatVersion: JSON_FORMAT_VERSION,
    generatedAt: ctx.now.toISOString(),
    snapshot: {
      id: s.id,
      orgUrl: s.org_url,
      orgId: s.org_id,
      pipeline: s.pipeline,
      engine: engineWords(s.pipeline),
      status: s.status,
      startedAt: s.started_at,
      finishedAt: s.finished_at,
      toolVersion: s.tool_version,
      complete: ctx.completeness.complete,
      incompleteReasons: ctx.completeness.reasons,
      coverage: ctx.coverage,
    },
    rules: [
      ...ctx.rules.map((r) => ruleJson(r, runById.get(r.id))),
      // Results stored by a rule this version does not know: kept, with what little is known.
      ...runs.filter((r) => !known.has(r.rule_id)).map((r) => ({ id: r.rule_id, title: null, run: { status: r.status, reason: r.reason, findings: r.findings, evaluatedAt: r.evaluated_at } })),
    ],
    findingsBySeverity: counts,
    // Every snapshot of this org up to this one, oldest first: the Burn-down sheets' numbers.
    burnDown: burnDown(db, s),
  };
  const byId = new Map(ctx.rules.map((r) => [r.id, r]));
  const sink = new TextSink(out);
  // The head object, reopened to append the streamed findings array.
  await sink.write(`${JSON.stringify(head).slice(0, -1)},"findings":[`);
  let n = 0;
  for (const f of orderedFindings(db, s.id, groups)) {
    const rule = byId.get(f.rule_id);
    const item = {
      id: f.id,
      ruleId: f.rule_id,
      severity: f.severity,
      rule: rule === undefined ? null : { title: rule.title, family: rule.family },
      subject: { type: f.subject_type, id: f.subject_id },
      user: f.user_id === null && f.user_login === null ? null : { id: f.user_id, login: f.user_login, status: f.user_status },
      evidence: f.evidence,
      details: details(f.details_json),
    };
    const wait = sink.write(`${n === 0 ? '\n' : ',\n'}${JSON.stringify(item)}`);
    if (wait !== undefined) await wait;
    n += 1;
  }
  await sink.write('\n]}\n');
  await sink.end();
  return n;
}
