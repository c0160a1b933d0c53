/**
 * Org-level reads: engine (pipeline), authenticators, policies with their rules, event hooks, API
 * token metadata, and the integration surface the upgrade touches: apps (with their authentication
 * pipeline), brands with their customized sign-in pages, custom domains, trusted origins and inline
 * hooks. Each resource is stored whole or recorded as not available (exists, not read) or not
 * applicable (the org has no such data), with the reason; a resumed crawl skips the ones done.
 */
import type { OktaReader, JsonObject } from '../okta/client.js';
import type { SnapshotWriter } from '../store/snapshot_writer.js';
import type { Pipeline } from '../store/types.js';
import { classify } from './classify.js';
import { notOnEngine } from './engine_only.js';

export const POLICY_TYPES = ['MFA_ENROLL', 'OKTA_SIGN_ON', 'ACCESS_POLICY', 'IDP_DISCOVERY'] as const;

export async function crawlOrg(reader: OktaReader, writer: SnapshotWriter, snapshotId: number): Promise<Pipeline | null> {
  let pipeline: Pipeline | null = writer.snapshot(snapshotId)?.pipeline ?? null;
  const read = (resource: string, endpoint: string, body: () => Promise<void>) =>
    guarded(writer, snapshotId, pipeline, resource, endpoint, body);

  await read('wellKnown', '/.well-known/okta-organization', async () => {
    const meta = (await reader.getJson('/.well-known/okta-organization')) as { id?: string; pipeline?: string };
    pipeline = meta.pipeline === 'idx' || meta.pipeline === 'v1' ? meta.pipeline : null;
    writer.setOrgInfo(snapshotId, { orgId: meta.id ?? null, pipeline });
    writer.markOrgResource(snapshotId, 'wellKnown', 'complete');
  });
  await read('authenticators', '/api/v1/authenticators', async () => {
    writer.writeOrgResource(snapshotId, 'authenticators', await listAll(reader, '/api/v1/authenticators'), 'authenticators');
  });
  for (const type of POLICY_TYPES) {
    const resource = `policies:${type}`;
    await read(resource, `/api/v1/policies?type=${type}`, async () => {
      const policies = await listAll(reader, `/api/v1/policies?type=${type}`);
      for (const policy of policies) {
        const id = String(policy.id);
        const rules = await listAll(reader, `/api/v1/policies/${encodeURIComponent(id)}/rules`);
        writer.writeOrgResource(snapshotId, `policyRules:${id}`, rules, 'policy_rules', { policyId: id });
      }
      writer.writeOrgResource(snapshotId, resource, policies, 'policies');
    });
  }
  await read('eventHooks', '/api/v1/eventHooks', async () => {
    writer.writeOrgResource(snapshotId, 'eventHooks', await listAll(reader, '/api/v1/eventHooks'), 'event_hooks');
  });
  await read('apiTokens', '/api/v1/api-tokens', async () => {
    writer.writeOrgResource(snapshotId, 'apiTokens', await listAll(reader, '/api/v1/api-tokens'), 'api_tokens');
  });
  // Read raw: authenticationPipeline is not in the SDK's Application model.
  await read('apps', '/api/v1/apps', async () => {
    writer.writeOrgResource(snapshotId, 'apps', await listAll(reader, '/api/v1/apps?limit=200'), 'apps');
  });
  await read('brands', '/api/v1/brands', async () => {
    const brands = await listAll(reader, '/api/v1/brands?limit=200');
    for (const brand of brands) {
      const id = String(brand.id);
      const page = await customizedSignInPage(reader, id);
      writer.writeOrgResource(snapshotId, `signInPage:${id}`, page === null ? [] : [page], 'sign_in_pages', { brandId: id });
    }
    writer.writeOrgResource(snapshotId, 'brands', brands, 'brands');
  });
  await read('domains', '/api/v1/domains', async () => {
    // Not a list: Okta wraps custom domains as {"domains": [...]}.
    const body = (await reader.getJson('/api/v1/domains')) as { domains?: unknown } | null;
    if (!Array.isArray(body?.domains)) throw new Error('the custom domains answer has no "domains" list');
    writer.writeOrgResource(snapshotId, 'domains', body.domains as JsonObject[], 'domains');
  });
  await read('trustedOrigins', '/api/v1/trustedOrigins', async () => {
    writer.writeOrgResource(snapshotId, 'trustedOrigins', await listAll(reader, '/api/v1/trustedOrigins?limit=200'), 'trusted_origins');
  });
  await read('inlineHooks', '/api/v1/inlineHooks', async () => {
    writer.writeOrgResource(snapshotId, 'inlineHooks', await listAll(reader, '/api/v1/inlineHooks'), 'inline_hooks');
  });
  return pipeline;
}

/** A brand's customized sign-in page, or null when the brand uses Okta's default page (a 404). */
async function customizedSignInPage(reader: OktaReader, brandId: string): Promise<JsonObject | null> {
  try {
    return (await reader.getJson(`/api/v1/brands/${encodeURIComponent(brandId)}/pages/sign-in/customized`)) as JsonObject;
  } catch (e) {
    if ((e as { status?: unknown }).status === 404) return null;
    throw e;
  }
}

export async function listAll(reader: OktaReader, path: string): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const page of reader.pages(path)) out.push(...page.items);
  return out;
}

async function guarded(writer: SnapshotWriter, snapshotId: number, pipeline: Pipeline | null, resource: string, endpoint: string,
  read: () => Promise<void>): Promise<void> {
  if (writer.isOrgResourceDone(snapshotId, resource)) return;
  const absent = notOnEngine(resource, pipeline);
  if (absent !== undefined) {
    writer.markOrgResource(snapshotId, resource, 'not_applicable', absent);
    return;
  }
  try {
    await read();
  } catch (e) {
    const f = classify(e, 'org');
    if (f.kind === 'not_available' || f.kind === 'not_applicable') {
      writer.markOrgResource(snapshotId, resource, f.kind, f.message, f.httpStatus, f.errorCode);
    } else {
      writer.recordError(snapshotId, { scope: 'org', subject: resource, endpoint, kind: f.kind, httpStatus: f.httpStatus, errorCode: f.errorCode, message: f.message });
    }
  }
}
