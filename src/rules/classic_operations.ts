/**
 * Names the Classic API operation behind a System Log event from its request path
 * (`debugContext.debugData.requestUri`) and event type. The log has no HTTP method, so calls that
 * share a path (list vs enroll, get vs delete a factor) are told apart by the event they caused.
 * Checklist A1 (Authentication API), A2 (Sessions API), A3 (Factors API).
 * @module
 */

export type ClassicApi = 'authn' | 'sessions' | 'factors';

export interface ClassicOperation {
  api: ClassicApi;
  /** Stable name, used in details and for grouping. */
  operation: string;
  /** What an auditor reads. */
  label: string;
}

const op = (api: ClassicApi, operation: string, label: string): ClassicOperation => ({ api, operation, label });

const ENROLL_EVENTS = new Set(['user.mfa.factor.activate', 'user.mfa.factor.enroll']);
const DELETE_EVENTS = new Set(['user.mfa.factor.deactivate']);

/** The Classic operation a call is, or undefined when the path is not a Classic-only API. */
export function classicOperation(requestUri: string | null | undefined, eventType?: string | null): ClassicOperation | undefined {
  if (typeof requestUri !== 'string') return undefined;
  // The path only: tolerate a query, a fragment, doubled or trailing slashes.
  const path = (requestUri.split(/[?#]/, 1)[0] ?? '').replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
  const s = path.split('/').slice(1); // ['api', 'v1', ...]
  if (s[0] !== 'api' || s[1] !== 'v1') return undefined;
  const rest = s.slice(2);
  if (rest[0] === 'authn') return authnOperation(rest.slice(1));
  if (rest[0] === 'sessions') return sessionsOperation(rest.slice(1));
  if (rest[0] === 'users' && rest.length >= 3 && rest[2] === 'factors') return factorsOperation(rest.slice(3), eventType ?? null);
  return undefined;
}

function authnOperation(r: string[]): ClassicOperation {
  if (r.length === 0) return op('authn', 'primaryAuthentication', 'primary sign-in (/api/v1/authn)');
  if (r[0] === 'factors') {
    if (r.length === 1) return op('authn', 'enrollAuthnFactor', 'authn factor enroll (/api/v1/authn/factors)');
    if (r[2] === 'verify') return op('authn', 'verifyAuthnFactor', 'authn factor verify (/api/v1/authn/factors/{id}/verify)');
    if (r[2] === 'lifecycle' && r[3] === 'activate') return op('authn', 'activateAuthnFactor', 'authn factor activate (/api/v1/authn/factors/{id}/lifecycle/activate)');
  }
  if (r[0] === 'recovery') return op('authn', 'authnRecovery', 'authn recovery (/api/v1/authn/recovery/…)');
  return op('authn', 'authnOther', `other Authentication API call (/api/v1/authn/${r[0]}…)`);
}

function sessionsOperation(r: string[]): ClassicOperation {
  if (r.length === 0) return op('sessions', 'createSession', 'create session (/api/v1/sessions)');
  if (r[0] === 'me') return op('sessions', 'currentSession', 'current session (/api/v1/sessions/me, deprecated)');
  return op('sessions', 'sessionById', 'session by id (/api/v1/sessions/{id})');
}

function factorsOperation(r: string[], eventType: string | null): ClassicOperation {
  const base = '/api/v1/users/{uid}/factors';
  if (r.length === 0) {
    return eventType !== null && ENROLL_EVENTS.has(eventType)
      ? op('factors', 'enrollFactor', `enrollFactor (POST ${base})`)
      : op('factors', 'listFactors', `listFactors (GET ${base})`);
  }
  if (r[0] === 'catalog') return op('factors', 'listSupportedFactors', `listSupportedFactors (${base}/catalog)`);
  if (r[0] === 'questions') return op('factors', 'listSupportedSecurityQuestions', `listSupportedSecurityQuestions (${base}/questions)`);
  if (r.length === 1) {
    return eventType !== null && DELETE_EVENTS.has(eventType)
      ? op('factors', 'deleteFactor', `deleteFactor (DELETE ${base}/{fid})`)
      : op('factors', 'getFactor', `getFactor (${base}/{fid})`);
  }
  if (r[1] === 'lifecycle' && r[2] === 'activate') return op('factors', 'activateFactor', `activateFactor (${base}/{fid}/lifecycle/activate)`);
  if (r[1] === 'verify') return op('factors', 'verifyFactor', `verifyFactor (${base}/{fid}/verify)`);
  if (r[1] === 'transactions') return op('factors', 'getFactorTransactionStatus', `getFactorTransactionStatus, push polling (${base}/{fid}/transactions/{tid})`);
  if (r[1] === 'resend') return op('factors', 'resendEnrollFactor', `resendEnrollFactor (${base}/{fid}/resend)`);
  return op('factors', 'factorsOther', `other Factors API call (${base}/{fid}/${r[1]}…)`);
}
