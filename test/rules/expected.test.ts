import type { Db } from '../../src/store/db.js';
import { keys, run, tempDb, writeSnapshot } from './helpers.js';
import { email, push, question, sms, user } from './okta_json.js';

const EMAIL = 'factor_email_expected_after_upgrade';
const QUESTION = 'factor_question_expected_after_upgrade';

let env: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(async () => {
  env = tempDb();
  db = env.db;
});
afterEach(() => env.cleanup());

describe('Expected after the upgrade', () => {
  it('on Identity Engine, notes the email and question factors Okta adds as expected', async () => {
    const id = await writeSnapshot(db, {
      org: { id: '00o1acme', pipeline: 'idx' },
      users: [user('00u1', 'ann@example.com', { recoveryQuestion: true }), user('00u2', 'bob@example.com'), user('00u3', 'cat@example.com', { recoveryQuestion: true })],
      factors: {
        '00u1': [email('emf1', 'ann@example.com'), question('ufs1'), push('00u1', 'opf1', 'iPhone')],
        '00u2': [email('emf2', 'bob@example.com'), email('emf2b', 'bob.old@example.com', 'PENDING_ACTIVATION'), question('ufs2')],
        '00u3': [sms('sms3')],
      },
    });
    const { results, findings } = run(db, id, [EMAIL, QUESTION]);
    expect(results.map((r) => r.findings)).toEqual([1, 1]);
    expect(keys(findings)).toEqual([`${EMAIL} org:00o1acme user:- info`, `${QUESTION} org:00o1acme user:- info`]);
    expect(findings[0]?.evidence).toBe(
      'Expected on Identity Engine, not drift: 3 email factors (2 ACTIVE) on 2 users; Identity Engine lists the verified primary email of each user as an email factor.',
    );
    expect(findings[1]?.evidence).toBe(
      'Expected on Identity Engine, not drift: 2 question factors on 2 users, 1 of them for users with a password-recovery question, which Identity Engine lists as a factor.',
    );
  });

  it('on Classic Engine, says how many users will gain an email or question factor', async () => {
    const id = await writeSnapshot(db, {
      org: { id: '00o1acme', pipeline: 'v1' },
      users: [
        user('00u1', 'ann@example.com', { recoveryQuestion: true }),
        user('00u2', 'bob@example.com', { recoveryQuestion: true }),
        user('00u3', 'cat@example.com'),
        user('00u4', 'staged@example.com', { status: 'STAGED', recoveryQuestion: true }),
        user('00u5', 'unread@example.com', { recoveryQuestion: true }),
        user('00u6', 'gone@example.com', { status: 'DEPROVISIONED', recoveryQuestion: true }),
      ],
      factors: { '00u1': [email('emf1', 'ann@example.com')], '00u2': [question('ufs2')], '00u3': [], '00u5': null },
    });
    const { findings } = run(db, id, [EMAIL, QUESTION]);
    expect(keys(findings)).toEqual([`${EMAIL} org:00o1acme user:- info`, `${QUESTION} org:00o1acme user:- info`]);
    expect(findings[0]?.evidence).toBe(
      'Expected after the upgrade: Identity Engine will list an ACTIVE email factor for each user with a verified primary email, up to 2 users who ' +
      'have no email factor today (1 user already has one); mark these new rows as expected when comparing snapshots.',
    );
    // Only 00u1 has a recovery question and no question factor: 00u4 is STAGED, 00u5 was not read, 00u6 is deprovisioned.
    expect(findings[1]?.evidence).toBe(
      'Expected after the upgrade: Identity Engine will list a question factor for 1 user who has a password-recovery question but no question ' +
      'factor today (1 user already has one); mark these new rows as expected when comparing snapshots.',
    );
  });

  it('writes nothing when there is nothing to expect', async () => {
    const id = await writeSnapshot(db, { org: { pipeline: 'idx' }, users: [user('00u1', 'ann@example.com')], factors: { '00u1': [sms('sms1')] } });
    expect(run(db, id, [EMAIL, QUESTION]).results.map((r) => [r.status, r.findings])).toEqual([['evaluated', 0], ['evaluated', 0]]);
  });
});
