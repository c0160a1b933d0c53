/**
 * System Log event types with a meaning for the upgrade, shared by the crawl (which queries them)
 * and the rules (which read them).
 * @module
 */

/** Written only by Classic Engine Device Trust ("Identity Engine limitations": not triggered in Identity Engine). */
export const DEVICE_TRUST_EVENT_TYPES: readonly string[] = ['user.authentication.authenticate', 'user.credential.enroll'];
