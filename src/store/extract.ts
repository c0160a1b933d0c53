/**
 * Column extraction: from one Okta JSON object (as served) to the row the snapshot stores.
 * Okta JSON is loosely typed and fields come and go by engine and feature flag, so every
 * accessor tolerates absence and wrong types by yielding NULL instead of throwing.
 * @module
 */
import { AuditError } from '../errors.js';
import type { OrgTable, RawObject, SettingsFormat } from './types.js';

type Cell = string | number | null;
export type Params = Record<string, Cell>;

function isObject(v: unknown): v is RawObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function at(o: unknown, ...path: string[]): unknown {
  let cur = o;
  for (const key of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function text(o: unknown, ...path: string[]): string | null {
  const v = at(o, ...path);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

function int(o: unknown, ...path: string[]): number | null {
  const v = at(o, ...path);
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return null;
}

function flag(o: unknown, ...path: string[]): number | null {
  const v = at(o, ...path);
  return typeof v === 'boolean' ? Number(v) : null;
}

/** JSON text of the object as served; a value JSON cannot encode is a crawler bug, said plainly. */
export function rawJson(o: RawObject, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(o);
  } catch (cause) {
    throw new AuditError('ERR_SNAPSHOT', `Cannot store ${what}: it is not plain JSON (${(cause as Error).message}); report this as a bug.`, { cause });
  }
  if (json === undefined) throw new AuditError('ERR_SNAPSHOT', `Cannot store ${what}: it is not a JSON object; report this as a bug.`);
  return json;
}

/** The identifying field, which the row's primary key needs. */
export function requireId(o: unknown, field: string, what: string): string {
  const id = text(o, field);
  if (id === null || id === '') {
    throw new AuditError('ERR_SNAPSHOT', `An item in ${what} has no "${field}", so it is not an Okta ${what} object; check the org URL points at an Okta org.`);
  }
  return id;
}

export function userParams(snapshotId: number, u: RawObject): Params {
  return {
    snapshot_id: snapshotId,
    id: requireId(u, 'id', 'users'),
    login: text(u, 'profile', 'login'),
    status: text(u, 'status'),
    created: text(u, 'created'),
    last_updated: text(u, 'lastUpdated'),
    last_login: text(u, 'lastLogin'),
    raw_json: rawJson(u, 'a user'),
  };
}

export function factorParams(snapshotId: number, userId: string, f: RawObject): Params {
  return {
    snapshot_id: snapshotId,
    user_id: userId,
    id: requireId(f, 'id', 'factors'),
    factor_type: text(f, 'factorType'),
    provider: text(f, 'provider'),
    vendor_name: text(f, 'vendorName'),
    status: text(f, 'status'),
    device_name: text(f, 'profile', 'name'),
    platform: text(f, 'profile', 'platform'),
    device_type: text(f, 'profile', 'deviceType'),
    credential_id: text(f, 'profile', 'credentialId'),
    created: text(f, 'created'),
    last_updated: text(f, 'lastUpdated'),
    last_verified: text(f, 'lastVerified'),
    raw_json: rawJson(f, `a factor of user ${userId}`),
  };
}

/**
 * Where an enrollment may name its device. Okta documents no profile for okta_verify enrollments
 * (the spec's profile has only phoneNumber), so the plausible fields are tried in this order; the
 * migration 0003 backfill uses the same list.
 */
export const ENROLLMENT_DEVICE_NAME_FIELDS = [
  ['profile', 'deviceName'], ['profile', 'name'], ['profile', 'displayName'], ['nickname'], ['_embedded', 'device', 'profile', 'displayName'],
] as const;

export function enrollmentDeviceName(e: RawObject): string | null {
  for (const path of ENROLLMENT_DEVICE_NAME_FIELDS) {
    const v = text(e, ...path);
    if (v !== null && v !== '') return v;
  }
  return null;
}

export function enrollmentParams(snapshotId: number, userId: string, e: RawObject): Params {
  return {
    snapshot_id: snapshotId,
    user_id: userId,
    id: requireId(e, 'id', 'authenticator enrollments'),
    key: text(e, 'key'),
    type: text(e, 'type'),
    status: text(e, 'status'),
    name: text(e, 'name'),
    nickname: text(e, 'nickname'),
    device_name: enrollmentDeviceName(e),
    created: text(e, 'created'),
    last_updated: text(e, 'lastUpdated'),
    raw_json: rawJson(e, `an authenticator enrollment of user ${userId}`),
  };
}

/** 'FACTORS' for the Classic `settings.factors` map, 'AUTHENTICATORS' for the Identity Engine format. */
export function settingsFormat(policy: RawObject): SettingsFormat | null {
  if (isObject(at(policy, 'settings', 'factors'))) return 'FACTORS';
  if (at(policy, 'settings', 'type') === 'AUTHENTICATORS') return 'AUTHENTICATORS';
  return null;
}

export function logEventParams(snapshotId: number, ev: RawObject): Params {
  const targets = at(ev, 'target');
  const userTarget = Array.isArray(targets) ? targets.find((t) => at(t, 'type') === 'User') : undefined;
  return {
    snapshot_id: snapshotId,
    uuid: requireId(ev, 'uuid', 'System Log events'),
    published: text(ev, 'published'),
    event_type: text(ev, 'eventType'),
    actor_id: text(ev, 'actor', 'id'),
    actor_type: text(ev, 'actor', 'type'),
    actor_alternate_id: text(ev, 'actor', 'alternateId'),
    user_agent: text(ev, 'client', 'userAgent', 'rawUserAgent'),
    request_uri: text(ev, 'debugContext', 'debugData', 'requestUri'),
    api_token_id: text(ev, 'transaction', 'detail', 'requestApiTokenId'),
    client_id: text(ev, 'client', 'id'),
    outcome_result: text(ev, 'outcome', 'result'),
    target_user_id: userTarget === undefined ? null : text(userTarget, 'id'),
    raw_json: rawJson(ev, 'a System Log event'),
  };
}

/** Columns of each org-level table (besides snapshot_id, resource and raw_json). */
/** `parentId`: the owning policy of policy rules, the brand of a sign-in page (neither object names it). */
export function orgParams(table: OrgTable, snapshotId: number, resource: string, row: RawObject, parentId?: string): Params {
  const base = { snapshot_id: snapshotId, resource, created: text(row, 'created'), last_updated: text(row, 'lastUpdated') };
  switch (table) {
    case 'authenticators':
      return {
        ...base,
        id: requireId(row, 'id', 'authenticators'),
        key: text(row, 'key'),
        type: text(row, 'type'),
        name: text(row, 'name'),
        status: text(row, 'status'),
        raw_json: rawJson(row, 'an authenticator'),
      };
    case 'policies':
      return {
        ...base,
        id: requireId(row, 'id', 'policies'),
        type: text(row, 'type'),
        name: text(row, 'name'),
        status: text(row, 'status'),
        priority: int(row, 'priority'),
        is_system: flag(row, 'system'),
        settings_format: settingsFormat(row),
        raw_json: rawJson(row, 'a policy'),
      };
    case 'policy_rules': {
      const owner = parentId ?? text(row, 'policyId');
      if (owner === null) {
        throw new AuditError('ERR_SNAPSHOT', `Policy rules for resource ${resource} were written without their policy id; report this as a bug.`);
      }
      return {
        ...base,
        policy_id: owner,
        id: requireId(row, 'id', 'policy rules'),
        type: text(row, 'type'),
        name: text(row, 'name'),
        status: text(row, 'status'),
        priority: int(row, 'priority'),
        is_system: flag(row, 'system'),
        raw_json: rawJson(row, 'a policy rule'),
      };
    }
    case 'event_hooks': {
      const items = at(row, 'events', 'items');
      return {
        ...base,
        id: requireId(row, 'id', 'event hooks'),
        name: text(row, 'name'),
        status: text(row, 'status'),
        events_json: Array.isArray(items) ? JSON.stringify(items) : null,
        raw_json: rawJson(row, 'an event hook'),
      };
    }
    case 'api_tokens':
      return {
        ...base,
        id: requireId(row, 'id', 'API tokens'),
        name: text(row, 'name'),
        user_id: text(row, 'userId'),
        client_name: text(row, 'clientName'),
        expires_at: text(row, 'expiresAt'),
        raw_json: rawJson(row, 'an API token'),
      };
    case 'apps':
      return {
        ...base,
        id: requireId(row, 'id', 'apps'),
        name: text(row, 'name'),
        label: text(row, 'label'),
        status: text(row, 'status'),
        sign_on_mode: text(row, 'signOnMode'),
        authentication_pipeline: text(row, 'authenticationPipeline'),
        login_redirect_url: text(row, 'accessibility', 'loginRedirectUrl'),
        raw_json: rawJson(row, 'an app'),
      };
    case 'brands':
      return { ...base, id: requireId(row, 'id', 'brands'), name: text(row, 'name'), is_default: flag(row, 'isDefault'), raw_json: rawJson(row, 'a brand') };
    case 'sign_in_pages':
      if (parentId === undefined) throw new AuditError('ERR_SNAPSHOT', `A sign-in page for resource ${resource} was written without its brand id; report this as a bug.`);
      return { ...base, brand_id: parentId, widget_version: text(row, 'widgetVersion'), raw_json: rawJson(row, 'a sign-in page') };
    case 'domains':
      return {
        ...base,
        id: requireId(row, 'id', 'domains'),
        domain: text(row, 'domain'),
        brand_id: text(row, 'brandId'),
        validation_status: text(row, 'validationStatus'),
        raw_json: rawJson(row, 'a custom domain'),
      };
    case 'trusted_origins': {
      const scopes = at(row, 'scopes');
      const types = Array.isArray(scopes) ? scopes.map((sc) => text(sc, 'type')).filter((t): t is string => t !== null) : [];
      return {
        ...base,
        id: requireId(row, 'id', 'trusted origins'),
        name: text(row, 'name'),
        origin: text(row, 'origin'),
        status: text(row, 'status'),
        scope_types: types.length > 0 ? types.join(',') : null,
        raw_json: rawJson(row, 'a trusted origin'),
      };
    }
    case 'inline_hooks':
      return {
        ...base,
        id: requireId(row, 'id', 'inline hooks'),
        name: text(row, 'name'),
        type: text(row, 'type'),
        status: text(row, 'status'),
        raw_json: rawJson(row, 'an inline hook'),
      };
  }
}

/** Column order of each org table, for the prepared INSERT statements. */
export const ORG_COLUMNS: Record<OrgTable, { columns: readonly string[]; key: readonly string[] }> = {
  authenticators: { columns: ['snapshot_id', 'id', 'resource', 'key', 'type', 'name', 'status', 'created', 'last_updated', 'raw_json'], key: ['snapshot_id', 'id'] },
  policies: {
    columns: ['snapshot_id', 'id', 'resource', 'type', 'name', 'status', 'priority', 'is_system', 'settings_format', 'created', 'last_updated', 'raw_json'],
    key: ['snapshot_id', 'id'],
  },
  policy_rules: {
    columns: ['snapshot_id', 'policy_id', 'id', 'resource', 'type', 'name', 'status', 'priority', 'is_system', 'created', 'last_updated', 'raw_json'],
    key: ['snapshot_id', 'policy_id', 'id'],
  },
  event_hooks: { columns: ['snapshot_id', 'id', 'resource', 'name', 'status', 'events_json', 'created', 'last_updated', 'raw_json'], key: ['snapshot_id', 'id'] },
  api_tokens: {
    columns: ['snapshot_id', 'id', 'resource', 'name', 'user_id', 'client_name', 'created', 'expires_at', 'last_updated', 'raw_json'],
    key: ['snapshot_id', 'id'],
  },
  apps: {
    columns: ['snapshot_id', 'id', 'resource', 'name', 'label', 'status', 'sign_on_mode', 'authentication_pipeline', 'login_redirect_url', 'created', 'last_updated', 'raw_json'],
    key: ['snapshot_id', 'id'],
  },
  brands: { columns: ['snapshot_id', 'id', 'resource', 'name', 'is_default', 'created', 'last_updated', 'raw_json'], key: ['snapshot_id', 'id'] },
  sign_in_pages: { columns: ['snapshot_id', 'brand_id', 'resource', 'widget_version', 'created', 'last_updated', 'raw_json'], key: ['snapshot_id', 'brand_id'] },
  domains: {
    columns: ['snapshot_id', 'id', 'resource', 'domain', 'brand_id', 'validation_status', 'created', 'last_updated', 'raw_json'],
    key: ['snapshot_id', 'id'],
  },
  trusted_origins: {
    columns: ['snapshot_id', 'id', 'resource', 'name', 'origin', 'status', 'scope_types', 'created', 'last_updated', 'raw_json'],
    key: ['snapshot_id', 'id'],
  },
  inline_hooks: { columns: ['snapshot_id', 'id', 'resource', 'name', 'type', 'status', 'created', 'last_updated', 'raw_json'], key: ['snapshot_id', 'id'] },
};

/** `INSERT … ON CONFLICT DO UPDATE` over fixed identifiers: an upsert, never a REPLACE (which deletes and would cascade). */
export function upsertSql(table: string, columns: readonly string[], key: readonly string[]): string {
  const updates = columns.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})
    ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
}
