/**
 * API tokens whose owner (the admin the token acts as) is not ACTIVE or is missing from the
 * snapshot (checklist C11).
 */
import { counted, crawlScope, finding, quoted } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'apitoken_owner_not_active',
  title: 'API tokens owned by users who are not ACTIVE or not found',
  severity: 'high',
  family: 'Classic-only Workflows',
  whyItMatters:
    'An SSWS API token acts with its owner\'s admin rights. A token whose owner has left (deactivated, suspended, deleted) is an ' +
    'integration nobody owns: it cannot be traced to a person when it calls Classic APIs, and it breaks when the account is ' +
    'cleaned up, often in the middle of an upgrade.',
  recommendation:
    'Identify the integration behind each token (see Classic API Callers for its calls), then reassign it to a service account ' +
    'that an active admin owns, or better, replace it with an OAuth 2.0 service app with only the scopes it needs; revoke the old token.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-identify-integrations/',
  appliesTo: 'both',
  requires: ['apiTokens', 'users'],
  checklist: ['C11'],
};

interface Row {
  id: string;
  name: string | null;
  user_id: string | null;
  client_name: string | null;
  created: string | null;
  expires_at: string | null;
  owner_login: string | null;
  owner_status: string | null;
  owner_found: number;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const users = ctx.db.prepare<[number], number>(`SELECT count(*) FROM users WHERE snapshot_id = ?`).pluck().get(ctx.snapshot.id) ?? 0;
    const search = crawlScope(ctx.snapshot.settings_json).usersSearch;
    const rows = ctx.db.prepare<[number], Row>(`
      SELECT t.id, t.name, t.user_id, t.client_name, t.created, t.expires_at,
             u.login AS owner_login, u.status AS owner_status, (u.id IS NOT NULL) AS owner_found
      FROM api_tokens t
      LEFT JOIN users u ON u.snapshot_id = t.snapshot_id AND u.id = t.user_id
      WHERE t.snapshot_id = ? AND (u.id IS NULL OR u.status IS NOT 'ACTIVE')
      ORDER BY t.name, t.id`).iterate(ctx.snapshot.id);
    for (const t of rows) {
      const token = `API token ${quoted(t.name)} (${t.id}${t.client_name ? `, client ${quoted(t.client_name)}` : ''}, expires ${t.expires_at ?? 'never'})`;
      let owner: string;
      if (t.user_id === null) owner = 'names no owner';
      else if (t.owner_found === 1) owner = `acts as ${t.owner_login ?? t.user_id} (${t.user_id}), whose status is ${t.owner_status ?? 'unknown'}`;
      else {
        owner = `acts as user ${t.user_id}, who is not among the ${counted(users, 'user')} of this snapshot ` +
          (search === null ? '(deleted, or not listed by the crawl)' : `(deleted, or outside the crawl's user search ${quoted(search)})`);
      }
      yield finding(meta, {
        severity: t.owner_found === 1 || search === null ? meta.severity : 'medium',
        subjectType: 'api_token',
        subjectId: t.id,
        userId: t.user_id,
        userLogin: t.owner_login,
        userStatus: t.owner_status,
        evidence: `${token} ${owner}.`,
        details: {
          tokenId: t.id, name: t.name, clientName: t.client_name, created: t.created, expiresAt: t.expires_at,
          ownerId: t.user_id, ownerLogin: t.owner_login, ownerStatus: t.owner_status, ownerInSnapshot: t.owner_found === 1,
        },
      });
    }
  },
};
