/**
 * Org data that exists only on Identity Engine. On a Classic Engine org these APIs have nothing to
 * return (Okta answers "feature not enabled"), so the crawl does not ask: it records each as not
 * applicable, with the reason in words, and the snapshot stays complete.
 * @module
 */
import type { Pipeline } from '../store/types.js';

export const IDENTITY_ENGINE_ONLY: Readonly<Record<string, string>> = {
  authenticatorEnrollments:
    'Authenticator enrollments are an Identity Engine API: on a Classic Engine org each user\'s Factors API list is the whole MFA picture, so there is nothing more to read.',
  authenticators:
    'The Authenticators API exists only in Identity Engine: a Classic Engine org configures factors instead (see the MFA enrollment policies and the Factors sheet).',
  'policies:ACCESS_POLICY':
    'App authentication policies exist only in Identity Engine: on Classic Engine each app has its own sign-on rules, which the upgrade turns into authentication policies.',
};

/** The reason a resource does not exist on this org's engine, or undefined when it may exist. */
export function notOnEngine(resource: string, pipeline: Pipeline | null): string | undefined {
  return pipeline === 'v1' ? IDENTITY_ENGINE_ONLY[resource] : undefined;
}
