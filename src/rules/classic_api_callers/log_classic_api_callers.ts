/**
 * Integrations calling Classic-only APIs (Authentication, Sessions, Factors), found in the System
 * Log and grouped by API token, then OAuth client id, then user agent (checklist A1, A2, A3, U10).
 * Each call is named by the operation it is (see classic_operations.ts).
 *
 * Browser calls without a token or client id are the Okta-hosted sign-in page on a Classic org,
 * which the upgrade moves to Identity Engine by itself, so they are left out there; on an Identity
 * Engine org they can only come from a custom or embedded page and are reported as one group.
 */
import { classicOperation, type ClassicOperation } from '../classic_operations.js';
import { byEngine, counted, finding, isBrowserUserAgent, listText, parseJson, quoted } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const TOP_USER_AGENTS = 10;
const TOP_ACTORS = 5;

const meta: RuleMeta = {
  id: 'log_classic_api_callers',
  title: 'Integrations calling Classic Authentication, Sessions or Factors APIs',
  severity: 'high',
  family: 'Classic API Callers',
  whyItMatters:
    'Identity Engine keeps /api/v1/authn, /api/v1/sessions and the Factors API only with limits: no audience parameter and changed ' +
    'device tokens in authn, no recovery through Okta Verify push, no cookieToken sessions, /sessions/me deprecated, only the first ' +
    'Okta Verify enrollable through the Factors API and no FIPS or user-verification enforcement there. Integrations built on these ' +
    'calls (custom sign-in backends, MFA enrollment scripts, push-polling helpdesk tools) can break or weaken after the upgrade.',
  recommendation:
    'For each integration, find its owner (API token owner, OAuth app, user agent), test it against the upgraded preview org, and ' +
    'plan its move: sign-in to the Okta-hosted or embedded Sign-In Widget / IDX (Interaction Code), enrollment to user-driven ' +
    'flows or the authenticator enrollments API, and API tokens to OAuth service apps. The System Log only goes back 90 days, so ' +
    're-run the audit to catch rare callers.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-audit-classic-api-dependencies/',
  appliesTo: 'both',
  requires: ['logs'],
  checklist: ['A1', 'A2', 'A3', 'U10'],
  thresholds: { topUserAgents: TOP_USER_AGENTS, topActors: TOP_ACTORS },
};

type Kind = 'api_token' | 'oauth_client' | 'user_agent' | 'browser';

interface Row {
  kind: Kind;
  key: string;
  calls: number;
  failures: number;
  first_seen: string | null;
  last_seen: string | null;
  actors: number;
  target_users: number;
  user_agents: number;
  ops_json: string;
  uas_json: string;
  actors_json: string | null;
  token_name: string | null;
  token_found: number;
  token_owner_id: string | null;
  token_owner_login: string | null;
  token_owner_status: string | null;
}

interface OpCount { op: ClassicOperation; calls: number; failures: number; firstSeen: string | null; lastSeen: string | null; exampleUri: string | null }
interface UaCount { userAgent: string | null; calls: number }

const UDF = 'oie_audit_classic_operation';

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    // One mapping for SQL and TypeScript: SQL groups by the operation the function names.
    ctx.db.function(UDF, { deterministic: true }, (eventType: unknown, uri: unknown) => {
      const op = classicOperation(typeof uri === 'string' ? uri : null, typeof eventType === 'string' ? eventType : null);
      return op === undefined ? null : JSON.stringify(op);
    });
    const failed = `(outcome_result IS NOT NULL AND outcome_result NOT IN ('SUCCESS', 'ALLOW'))`;
    const rows = ctx.db.prepare<{ snapshot: number; includeBrowser: number; topUa: number; topActors: number }, Row>(`
      WITH calls AS MATERIALIZED (
        SELECT CASE WHEN api_token_id IS NOT NULL THEN 'api_token'
                    WHEN client_id IS NOT NULL THEN 'oauth_client'
                    WHEN user_agent GLOB 'Mozilla/*' THEN 'browser'
                    ELSE 'user_agent' END AS kind,
               CASE WHEN api_token_id IS NOT NULL THEN api_token_id
                    WHEN client_id IS NOT NULL THEN client_id
                    WHEN user_agent GLOB 'Mozilla/*' THEN 'browser'
                    ELSE coalesce(user_agent, '(no user agent)') END AS key,
               ${UDF}(event_type, request_uri) AS op,
               published, outcome_result, user_agent, actor_id, actor_alternate_id, target_user_id, request_uri
        FROM log_events
        WHERE snapshot_id = @snapshot
          AND (request_uri GLOB '/api/v1/authn*' OR request_uri GLOB '/api/v1/sessions*' OR request_uri GLOB '/api/v1/users/*/factors*')
      ),
      filtered AS MATERIALIZED (
        SELECT * FROM calls WHERE op IS NOT NULL AND (kind <> 'browser' OR @includeBrowser = 1)
      ),
      tot AS (
        SELECT kind, key, count(*) AS calls, sum(${failed}) AS failures, min(published) AS first_seen, max(published) AS last_seen,
               count(DISTINCT actor_id) AS actors, count(DISTINCT target_user_id) AS target_users, count(DISTINCT user_agent) AS user_agents
        FROM filtered GROUP BY kind, key
      ),
      ops AS (
        SELECT kind, key, json_group_array(json_object('op', json(op), 'calls', calls, 'failures', failures,
                                                       'firstSeen', first_seen, 'lastSeen', last_seen, 'exampleUri', example_uri)) AS ops_json
        FROM (SELECT kind, key, op, count(*) AS calls, sum(${failed}) AS failures, min(published) AS first_seen,
                     max(published) AS last_seen, min(request_uri) AS example_uri
              FROM filtered GROUP BY kind, key, op)
        GROUP BY kind, key
      ),
      uas AS (
        SELECT kind, key, json_group_array(json_object('userAgent', user_agent, 'calls', calls)) AS uas_json
        FROM (SELECT kind, key, user_agent, count(*) AS calls,
                     row_number() OVER (PARTITION BY kind, key ORDER BY count(*) DESC, user_agent) AS n
              FROM filtered GROUP BY kind, key, user_agent)
        WHERE n <= @topUa
        GROUP BY kind, key
      ),
      top_actors AS (
        SELECT kind, key, json_group_array(json_object('id', actor_id, 'alternateId', alternate_id, 'calls', calls)) AS actors_json
        FROM (SELECT kind, key, actor_id, max(actor_alternate_id) AS alternate_id, count(*) AS calls,
                     row_number() OVER (PARTITION BY kind, key ORDER BY count(*) DESC, actor_id) AS n
              FROM filtered WHERE actor_id IS NOT NULL GROUP BY kind, key, actor_id)
        WHERE n <= @topActors
        GROUP BY kind, key
      )
      SELECT t.*, o.ops_json, u.uas_json, a.actors_json,
             tok.name AS token_name, (tok.id IS NOT NULL) AS token_found, tok.user_id AS token_owner_id,
             ow.login AS token_owner_login, ow.status AS token_owner_status
      FROM tot t
      JOIN ops o ON o.kind = t.kind AND o.key = t.key
      JOIN uas u ON u.kind = t.kind AND u.key = t.key
      LEFT JOIN top_actors a ON a.kind = t.kind AND a.key = t.key
      LEFT JOIN api_tokens tok ON t.kind = 'api_token' AND tok.snapshot_id = @snapshot AND tok.id = t.key
      LEFT JOIN users ow ON ow.snapshot_id = @snapshot AND ow.id = tok.user_id
      ORDER BY t.kind, t.key`).iterate({
      snapshot: ctx.snapshot.id,
      includeBrowser: ctx.pipeline === 'v1' ? 0 : 1,
      topUa: TOP_USER_AGENTS,
      topActors: TOP_ACTORS,
    });

    for (const r of rows) {
      const ops = parseJson<OpCount[]>(r.ops_json, []).sort((a, b) => b.calls - a.calls || a.op.operation.localeCompare(b.op.operation));
      const uas = parseJson<UaCount[]>(r.uas_json, [])
        .sort((a, b) => b.calls - a.calls || (a.userAgent ?? '').localeCompare(b.userAgent ?? ''))
        .map((u) => ({ ...u, browser: isBrowserUserAgent(u.userAgent) }));
      const actors = parseJson<{ id: string; alternateId: string | null; calls: number }[]>(r.actors_json, [])
        .sort((a, b) => b.calls - a.calls || a.id.localeCompare(b.id));
      const who = describe(r);
      const opText = listText(ops.map((o) => `${o.op.label} ×${o.calls.toLocaleString('en-US')}`), 12);
      const uaText = listText(uas.map((u) => `${u.userAgent ?? '(none)'} (${u.browser ? 'browser' : 'non-browser'})`), 5);
      const nonBrowser = uas.filter((u) => !u.browser).length;
      const summary =
        `${who} made ${counted(r.calls, 'Classic API call')}${r.failures > 0 ? ` (${r.failures.toLocaleString('en-US')} failed)` : ''} ` +
        `from ${r.first_seen ?? 'unknown'} to ${r.last_seen ?? 'unknown'}: ${opText}; ${counted(r.target_users, 'distinct target user')}; ` +
        `user agents: ${uaText}`;
      yield finding(meta, {
        severity: r.kind === 'browser' ? 'medium' : meta.severity,
        subjectType: 'integration',
        subjectId: r.key,
        userId: r.kind === 'api_token' ? r.token_owner_id : null,
        userLogin: r.kind === 'api_token' ? r.token_owner_login : null,
        userStatus: r.kind === 'api_token' ? r.token_owner_status : null,
        evidence: byEngine(ctx.pipeline, {
          v1: `Classic API caller to migrate before the upgrade: ${summary}.`,
          idx: `Classic API caller still active on Identity Engine, where these APIs have limits: ${summary}.`,
          unknown: `${summary}.`,
        }),
        details: {
          integration: {
            kind: r.kind,
            id: r.key,
            ...(r.kind === 'api_token'
              ? { tokenName: r.token_name, tokenInSnapshot: r.token_found === 1, ownerId: r.token_owner_id, ownerLogin: r.token_owner_login, ownerStatus: r.token_owner_status }
              : {}),
          },
          calls: r.calls,
          failedCalls: r.failures,
          firstSeen: r.first_seen,
          lastSeen: r.last_seen,
          apis: [...new Set(ops.map((o) => o.op.api))].sort(),
          operations: ops.map((o) => ({ api: o.op.api, operation: o.op.operation, label: o.op.label, calls: o.calls, failedCalls: o.failures, firstSeen: o.firstSeen, lastSeen: o.lastSeen, exampleUri: o.exampleUri })),
          distinctUserAgents: r.user_agents,
          nonBrowserUserAgents: nonBrowser,
          userAgents: uas,
          distinctActors: r.actors,
          distinctTargetUsers: r.target_users,
          topActors: actors,
          engine: ctx.pipeline,
        },
      });
    }
  },
};

function describe(r: Row): string {
  switch (r.kind) {
    case 'api_token': {
      const owner = r.token_owner_id === null ? '' : `, owner ${r.token_owner_login ?? r.token_owner_id} ${r.token_owner_status ?? '(not in snapshot)'}`;
      return r.token_found === 1 ? `API token ${quoted(r.token_name)} (${r.key}${owner})` : `API token ${r.key} (not in the API token list)`;
    }
    case 'oauth_client':
      return `OAuth client ${r.key}`;
    case 'user_agent':
      return `An integration without API token or client id, user agent ${quoted(r.key)},`;
    case 'browser':
      return 'Browsers (custom or embedded sign-in pages, no API token or client id)';
  }
}

