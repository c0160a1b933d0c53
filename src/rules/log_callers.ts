/**
 * Who made a set of System Log calls: grouped by API token, else OAuth client id, else user agent,
 * with browser calls (user agents starting `Mozilla/`, Okta's own test in its integration guides)
 * kept apart from scripts, so one finding names one integration. `callerRule` makes the rules that
 * single out one Classic call (cookieToken sessions, /sessions/me, /org/factors) from a filter and
 * their words; `log_classic_api_callers` keeps its own operation-level inventory.
 * @module
 */
import type { Db } from '../store/db.js';
import { byEngine, counted, finding, listText, parseJson, quoted } from './common.js';
import type { Rule, RuleMeta, Severity } from './types.js';

export type CallerKind = 'api_token' | 'oauth_client' | 'user_agent' | 'browser';

export interface CallerGroup {
  kind: CallerKind;
  /** Token id, client id, user agent; 'browser' for browser calls without either. */
  key: string;
  /** The calls came from browsers (scripts with the same token are another group). */
  browser: boolean;
  calls: number;
  failedCalls: number;
  firstSeen: string | null;
  lastSeen: string | null;
  distinctUsers: number;
  userAgents: { userAgent: string | null; calls: number; lastSeen: string | null }[];
  /** Up to three distinct request URLs as logged (debugData.url, with the query). */
  exampleUrls: string[];
  token: { name: string | null; ownerId: string | null; ownerLogin: string | null; ownerStatus: string | null } | null;
}

interface Row {
  kind: CallerKind;
  key: string;
  browser: number;
  calls: number;
  failures: number;
  first_seen: string | null;
  last_seen: string | null;
  users: number;
  uas_json: string;
  urls_json: string;
  token_found: number;
  token_name: string | null;
  owner_id: string | null;
  owner_login: string | null;
  owner_status: string | null;
}

const TOP_USER_AGENTS = 10;

/** Caller groups of the snapshot's log events matching `where` (SQL over log_events columns, fixed text). */
export function* callerGroups(db: Db, snapshotId: number, where: string): Generator<CallerGroup> {
  const rows = db.prepare<{ snapshot: number; top: number }, Row>(`
    WITH calls AS MATERIALIZED (
      SELECT CASE WHEN api_token_id IS NOT NULL THEN 'api_token'
                  WHEN client_id IS NOT NULL THEN 'oauth_client'
                  WHEN user_agent GLOB 'Mozilla/*' THEN 'browser'
                  ELSE 'user_agent' END AS kind,
             coalesce(api_token_id, client_id, CASE WHEN user_agent GLOB 'Mozilla/*' THEN 'browser' END, user_agent, '(no user agent)') AS key,
             coalesce(user_agent GLOB 'Mozilla/*', 0) AS browser,
             published, user_agent, target_user_id,
             (outcome_result IS NOT NULL AND outcome_result NOT IN ('SUCCESS', 'ALLOW')) AS failed,
             coalesce(json_extract(raw_json, '$.debugContext.debugData.url'), request_uri) AS url
      FROM log_events
      WHERE snapshot_id = @snapshot AND (${where})
    )
    SELECT c.kind, c.key, c.browser, count(*) AS calls, sum(c.failed) AS failures, min(c.published) AS first_seen,
           max(c.published) AS last_seen, count(DISTINCT c.target_user_id) AS users,
           (SELECT json_group_array(json_object('userAgent', ua, 'calls', n, 'lastSeen', last))
              FROM (SELECT user_agent AS ua, count(*) AS n, max(published) AS last FROM calls x
                     WHERE x.kind = c.kind AND x.key = c.key AND x.browser = c.browser
                     GROUP BY user_agent ORDER BY n DESC, ua LIMIT @top)) AS uas_json,
           (SELECT json_group_array(url) FROM (SELECT DISTINCT url FROM calls x
                     WHERE x.kind = c.kind AND x.key = c.key AND x.browser = c.browser AND url IS NOT NULL ORDER BY url LIMIT 3)) AS urls_json,
           (tok.id IS NOT NULL) AS token_found, tok.name AS token_name, tok.user_id AS owner_id, ow.login AS owner_login, ow.status AS owner_status
    FROM calls c
    LEFT JOIN api_tokens tok ON c.kind = 'api_token' AND tok.snapshot_id = @snapshot AND tok.id = c.key
    LEFT JOIN users ow ON ow.snapshot_id = @snapshot AND ow.id = tok.user_id
    GROUP BY c.kind, c.key, c.browser
    ORDER BY c.kind, c.key, c.browser`).iterate({ snapshot: snapshotId, top: TOP_USER_AGENTS });
  for (const r of rows) {
    yield {
      kind: r.kind,
      key: r.key,
      browser: r.browser === 1,
      calls: r.calls,
      failedCalls: r.failures,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      distinctUsers: r.users,
      userAgents: parseJson<CallerGroup['userAgents']>(r.uas_json, []),
      exampleUrls: parseJson<string[]>(r.urls_json, []),
      token: r.kind === 'api_token'
        ? { name: r.token_found === 1 ? r.token_name : null, ownerId: r.owner_id, ownerLogin: r.owner_login, ownerStatus: r.owner_status }
        : null,
    };
  }
}

/** The caller as a noun phrase: `API token "Mobile backend" (00T…, owner a@b SUSPENDED) from scripts or servers`. */
export function callerWords(g: CallerGroup): string {
  const from = g.browser ? 'from browsers' : 'from scripts or servers';
  switch (g.kind) {
    case 'api_token': {
      const t = g.token;
      const owner = t?.ownerId ? `, owner ${t.ownerLogin ?? t.ownerId} ${t.ownerStatus ?? '(not in snapshot)'}` : '';
      return `${t?.name ? `API token ${quoted(t.name)} (${g.key}${owner})` : `API token ${g.key} (not in the API token list)`} ${from}`;
    }
    case 'oauth_client':
      return `OAuth client ${g.key} ${from}`;
    case 'user_agent':
      return `a caller without API token or client id, user agent ${quoted(g.key)}`;
    case 'browser':
      return 'browsers without an API token or client id (a custom or embedded page)';
  }
}

/** The shared sentence: how many calls, when, which user agents. */
export function callsWords(g: CallerGroup): string {
  const uas = listText(g.userAgents.map((u) => `${u.userAgent ?? '(none)'} ×${u.calls.toLocaleString('en-US')}`), 3);
  return `${counted(g.calls, 'call')}${g.failedCalls > 0 ? ` (${g.failedCalls.toLocaleString('en-US')} failed)` : ''}, `
    + `first ${g.firstSeen ?? 'unknown'}, last ${g.lastSeen ?? 'unknown'}${g.distinctUsers > 0 ? `, ${counted(g.distinctUsers, 'distinct user')}` : ''}; user agents: ${uas}`;
}

/** The start of a caller finding's sentence per engine; callerRule adds " by <caller>: <calls>." */
export interface CallerWords {
  v1: string;
  idx: string;
  unknown: string;
}

/** A rule with one finding per caller of the log events matching `where` (SQL over log_events, fixed text). */
export function callerRule(meta: RuleMeta, file: string, where: string, words: CallerWords, severity?: (g: CallerGroup) => Severity): Rule {
  return {
    meta,
    file,
    *evaluate(ctx) {
      for (const g of callerGroups(ctx.db, ctx.snapshot.id, where)) {
        yield finding(meta, {
          ...callerFinding(g),
          ...(severity ? { severity: severity(g) } : {}),
          evidence: `${byEngine(ctx.pipeline, words)} by ${callerWords(g)}: ${callsWords(g)}.`,
        });
      }
    },
  };
}

/** Finding fields shared by caller findings: subject, token owner as the user, details. */
function callerFinding(g: CallerGroup): {
  subjectType: 'integration'; subjectId: string; userId: string | null; userLogin: string | null; userStatus: string | null; details: object;
} {
  return {
    subjectType: 'integration',
    subjectId: g.key,
    userId: g.token?.ownerId ?? null,
    userLogin: g.token?.ownerLogin ?? null,
    userStatus: g.token?.ownerStatus ?? null,
    details: {
      caller: { kind: g.kind, id: g.key, browser: g.browser, ...(g.token === null ? {} : { tokenName: g.token.name, ownerLogin: g.token.ownerLogin, ownerStatus: g.token.ownerStatus }) },
      calls: g.calls, failedCalls: g.failedCalls, firstSeen: g.firstSeen, lastSeen: g.lastSeen, distinctUsers: g.distinctUsers,
      userAgents: g.userAgents, exampleUrls: g.exampleUrls,
    },
  };
}
