/** Okta's error object (`{errorCode, errorSummary, errorLink, errorId, errorCauses}`) and the codes the simulator answers. */
import { randomBytes } from 'node:crypto';

export interface OktaErrorBody {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: { errorSummary: string }[];
}

export interface OktaErrorResponse {
  status: number;
  body: OktaErrorBody;
}

/** Okta's ids for errors and requests look like `oae` + 22 url-safe characters. */
export function oktaRequestId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

export function oktaError(status: number, errorCode: string, errorSummary: string, causes: string[] = []): OktaErrorResponse {
  return {
    status,
    body: {
      errorCode,
      errorSummary,
      errorLink: errorCode,
      errorId: `oae${oktaRequestId()}`,
      errorCauses: causes.map((c) => ({ errorSummary: c })),
    },
  };
}

export const errors = {
  rateLimited: () => oktaError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'),
  notFound: (what: string) => oktaError(404, 'E0000007', `Not found: Resource not found: ${what}`),
  invalidToken: () => oktaError(401, 'E0000011', 'Invalid token provided'),
  forbidden: () => oktaError(403, 'E0000006', 'You do not have permission to perform the requested action'),
  /** The spec's `Error-FF-NotEnabled-Response-401`: what an org answers for a feature it lacks. */
  featureNotEnabled: () => oktaError(401, 'E0000015', 'You do not have permission to access the feature you are requesting'),
  methodNotAllowed: () => oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method'),
  validation: (cause: string) => oktaError(400, 'E0000001', `Api validation failed: ${cause}`, [cause]),
  internal: () => oktaError(500, 'E0000009', 'Internal Server Error'),
};
