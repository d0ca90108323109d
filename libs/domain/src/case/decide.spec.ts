import { IllegalTransitionError, InsufficientAuthorityError, InvalidCommandError } from '../shared/errors';
import { PRIORITIES } from '../policy/policy';
import {
  actors,
  actorWith,
  CASE_ID,
  commands,
  daysBeforeNow,
  eur,
  events,
  givenCase,
  histories,
  history,
  hoursAfterNow,
  NOW,
  outOfPolicyRequest,
  POLICY,
  policyInForce,
  sampleRequest,
} from '../testing/fixtures';
import { CaseCommand } from './commands';
import { CaseEvent, CustomerNotified, Decided, Escalated, PolicyEvaluated, RequestLogged } from './events';

const at = (date: Date): string => date.toISOString();
const NOW_ISO = at(NOW);

const illegal = (command: CaseCommand['type'], status: string) => (error: IllegalTransitionError) => {
  expect(error.command).toBe(command);
  expect(error.status).toBe(status);
  expect(error.code).toBe('illegal_transition');
};
const invalidField = (field: string) => (error: InvalidCommandError) => {
  expect(error.field).toBe(field);
  expect(error.code).toBe('invalid_command');
};
const needs = (required: string, actual: string) => (error: InsufficientAuthorityError) => {
  expect(error.details).toEqual({ required, actual });
  expect(error.code).toBe('insufficient_authority');
};

type DataOf<T extends CaseEvent['type']> = Extract<CaseEvent, { type: T }>['data'];

function only<T extends CaseEvent['type']>(produced: CaseEvent[], type: T): DataOf<T> {
  expect(produced.map((e) => e.type)).toEqual([type]);
  return produced[0]!.data as DataOf<T>;
}

describe('decide', () => {
  describe('LogRequest', () => {
    it('records the documented request, who took it and when', () => {
      const request = sampleRequest({ order: { purchasedAt: '2026-10-05T10:00:00+02:00' } });
      givenCase()
        .when(commands.logRequest({ request }))
        .then((produced) => {
          const data = only(produced, 'RequestLogged');
          expect(data).toEqual<RequestLogged['data']>({
            ...request,
            order: { ...request.order, purchasedAt: '2026-10-05T08:00:00.000Z' },
            caseId: CASE_ID,
            loggedAt: NOW_ISO,
            loggedBy: actors.agent.id,
          });
        });
    });

    it('accepts a purchase made at the very moment of logging', () => {
      givenCase()
        .when(commands.logRequest({ request: sampleRequest({ order: { purchasedAt: NOW_ISO } }) }))
        .then((produced) => expect(only(produced, 'RequestLogged').order.purchasedAt).toBe(NOW_ISO));
    });

    it('refuses a second request under the same case id', () => {
      givenCase(...histories.logged()).when(commands.logRequest()).thenThrows(IllegalTransitionError, illegal('LogRequest', 'logged'));
    });

    it('refuses to reuse the id of a closed case', () => {
      givenCase(...histories.closed()).when(commands.logRequest()).thenThrows(IllegalTransitionError, illegal('LogRequest', 'closed'));
    });

    it('refuses a purchase date in the future', () => {
      const request = sampleRequest({ order: { purchasedAt: at(hoursAfterNow(1)) } });
      givenCase().when(commands.logRequest({ request })).thenThrows(InvalidCommandError, invalidField('order.purchasedAt'));
    });

    it('refuses a purchase date that is not a time', () => {
      const request = sampleRequest({ order: { purchasedAt: 'last tuesday' } });
      givenCase().when(commands.logRequest({ request })).thenThrows(InvalidCommandError, invalidField('order.purchasedAt'));
    });

    it.each([0, -100, 49.9, Number.NaN])('refuses an amount of %p minor units', (minor) => {
      const request = sampleRequest({ amount: { minor, currency: 'EUR' } });
      givenCase().when(commands.logRequest({ request })).thenThrows(InvalidCommandError, invalidField('amount.minor'));
    });

    it.each(['EURO', 'eur', 'XYZ'])('refuses the currency %p', (currency) => {
      const request = sampleRequest({ amount: { minor: 100, currency } });
      givenCase().when(commands.logRequest({ request })).thenThrows(InvalidCommandError, invalidField('amount.currency'));
    });

    it('refuses a request without the customer name', () => {
      const request = sampleRequest({ customer: { name: '   ' } });
      givenCase().when(commands.logRequest({ request })).thenThrows(InvalidCommandError, invalidField('customer.name'));
    });

    it("refuses a request without the customer's words", () => {
      const request = sampleRequest({ reason: { description: '' } });
      givenCase().when(commands.logRequest({ request })).thenThrows(InvalidCommandError, invalidField('reason.description'));
    });
  });

  describe('AddNote', () => {
    it('records the note with its evidence, author and time', () => {
      givenCase(...histories.logged())
        .when(commands.addNote({ text: '  Photos received  ' }))
        .then((produced) =>
          expect(only(produced, 'NoteAdded')).toEqual({
            caseId: CASE_ID,
            noteId: 'note-1',
            text: 'Photos received',
            evidence: [{ kind: 'photo', uri: 'https://files.example.com/p/1.jpg' }],
            addedBy: actors.agent.id,
            addedAt: NOW_ISO,
          }),
        );
    });

    it.each([
      ['evaluated', histories.evaluated()],
      ['escalated', histories.escalated()],
      ['decided', histories.decided()],
    ])('is allowed on a %s case', (_status, given) => {
      givenCase(...given)
        .when(commands.addNote({ actor: actors.manager }))
        .then((produced) => expect(only(produced, 'NoteAdded').addedBy).toBe(actors.manager.id));
    });

    it('refuses an empty note', () => {
      givenCase(...histories.logged()).when(commands.addNote({ text: ' \n ' })).thenThrows(InvalidCommandError, invalidField('text'));
    });

    it('refuses a note on a case that was never logged', () => {
      givenCase().when(commands.addNote()).thenThrows(IllegalTransitionError, illegal('AddNote', 'none'));
    });
  });

  describe('EvaluateCase', () => {
    it('records the findings of an in-policy request without escalating it', () => {
      givenCase(...histories.logged())
        .when(commands.evaluateCase())
        .then((produced) => {
          const data = only(produced, 'PolicyEvaluated');
          expect(data).toMatchObject<Partial<PolicyEvaluated['data']>>({
            caseId: CASE_ID,
            policyVersion: 1,
            withinPolicy: true,
            requiredAuthority: 'agent',
            evaluatedBy: actors.agent.id,
            evaluatedAt: NOW_ISO,
            inputs: { daysSincePurchase: 10, earlierCases: 0, earlierRefunds: 0, lookbackDays: 365, historyComplete: true },
            recommendation: { resolution: 'refund', note: 'Statutory withdrawal right: refund in full' },
          });
          expect(data.findings.map((f) => f.rule)).toEqual([
            'statutory_withdrawal',
            'return_window',
            'non_returnable_category',
            'product_condition',
            'repeat_requester',
            'authority_limit',
          ]);
          expect(data).not.toHaveProperty('escalation');
        });
    });

    it('escalates an out-of-policy request at once, with a deadline from the policy SLA', () => {
      givenCase(...histories.logged(outOfPolicyRequest()))
        .when(commands.evaluateCase())
        .then((produced) => {
          expect(produced.map((e) => e.type)).toEqual(['PolicyEvaluated', 'Escalated']);
          const evaluated = produced[0] as PolicyEvaluated;
          expect(evaluated.data.withinPolicy).toBe(false);
          expect(evaluated.data.requiredAuthority).toBe('manager');
          expect((produced[1] as Escalated).data).toEqual<Escalated['data']>({
            caseId: CASE_ID,
            reason:
              'The 30-day return window expired 10 day(s) ago; Condition "used" is not among the accepted conditions',
            reasonCodes: ['return_window', 'product_condition'],
            priority: 'normal',
            requiredAuthority: 'manager',
            slaDueAt: at(hoursAfterNow(48)),
            automatic: true,
            policyVersion: 1,
            escalatedBy: actors.agent.id,
            escalatedAt: NOW_ISO,
          });
        });
    });

    it('takes the SLA hours from the policy passed in, and names its version', () => {
      const policy = policyInForce({ slaHours: { low: 200, normal: 10, high: 5, urgent: 1 } }, 7);
      givenCase(...histories.logged(outOfPolicyRequest()))
        .when(commands.evaluateCase({ policy }))
        .then((produced) => {
          const escalated = produced[1] as Escalated;
          expect(escalated.data.slaDueAt).toBe(at(hoursAfterNow(10)));
          expect(escalated.data.policyVersion).toBe(7);
          expect((produced[0] as PolicyEvaluated).data.policyVersion).toBe(7);
        });
    });

    it('escalates a safety hazard as urgent with the urgent SLA', () => {
      const request = outOfPolicyRequest({ reason: { code: 'safety_hazard', description: 'It sparks' } });
      givenCase(...histories.logged(request))
        .when(commands.evaluateCase())
        .then((produced) => {
          const escalated = produced[1] as Escalated;
          expect(escalated.data.priority).toBe('urgent');
          expect(escalated.data.slaDueAt).toBe(at(hoursAfterNow(4)));
        });
    });

    it('escalates an amount above the manager limit to a senior manager with high priority', () => {
      givenCase(...histories.logged(sampleRequest({ amount: eur(60_000) })))
        .when(commands.evaluateCase())
        .then((produced) => {
          expect((produced[0] as PolicyEvaluated).data.withinPolicy).toBe(true);
          expect((produced[1] as Escalated).data).toMatchObject({
            reasonCodes: ['authority_limit'],
            requiredAuthority: 'senior_manager',
            priority: 'high',
            slaDueAt: at(hoursAfterNow(24)),
          });
        });
    });

    it('escalates a repeat requester for review with low priority, still within policy', () => {
      givenCase(...histories.logged())
        .when(commands.evaluateCase({ history: history({ earlierCases: 3 }) }))
        .then((produced) => {
          expect((produced[0] as PolicyEvaluated).data).toMatchObject({ withinPolicy: true, requiredAuthority: 'agent' });
          expect((produced[1] as Escalated).data).toMatchObject({
            reasonCodes: ['repeat_requester'],
            priority: 'low',
            requiredAuthority: 'agent',
            slaDueAt: at(hoursAfterNow(120)),
          });
        });
    });

    it('re-evaluates an evaluated case under a newer policy', () => {
      givenCase(...histories.evaluated())
        .when(commands.evaluateCase({ policy: policyInForce({}, 2) }))
        .then((produced) => expect(only(produced, 'PolicyEvaluated').policyVersion).toBe(2));
    });

    it.each([
      ['escalated', histories.escalated()],
      ['decided', histories.decided()],
    ])('refuses to evaluate a %s case again', (status, given) => {
      givenCase(...given).when(commands.evaluateCase()).thenThrows(IllegalTransitionError, illegal('EvaluateCase', status));
    });

    it('refuses to evaluate a case that was never logged', () => {
      givenCase().when(commands.evaluateCase()).thenThrows(IllegalTransitionError, illegal('EvaluateCase', 'none'));
    });
  });

  describe('EscalateCase', () => {
    it.each(PRIORITIES)('escalates by hand with priority %s and the SLA of that priority', (priority) => {
      givenCase(...histories.evaluated())
        .when(commands.escalateCase({ priority, reason: '  Customer threatens a chargeback ' }))
        .then((produced) =>
          expect(only(produced, 'Escalated')).toEqual<Escalated['data']>({
            caseId: CASE_ID,
            reason: 'Customer threatens a chargeback',
            reasonCodes: [],
            priority,
            requiredAuthority: 'manager',
            slaDueAt: at(hoursAfterNow(POLICY.rules.slaHours[priority])),
            automatic: false,
            policyVersion: 1,
            escalatedBy: actors.agent.id,
            escalatedAt: NOW_ISO,
          }),
        );
    });

    it('keeps a senior-manager requirement found by the evaluation', () => {
      givenCase(...histories.evaluated({ requiredAuthority: 'senior_manager' }))
        .when(commands.escalateCase({ actor: actors.manager }))
        .then((produced) => {
          const data = only(produced, 'Escalated');
          expect(data.requiredAuthority).toBe('senior_manager');
          expect(data.escalatedBy).toBe(actors.manager.id);
        });
    });

    it('refuses to escalate without a reason', () => {
      givenCase(...histories.evaluated()).when(commands.escalateCase({ reason: ' ' })).thenThrows(InvalidCommandError, invalidField('reason'));
    });

    it.each([
      ['logged', histories.logged()],
      ['escalated', histories.escalated()],
      ['decided', histories.decided()],
      ['none', []],
    ])('refuses to escalate a %s case', (status, given) => {
      givenCase(...given).when(commands.escalateCase()).thenThrows(IllegalTransitionError, illegal('EscalateCase', status));
    });
  });

  describe('AssignCase', () => {
    it('assigns an escalated case', () => {
      givenCase(...histories.escalated())
        .when(commands.assignCase({ assignee: ' manager-mia ' }))
        .then((produced) =>
          expect(only(produced, 'CaseAssigned')).toEqual({
            caseId: CASE_ID,
            assignee: 'manager-mia',
            assignedBy: actors.manager.id,
            assignedAt: NOW_ISO,
          }),
        );
    });

    it('reassigns to someone else', () => {
      givenCase(...histories.escalated(), events.caseAssigned({ assignee: 'manager-marco' }))
        .when(commands.assignCase({ assignee: 'senior-sofia' }))
        .then((produced) => expect(only(produced, 'CaseAssigned').assignee).toBe('senior-sofia'));
    });

    it('refuses to assign the case to whoever already has it', () => {
      givenCase(...histories.escalated(), events.caseAssigned({ assignee: 'manager-marco' }))
        .when(commands.assignCase({ assignee: 'manager-marco' }))
        .thenThrows(IllegalTransitionError, illegal('AssignCase', 'escalated'));
    });

    it('refuses an empty assignee', () => {
      givenCase(...histories.escalated()).when(commands.assignCase({ assignee: '' })).thenThrows(InvalidCommandError, invalidField('assignee'));
    });

    it.each([
      ['logged', histories.logged()],
      ['evaluated', histories.evaluated()],
      ['decided', histories.decided()],
      ['none', []],
    ])('refuses to assign a %s case', (status, given) => {
      givenCase(...given).when(commands.assignCase()).thenThrows(IllegalTransitionError, illegal('AssignCase', status));
    });
  });

  describe('DecideCase', () => {
    describe('outcomes and amounts', () => {
      it('records a full refund by an agent within policy, with authority, follow-up date and no SLA', () => {
        givenCase(...histories.evaluated())
          .when(
            commands.decideCase({
              rationale: '  Unused, inside the window  ',
              legalBasis: '  ',
              alternativesOffered: ['store_credit', 'store_credit', 'exchange'],
            }),
          )
          .then((produced) =>
            expect(only(produced, 'Decided')).toEqual<Decided['data']>({
              caseId: CASE_ID,
              outcome: 'refund',
              amount: eur(4990),
              rationale: 'Unused, inside the window',
              legalBasis: null,
              alternativesOffered: ['store_credit', 'exchange'],
              authority: { level: 'agent', limit: eur(5000), policyVersion: 1 },
              decidedBy: actors.agent.id,
              decidedAt: NOW_ISO,
              followUpDueAt: '2026-10-22T09:00:00.000Z',
              // No statutory right here: the policy's 10 settlement days, counted in business days.
              refundDue: { by: '2026-10-29T09:00:00.000Z', under: 'policy', source: null },
              slaBreached: null,
            }),
          );
      });

      it('sets the follow-up date from the policy delay', () => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ policy: policyInForce({ followUpDelayDays: 3 }, 4) }))
          .then((produced) => {
            const data = only(produced, 'Decided');
            expect(data.followUpDueAt).toBe('2026-10-18T09:00:00.000Z');
            expect(data.authority.policyVersion).toBe(4);
          });
      });

      it('accepts a full refund that names the amount paid', () => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ amount: eur(4990) }))
          .then((produced) => expect(only(produced, 'Decided').amount).toEqual(eur(4990)));
      });

      it('refuses a full refund of anything but the amount paid', () => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ amount: eur(4000) }))
          .thenThrows(InvalidCommandError, invalidField('amount'));
      });

      it('records a partial refund with its amount', () => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ outcome: 'partial_refund', amount: eur(2500) }))
          .then((produced) => expect(only(produced, 'Decided')).toMatchObject({ outcome: 'partial_refund', amount: eur(2500) }));
      });

      it('accepts a partial refund of exactly the amount paid', () => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ outcome: 'partial_refund', amount: eur(4990) }))
          .then((produced) => expect(only(produced, 'Decided').amount).toEqual(eur(4990)));
      });

      it('refuses a partial refund above the amount paid', () => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ outcome: 'partial_refund', amount: eur(4991), actor: actors.manager }))
          .thenThrows(InvalidCommandError, invalidField('amount'));
      });

      it('refuses a partial refund without an amount', () => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ outcome: 'partial_refund', amount: null }))
          .thenThrows(InvalidCommandError, invalidField('amount'));
      });

      it.each(['refund', 'partial_refund', 'store_credit'] as const)('refuses %s in another currency than the one paid', (outcome) => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ outcome, amount: { minor: 4990, currency: 'USD' } }))
          .thenThrows(InvalidCommandError, invalidField('amount.currency'));
      });

      it('refuses an amount that is not positive whole minor units', () => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ outcome: 'partial_refund', amount: eur(0) }))
          .thenThrows(InvalidCommandError, invalidField('amount.minor'));
      });

      it('values store credit at the amount paid unless told otherwise', () => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ outcome: 'store_credit' }))
          .then((produced) => expect(only(produced, 'Decided').amount).toEqual(eur(4990)));
      });

      it('refuses store credit above the amount paid', () => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ outcome: 'store_credit', amount: eur(5000), actor: actors.manager }))
          .thenThrows(InvalidCommandError, invalidField('amount'));
      });

      it.each(['exchange', 'repair'] as const)('records %s without an amount', (outcome) => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ outcome }))
          .then((produced) => expect(only(produced, 'Decided')).toMatchObject({ outcome, amount: null }));
      });

      it.each(['exchange', 'repair', 'denied'] as const)('refuses an amount on %s', (outcome) => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ outcome, amount: eur(100), actor: actors.manager }))
          .thenThrows(InvalidCommandError, invalidField('amount'));
      });

      it.each(['denied', 'refund', 'store_credit'] as const)('refuses %s without a rationale', (outcome) => {
        givenCase(...histories.escalated())
          .when(commands.decideCase({ outcome, rationale: '   ', actor: actors.manager }))
          .thenThrows(InvalidCommandError, invalidField('rationale'));
      });

      it('records the grounds and alternatives of a denial', () => {
        givenCase(...histories.escalated())
          .when(
            commands.decideCase({
              outcome: 'denied',
              rationale: 'Used and 10 days past the window',
              legalBasis: ' Terms of sale §7 ',
              alternativesOffered: ['store_credit', 'repair'],
              actor: actors.manager,
            }),
          )
          .then((produced) =>
            expect(only(produced, 'Decided')).toMatchObject({
              outcome: 'denied',
              amount: null,
              legalBasis: 'Terms of sale §7',
              alternativesOffered: ['store_credit', 'repair'],
              authority: { level: 'manager', limit: eur(50_000), policyVersion: 1 },
            }),
          );
      });
    });

    describe('authority', () => {
      it('refuses an agent deciding an escalated exception', () => {
        givenCase(...histories.escalated())
          .when(commands.decideCase({ outcome: 'store_credit' }))
          .thenThrows(InsufficientAuthorityError, needs('manager', 'agent'));
      });

      it('refuses an agent even for a small partial refund once the case is escalated for review only', () => {
        givenCase(...histories.escalated({ reasonCodes: ['repeat_requester'], requiredAuthority: 'agent', priority: 'low' }))
          .when(commands.decideCase({ outcome: 'partial_refund', amount: eur(100) }))
          .thenThrows(InsufficientAuthorityError, needs('manager', 'agent'));
      });

      it('lets a manager decide an escalated exception and records the SLA as met', () => {
        givenCase(...histories.escalated(), events.caseAssigned())
          .when(commands.decideCase({ outcome: 'store_credit', actor: actors.manager }))
          .then((produced) =>
            expect(only(produced, 'Decided')).toMatchObject({
              authority: { level: 'manager', limit: eur(50_000), policyVersion: 1 },
              decidedBy: actors.manager.id,
              slaBreached: false,
            }),
          );
      });

      it('treats a decision exactly at the deadline as within the SLA', () => {
        givenCase(...histories.escalated({ slaDueAt: NOW_ISO }))
          .when(commands.decideCase({ outcome: 'store_credit', actor: actors.manager }))
          .then((produced) => expect(only(produced, 'Decided').slaBreached).toBe(false));
      });

      it('records a breached SLA when the decision comes after the deadline', () => {
        givenCase(...histories.escalated())
          .when(commands.decideCase({ outcome: 'store_credit', actor: actors.manager, now: hoursAfterNow(3) }))
          .then((produced) => {
            const data = only(produced, 'Decided');
            expect(data.slaBreached).toBe(true);
            expect(data.decidedAt).toBe(at(hoursAfterNow(3)));
            expect(data.followUpDueAt).toBe('2026-10-22T12:00:00.000Z');
          });
      });

      it('needs a senior manager when the escalation says so', () => {
        givenCase(...histories.escalated({ requiredAuthority: 'senior_manager', priority: 'high' }))
          .when(commands.decideCase({ outcome: 'repair', actor: actors.manager }))
          .thenThrows(InsufficientAuthorityError, needs('senior_manager', 'manager'));
      });

      it('needs a senior manager above the manager limit, whatever the escalation recorded', () => {
        const request = sampleRequest({ amount: eur(60_000) });
        givenCase(
          events.requestLogged(request),
          events.policyEvaluated({ requiredAuthority: 'manager' }),
          events.escalated({ requiredAuthority: 'manager' }),
        )
          .when(commands.decideCase({ actor: actors.manager }))
          .thenThrows(InsufficientAuthorityError, needs('senior_manager', 'manager'));
      });

      it('values an exchange at the price paid for authority', () => {
        const request = sampleRequest({ amount: eur(60_000) });
        givenCase(events.requestLogged(request), events.policyEvaluated(), events.escalated({ requiredAuthority: 'manager' }))
          .when(commands.decideCase({ outcome: 'exchange', actor: actors.manager }))
          .thenThrows(InsufficientAuthorityError, needs('senior_manager', 'manager'));
      });

      it('lets a manager grant a partial refund within the manager limit on a large case', () => {
        const request = sampleRequest({ amount: eur(60_000) });
        givenCase(events.requestLogged(request), events.policyEvaluated(), events.escalated({ requiredAuthority: 'manager' }))
          .when(commands.decideCase({ outcome: 'partial_refund', amount: eur(50_000), actor: actors.manager }))
          .then((produced) => expect(only(produced, 'Decided').amount).toEqual(eur(50_000)));
      });

      it('lets a senior manager decide above the manager limit, with no limit recorded', () => {
        const request = sampleRequest({ amount: eur(60_000) });
        givenCase(events.requestLogged(request), events.policyEvaluated(), events.escalated({ requiredAuthority: 'senior_manager' }))
          .when(commands.decideCase({ actor: actors.seniorManager }))
          .then((produced) =>
            expect(only(produced, 'Decided')).toMatchObject({
              amount: eur(60_000),
              authority: { level: 'senior_manager', limit: null, policyVersion: 1 },
              decidedBy: actors.seniorManager.id,
            }),
          );
      });

      it('refuses an agent denying a request the policy covers', () => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ outcome: 'denied', rationale: 'Looks like abuse' }))
          .thenThrows(InsufficientAuthorityError, needs('manager', 'agent'));
      });

      it('lets a manager deny a request the policy covers', () => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ outcome: 'denied', rationale: 'Item damaged by misuse', actor: actors.manager }))
          .then((produced) => expect(only(produced, 'Decided')).toMatchObject({ outcome: 'denied', authority: { level: 'manager' } }));
      });

      it('refuses an agent refunding above the agent limit of the policy in force', () => {
        const stricter = policyInForce({ authorityLimits: { ...POLICY.rules.authorityLimits, agent: { EUR: 1000 } } }, 2);
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ policy: stricter }))
          .thenThrows(InsufficientAuthorityError, needs('manager', 'agent'));
      });

      it('needs at least the authority the evaluation required', () => {
        givenCase(...histories.evaluated({ requiredAuthority: 'manager' }))
          .when(commands.decideCase({ outcome: 'partial_refund', amount: eur(10) }))
          .thenThrows(InsufficientAuthorityError, needs('manager', 'agent'));
      });

      it('treats a currency without limits as above every limit but the senior one', () => {
        const request = sampleRequest({ amount: { minor: 3000, currency: 'JPY' } });
        givenCase(events.requestLogged(request), events.policyEvaluated())
          .when(commands.decideCase({ actor: actors.manager }))
          .thenThrows(InsufficientAuthorityError, needs('senior_manager', 'manager'));
      });

      it.each([actors.service, actors.auditor, actors.admin])('refuses a decision by $id, who holds no decision role', (actor) => {
        givenCase(...histories.evaluated())
          .when(commands.decideCase({ actor }))
          .thenThrows(InsufficientAuthorityError, (error) => expect(error.details).toEqual({ roles: actor.roles }));
      });

      it('uses the highest authority among several roles', () => {
        givenCase(...histories.escalated({ requiredAuthority: 'senior_manager' }))
          .when(commands.decideCase({ outcome: 'store_credit', actor: actorWith('boss', 'agent', 'senior_manager') }))
          .then((produced) => expect(only(produced, 'Decided').authority).toEqual({ level: 'senior_manager', limit: null, policyVersion: 1 }));
      });
    });

    describe('states', () => {
      it('refuses a decision on a case that was not evaluated', () => {
        givenCase(...histories.logged()).when(commands.decideCase()).thenThrows(IllegalTransitionError, illegal('DecideCase', 'logged'));
      });

      it('refuses a second decision', () => {
        givenCase(...histories.decided())
          .when(commands.decideCase({ outcome: 'store_credit', actor: actors.seniorManager }))
          .thenThrows(IllegalTransitionError, illegal('DecideCase', 'decided'));
      });

      it('refuses a decision on a case that was never logged', () => {
        givenCase().when(commands.decideCase()).thenThrows(IllegalTransitionError, illegal('DecideCase', 'none'));
      });
    });
  });

  describe('NotifyCustomer', () => {
    it('records what was sent, where, in which language, by whom', () => {
      givenCase(...histories.decided())
        .when(commands.notifyCustomer())
        .then((produced) =>
          expect(only(produced, 'CustomerNotified')).toEqual<CustomerNotified['data']>({
            caseId: CASE_ID,
            channel: 'email',
            locale: 'it',
            subject: 'Il tuo rimborso',
            body: 'Rimborso approvato: 49,90 EUR.',
            notifiedBy: actors.agent.id,
            notifiedAt: NOW_ISO,
          }),
        );
    });

    it('allows telling the customer again on another channel', () => {
      givenCase(...histories.decided(), events.customerNotified())
        .when(commands.notifyCustomer({ channel: 'sms' }))
        .then((produced) => expect(only(produced, 'CustomerNotified').channel).toBe('sms'));
    });

    it('refuses e-mail when no e-mail address is on file', () => {
      const request = sampleRequest({ customer: { email: undefined } });
      givenCase(events.requestLogged(request), events.policyEvaluated(), events.decided())
        .when(commands.notifyCustomer({ channel: 'email' }))
        .thenThrows(InvalidCommandError, invalidField('channel'));
    });

    it.each(['sms', 'phone'] as const)('refuses %s when no phone number is on file', (channel) => {
      const request = sampleRequest({ customer: { phone: undefined } });
      givenCase(events.requestLogged(request), events.policyEvaluated(), events.decided())
        .when(commands.notifyCustomer({ channel }))
        .thenThrows(InvalidCommandError, invalidField('channel'));
    });

    it('allows chat when neither e-mail nor phone is on file', () => {
      const request = sampleRequest({ customer: { email: undefined, phone: undefined } });
      givenCase(events.requestLogged(request), events.policyEvaluated(), events.decided())
        .when(commands.notifyCustomer({ channel: 'chat' }))
        .then((produced) => expect(only(produced, 'CustomerNotified').channel).toBe('chat'));
    });

    it.each([
      ['logged', histories.logged()],
      ['evaluated', histories.evaluated()],
      ['escalated', histories.escalated()],
      ['none', []],
    ])('refuses to notify on a %s case, which has no decision', (status, given) => {
      givenCase(...given).when(commands.notifyCustomer()).thenThrows(IllegalTransitionError, illegal('NotifyCustomer', status));
    });
  });

  describe('RecordRefundExecution', () => {
    const issue = commands.recordRefundExecution;
    const settle = (o: Parameters<typeof issue>[0] = {}) => issue({ status: 'settled', ...o });
    const fail = (o: Parameters<typeof issue>[0] = {}) => issue({ status: 'failed', failureReason: 'Card expired', ...o });

    describe('issued', () => {
      it('records the refund issued for the decided amount', () => {
        givenCase(...histories.decided())
          .when(issue({ method: ' card ', reference: ' pay-1 ' }))
          .then((produced) =>
            expect(only(produced, 'RefundIssued')).toEqual({
              caseId: CASE_ID,
              method: 'card',
              amount: eur(4990),
              reference: 'pay-1',
              recordedBy: actors.service.id,
              issuedAt: NOW_ISO,
            }),
          );
      });

      it('issues a partial refund for exactly the partial amount', () => {
        givenCase(...histories.decided({ outcome: 'partial_refund', amount: eur(2000) }))
          .when(issue({ amount: eur(2000) }))
          .then((produced) => expect(only(produced, 'RefundIssued').amount).toEqual(eur(2000)));
      });

      it.each([eur(4990), eur(1000)])('refuses to issue %p on a partial refund of 20.00 EUR', (amount) => {
        givenCase(...histories.decided({ outcome: 'partial_refund', amount: eur(2000) }))
          .when(issue({ amount }))
          .thenThrows(InvalidCommandError, invalidField('amount'));
      });

      it('refuses to issue a refund in another currency', () => {
        givenCase(...histories.decided())
          .when(issue({ amount: { minor: 4990, currency: 'USD' } }))
          .thenThrows(InvalidCommandError, invalidField('amount.currency'));
      });

      it('refuses an amount that is not positive', () => {
        givenCase(...histories.decided()).when(issue({ amount: eur(-4990) })).thenThrows(InvalidCommandError, invalidField('amount.minor'));
      });

      it('refuses a refund without method or reference', () => {
        givenCase(...histories.decided()).when(issue({ method: ' ' })).thenThrows(InvalidCommandError, invalidField('method'));
        givenCase(...histories.decided()).when(issue({ reference: '' })).thenThrows(InvalidCommandError, invalidField('reference'));
      });

      it('refuses a second refund while one is in flight', () => {
        givenCase(...histories.decided(), events.refundIssued())
          .when(issue({ reference: 'pay-2' }))
          .thenThrows(IllegalTransitionError, illegal('RecordRefundExecution', 'decided'));
      });

      it('refuses another refund once one has settled', () => {
        givenCase(...histories.decided(), events.refundIssued(), events.refundSettled())
          .when(issue({ reference: 'pay-2' }))
          .thenThrows(IllegalTransitionError, illegal('RecordRefundExecution', 'decided'));
      });

      it('retries after a failure', () => {
        givenCase(...histories.decided(), events.refundIssued(), events.refundFailed())
          .when(issue({ method: 'bank_transfer', reference: 'pay-2' }))
          .then((produced) => expect(only(produced, 'RefundIssued')).toMatchObject({ method: 'bank_transfer', reference: 'pay-2' }));
      });
    });

    describe('settled', () => {
      it('records the settlement of the refund in flight', () => {
        givenCase(...histories.decided(), events.refundIssued())
          .when(settle())
          .then((produced) =>
            expect(only(produced, 'RefundSettled')).toEqual({
              caseId: CASE_ID,
              method: 'card',
              amount: eur(4990),
              reference: 'pay-1',
              recordedBy: actors.service.id,
              settledAt: NOW_ISO,
            }),
          );
      });

      it('refuses a settlement when nothing was issued', () => {
        givenCase(...histories.decided()).when(settle()).thenThrows(IllegalTransitionError, illegal('RecordRefundExecution', 'decided'));
      });

      it('refuses a settlement with another reference than the refund in flight', () => {
        givenCase(...histories.decided(), events.refundIssued())
          .when(settle({ reference: 'pay-9' }))
          .thenThrows(IllegalTransitionError, (error) => expect(error.message).toContain('reference pay-1'));
      });

      it('refuses a settlement of another amount than issued', () => {
        givenCase(...histories.decided({ outcome: 'partial_refund', amount: eur(2000) }), events.refundIssued({ amount: eur(2000) }))
          .when(settle({ amount: eur(1999) }))
          .thenThrows(InvalidCommandError, invalidField('amount'));
      });

      it('refuses a settlement of a failed refund', () => {
        givenCase(...histories.decided(), events.refundIssued(), events.refundFailed())
          .when(settle())
          .thenThrows(IllegalTransitionError, illegal('RecordRefundExecution', 'decided'));
      });

      it('refuses a second settlement', () => {
        givenCase(...histories.decided(), events.refundIssued(), events.refundSettled())
          .when(settle())
          .thenThrows(IllegalTransitionError, illegal('RecordRefundExecution', 'decided'));
      });
    });

    describe('failed', () => {
      it('records why the refund in flight failed', () => {
        givenCase(...histories.decided(), events.refundIssued())
          .when(fail({ failureReason: '  Account closed ' }))
          .then((produced) =>
            expect(only(produced, 'RefundFailed')).toEqual({
              caseId: CASE_ID,
              method: 'card',
              amount: eur(4990),
              reference: 'pay-1',
              recordedBy: actors.service.id,
              failureReason: 'Account closed',
              failedAt: NOW_ISO,
            }),
          );
      });

      it.each([null, '  '])('refuses a failure without a reason (%p)', (failureReason) => {
        givenCase(...histories.decided(), events.refundIssued())
          .when(fail({ failureReason }))
          .thenThrows(InvalidCommandError, invalidField('failureReason'));
      });

      it('refuses a failure of another refund than the one in flight', () => {
        givenCase(...histories.decided(), events.refundIssued())
          .when(fail({ reference: 'pay-9' }))
          .thenThrows(IllegalTransitionError, illegal('RecordRefundExecution', 'decided'));
      });

      it('refuses a failure at another amount than the one attempted', () => {
        givenCase(...histories.decided(), events.refundIssued())
          .when(fail({ amount: eur(100) }))
          .thenThrows(InvalidCommandError, invalidField('amount'));
        givenCase(...histories.decided())
          .when(fail({ amount: eur(100) }))
          .thenThrows(InvalidCommandError, invalidField('amount'));
      });

      it('records a failure reported before any issue as an attempt at the decided amount', () => {
        givenCase(...histories.decided())
          .when(fail())
          .then((produced) => expect(only(produced, 'RefundFailed')).toMatchObject({ amount: eur(4990), failureReason: 'Card expired' }));
      });

      it('refuses a failure once the refund has settled', () => {
        givenCase(...histories.decided(), events.refundIssued(), events.refundSettled())
          .when(fail())
          .thenThrows(IllegalTransitionError, illegal('RecordRefundExecution', 'decided'));
      });
    });

    it.each(['store_credit', 'exchange', 'repair', 'denied'] as const)(
      'refuses refund execution after a %s decision, which sends no money back',
      (outcome) => {
        givenCase(...histories.decided({ outcome, amount: outcome === 'store_credit' ? eur(4990) : null }))
          .when(issue())
          .thenThrows(IllegalTransitionError, (error) => {
            illegal('RecordRefundExecution', 'decided')(error);
            expect(error.message).toContain(outcome);
          });
      },
    );

    it.each([
      ['logged', histories.logged()],
      ['evaluated', histories.evaluated()],
      ['escalated', histories.escalated()],
      ['none', []],
    ])('refuses refund execution on a %s case', (status, given) => {
      givenCase(...given).when(issue()).thenThrows(IllegalTransitionError, illegal('RecordRefundExecution', status));
    });
  });

  describe('RecordFollowUp', () => {
    it("records the customer's satisfaction and words", () => {
      givenCase(...histories.decided())
        .when(commands.recordFollowUp({ comment: '  Quick and fair ' }))
        .then((produced) =>
          expect(only(produced, 'FollowedUp')).toEqual({
            caseId: CASE_ID,
            satisfaction: 4,
            comment: 'Quick and fair',
            channel: 'survey',
            recordedBy: actors.service.id,
            followedUpAt: NOW_ISO,
          }),
        );
    });

    it.each([1, 5])('accepts satisfaction %p', (satisfaction) => {
      givenCase(...histories.decided())
        .when(commands.recordFollowUp({ satisfaction, comment: ' ' }))
        .then((produced) => expect(only(produced, 'FollowedUp')).toMatchObject({ satisfaction, comment: null }));
    });

    it.each([0, 6, 2.5, Number.NaN])('refuses satisfaction %p', (satisfaction) => {
      givenCase(...histories.decided())
        .when(commands.recordFollowUp({ satisfaction }))
        .thenThrows(InvalidCommandError, invalidField('satisfaction'));
    });

    it('refuses a follow-up without the channel', () => {
      givenCase(...histories.decided()).when(commands.recordFollowUp({ channel: '' })).thenThrows(InvalidCommandError, invalidField('channel'));
    });

    it('refuses a second follow-up', () => {
      givenCase(...histories.decided(), events.followedUp())
        .when(commands.recordFollowUp())
        .thenThrows(IllegalTransitionError, illegal('RecordFollowUp', 'decided'));
    });

    it.each([
      ['logged', histories.logged()],
      ['evaluated', histories.evaluated()],
      ['escalated', histories.escalated()],
      ['none', []],
    ])('refuses a follow-up before a decision (%s)', (status, given) => {
      givenCase(...given).when(commands.recordFollowUp()).thenThrows(IllegalTransitionError, illegal('RecordFollowUp', status));
    });
  });

  describe('CloseCase', () => {
    it.each([
      ['logged', histories.logged()],
      ['evaluated', histories.evaluated()],
      ['escalated', histories.escalated()],
      ['decided', histories.decided()],
      ['decided and settled', [...histories.decided(), events.refundIssued(), events.refundSettled()]],
      ['decided with a failed refund', [...histories.decided(), events.refundIssued(), events.refundFailed()]],
    ])('closes a %s case', (_status, given) => {
      givenCase(...given)
        .when(commands.closeCase({ summary: '  Refunded in full ' }))
        .then((produced) =>
          expect(only(produced, 'CaseClosed')).toEqual({
            caseId: CASE_ID,
            summary: 'Refunded in full',
            closedBy: actors.agent.id,
            closedAt: NOW_ISO,
          }),
        );
    });

    it('refuses to close while a refund is in flight', () => {
      givenCase(...histories.decided(), events.refundIssued())
        .when(commands.closeCase())
        .thenThrows(IllegalTransitionError, illegal('CloseCase', 'decided'));
    });

    it('refuses to close without a summary', () => {
      givenCase(...histories.decided()).when(commands.closeCase({ summary: '' })).thenThrows(InvalidCommandError, invalidField('summary'));
    });

    it('refuses to close a case that was never logged', () => {
      givenCase().when(commands.closeCase()).thenThrows(IllegalTransitionError, illegal('CloseCase', 'none'));
    });
  });

  it('refuses to notify a customer whose contact data was erased', () => {
    givenCase(...histories.decided(), events.customerDataErased())
      .when(commands.notifyCustomer())
      .thenThrows(IllegalTransitionError, illegal('NotifyCustomer', 'decided'));
  });

  describe('EraseCustomerData', () => {
    it.each([
      ['logged', histories.logged()],
      ['escalated', histories.escalated()],
      ['decided', histories.decided()],
      ['closed', histories.closed()],
    ])('records the erasure on a %s case', (_status, given) => {
      givenCase(...given)
        .when(commands.eraseCustomerData())
        .then((produced) =>
          expect(only(produced, 'CustomerDataErased')).toEqual({
            caseId: CASE_ID,
            customerId: sampleRequest().customer.id,
            erasedBy: actors.admin.id,
            erasedAt: NOW_ISO,
          }),
        );
    });

    it('records nothing the second time', () => {
      givenCase(...histories.closed(), events.customerDataErased()).when(commands.eraseCustomerData()).then((produced) => expect(produced).toEqual([]));
    });

    it("refuses to erase another customer's case", () => {
      givenCase(...histories.decided()).when(commands.eraseCustomerData({ customerId: 'cus_other' })).thenThrows(InvalidCommandError, invalidField('customerId'));
    });

    it('refuses a case that was never logged', () => {
      givenCase().when(commands.eraseCustomerData()).thenThrows(IllegalTransitionError, illegal('EraseCustomerData', 'none'));
    });
  });

  describe('after closure', () => {
    const closedAfterRefund = [...histories.decided(), events.refundIssued(), events.refundFailed(), events.caseClosed()];
    it.each<[string, CaseCommand]>([
      ['LogRequest', commands.logRequest()],
      ['AddNote', commands.addNote()],
      ['EvaluateCase', commands.evaluateCase()],
      ['EscalateCase', commands.escalateCase()],
      ['AssignCase', commands.assignCase()],
      ['DecideCase', commands.decideCase({ actor: actors.seniorManager })],
      ['NotifyCustomer', commands.notifyCustomer()],
      ['RecordRefundExecution', commands.recordRefundExecution({ reference: 'pay-2' })],
      ['RecordFollowUp', commands.recordFollowUp()],
      ['CloseCase', commands.closeCase()],
    ])('refuses %s', (type, command) => {
      givenCase(...closedAfterRefund).when(command).thenThrows(IllegalTransitionError, illegal(type as CaseCommand['type'], 'closed'));
    });

    it('refuses a decision on a case closed before it was decided', () => {
      givenCase(...histories.escalated(), events.caseClosed())
        .when(commands.decideCase({ actor: actors.seniorManager, outcome: 'store_credit' }))
        .thenThrows(IllegalTransitionError, illegal('DecideCase', 'closed'));
    });
  });

  it('lets a realistic case run from request to closure', () => {
    const purchasedAt = daysBeforeNow(40).toISOString();
    const request = outOfPolicyRequest({ order: { purchasedAt } });
    const steps: CaseCommand[] = [
      commands.logRequest({ request }),
      commands.evaluateCase({ now: hoursAfterNow(1) }),
      commands.assignCase({ now: hoursAfterNow(2) }),
      commands.decideCase({ outcome: 'partial_refund', amount: eur(2500), actor: actors.manager, now: hoursAfterNow(3) }),
      commands.notifyCustomer({ now: hoursAfterNow(4) }),
      commands.recordRefundExecution({ amount: eur(2500), now: hoursAfterNow(5) }),
      commands.recordRefundExecution({ status: 'settled', amount: eur(2500), now: hoursAfterNow(50) }),
      commands.recordFollowUp({ now: hoursAfterNow(200) }),
      commands.closeCase({ now: hoursAfterNow(201) }),
    ];
    let given: CaseEvent[] = [];
    for (const step of steps) givenCase(...given).when(step).then((produced) => (given = [...given, ...produced]));
    expect(given.map((e) => e.type)).toEqual([
      'RequestLogged',
      'PolicyEvaluated',
      'Escalated',
      'CaseAssigned',
      'Decided',
      'CustomerNotified',
      'RefundIssued',
      'RefundSettled',
      'FollowedUp',
      'CaseClosed',
    ]);
    const decided = given.find((e): e is Decided => e.type === 'Decided')!;
    expect(decided.data.slaBreached).toBe(false);
  });
});
