/**
 * Org-level reads: engine (pipeline), authenticators, policies with their rules, event hooks and
 * API token metadata. Each resource is stored whole or recorded as not available with the reason,
 * and a resumed crawl skips the ones already done.
 */
import type { OktaReader, JsonObject } from '../okta/client.js';
import type { SnapshotWriter } from '../store/snapshot_writer.js';
import type { Pipeline } from '../store/types.js';
import { classify } from './classify.js';

export const POLICY_TYPES = ['MFA_ENROLL', 'OKTA_SIGN_ON', 'ACCESS_POLICY', 'IDP_DISCOVERY'] as const;

export async function crawlOrg(reader: OktaReader, writer: SnapshotWriter, snapshotId: number): Promise<Pipeline | null> {
  let pipeline: Pipeline | null = null;
  await guarded(writer, snapshotId, 'wellKnown', '/.well-known/okta-organization', async () => {
    const meta = (await reader.getJson('/.well-known/okta-organization')) as { id?: string; pipeline?: string };
    pipeline = meta.pipeline === 'idx' || meta.pipeline === 'v1' ? meta.pipeline : null;
    writer.setOrgInfo(snapshotId, { orgId: meta.id ?? null, pipeline });
    writer.markOrgResource(snapshotId, 'wellKnown', 'complete');
  });
  await guarded(writer, snapshotId, 'authenticators', '/api/v1/authenticators', async () => {
    writer.writeOrgResource(snapshotId, 'authenticators', await listAll(reader, '/api/v1/authenticators'), 'authenticators');
  });
  for (const type of POLICY_TYPES) {
    const resource = `policies:${type}`;
    await guarded(writer, snapshotId, resource, `/api/v1/policies?type=${type}`, async () => {
      const policies = await listAll(reader, `/api/v1/policies?type=${type}`);
      for (const policy of policies) {
        const id = String(policy.id);
        const rules = await listAll(reader, `/api/v1/policies/${encodeURIComponent(id)}/rules`);
        writer.writeOrgResource(snapshotId, `policyRules:${id}`, rules, 'policy_rules', { policyId: id });
      }
      writer.writeOrgResource(snapshotId, resource, policies, 'policies');
    });
  }
  await guarded(writer, snapshotId, 'eventHooks', '/api/v1/eventHooks', async () => {
    writer.writeOrgResource(snapshotId, 'eventHooks', await listAll(reader, '/api/v1/eventHooks'), 'event_hooks');
  });
  await guarded(writer, snapshotId, 'apiTokens', '/api/v1/api-tokens', async () => {
    writer.writeOrgResource(snapshotId, 'apiTokens', await listAll(reader, '/api/v1/api-tokens'), 'api_tokens');
  });
  return pipeline;
}

export async function listAll(reader: OktaReader, path: string): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const page of reader.pages(path)) out.push(...page.items);
  return out;
}

async function guarded(writer: SnapshotWriter, snapshotId: number, resource: string, endpoint: string, read: () => Promise<void>): Promise<void> {
  if (writer.isOrgResourceDone(snapshotId, resource)) return;
  try {
    await read();
  } catch (e) {
    const f = classify(e, 'org');
    if (f.kind === 'not_available') {
      writer.markOrgResource(snapshotId, resource, 'not_available', f.message, f.httpStatus, f.errorCode);
    } else {
      writer.recordError(snapshotId, { scope: 'org', subject: resource, endpoint, kind: f.kind, httpStatus: f.httpStatus, errorCode: f.errorCode, message: f.message });
    }
  }
}
