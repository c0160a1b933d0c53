import { classicOperation } from '../../src/rules/classic_operations.js';

describe('classicOperation: request path (and event type) to Classic API operation', () => {
  const table: Array<[string, string | null, string | undefined]> = [
    // Authentication API
    ['/api/v1/authn', 'user.session.start', 'primaryAuthentication'],
    ['/api/v1/authn/', null, 'primaryAuthentication'],
    ['/api/v1/authn?x=1', null, 'primaryAuthentication'],
    ['/api/v1/authn/factors/opf1/verify', 'user.authentication.auth_via_mfa', 'verifyAuthnFactor'],
    ['/api/v1/authn/factors/opf1/verify/resend', null, 'verifyAuthnFactor'],
    ['/api/v1/authn/factors', null, 'enrollAuthnFactor'],
    ['/api/v1/authn/factors/opf1/lifecycle/activate', null, 'activateAuthnFactor'],
    ['/api/v1/authn/factors/opf1/lifecycle/activate/poll', 'user.mfa.factor.activate', 'activateAuthnFactor'],
    ['/api/v1/authn/recovery/password', null, 'authnRecovery'],
    ['/api/v1/authn/cancel', null, 'authnOther'],
    // Sessions API
    ['/api/v1/sessions', 'user.session.start', 'createSession'],
    ['/api/v1/sessions/me', null, 'currentSession'],
    ['/api/v1/sessions/me/lifecycle/refresh', null, 'currentSession'],
    ['/api/v1/sessions/102abc/lifecycle/refresh', null, 'sessionById'],
    // Factors API
    ['/api/v1/users/00u1/factors', 'user.mfa.factor.activate', 'enrollFactor'],
    ['/api/v1/users/00u1/factors', 'user.mfa.factor.enroll', 'enrollFactor'],
    ['/api/v1/users/00u1/factors', 'user.mfa.factor.update', 'listFactors'],
    ['/api/v1/users/me/factors/catalog', null, 'listSupportedFactors'],
    ['/api/v1/users/00u1/factors/questions', null, 'listSupportedSecurityQuestions'],
    ['/api/v1/users/00u1/factors/opf1/lifecycle/activate', 'user.mfa.factor.activate', 'activateFactor'],
    ['/api/v1/users/00u1/factors/opf1/verify', 'system.push.send_factor_verify_push', 'verifyFactor'],
    ['/api/v1/users/00u1/factors/opf1/transactions/v2mst.abc', 'user.authentication.auth_via_mfa', 'getFactorTransactionStatus'],
    ['/api/v1/users/00u1/factors/sms1', 'user.mfa.factor.deactivate', 'deleteFactor'],
    ['/api/v1/users/00u1/factors/sms1', null, 'getFactor'],
    ['/api/v1/users/00u1/factors/sms1/resend', null, 'resendEnrollFactor'],
    ['//api/v1/users/00u1/factors/opf1/verify', null, 'verifyFactor'],
    // Not Classic-only APIs
    ['/idp/idx/identify', 'user.session.start', undefined],
    ['/api/v1/users/00u1', null, undefined],
    ['/api/v1/users/00u1/lifecycle/reset_factors', 'user.mfa.factor.reset_all', undefined],
    ['/api/v1/authnfoo', null, undefined],
    ['/api/v1/sessionsx', null, undefined],
    ['/api/v2/authn', null, undefined],
    ['/oauth2/v1/authorize', null, undefined],
    ['', null, undefined],
  ];

  it.each(table)('%s (%s) → %s', (uri, eventType, expected) => {
    expect(classicOperation(uri, eventType)?.operation).toBe(expected);
  });

  it('names the API family and gives a label an auditor can read', () => {
    expect(classicOperation('/api/v1/users/00u1/factors/opf1/transactions/t1')).toEqual({
      api: 'factors',
      operation: 'getFactorTransactionStatus',
      label: 'getFactorTransactionStatus, push polling (/api/v1/users/{uid}/factors/{fid}/transactions/{tid})',
    });
    expect(classicOperation('/api/v1/authn')?.api).toBe('authn');
    expect(classicOperation('/api/v1/sessions/me')?.api).toBe('sessions');
    expect(classicOperation(null)).toBeUndefined();
  });
});
