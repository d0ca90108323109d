import { DEFAULT_LEGAL_RULES, LegalRulesInForce } from '../legal/legal-rules';
import { InsufficientAuthorityError, InvalidCommandError, LegalFloorError } from '../shared/errors';
import { iso } from '../shared/time';
import { actors, commands, daysBeforeNow, eventsFrom, givenCase, sampleRequest } from '../testing/fixtures';
import { Decided, PolicyEvaluated } from './events';
import { RefundRequest } from './request';

const LAW: LegalRulesInForce = {
  version: 1,
  rules: DEFAULT_LEGAL_RULES,
  revisedAt: '2026-01-01T00:00:00.000Z',
  revisedBy: 'admin-ada',
  changeNote: 'Seeded defaults',
};

/** The kettle: Italian, stopped heating 89 days after purchase, no delivery date given. */
const kettle = (): RefundRequest =>
  sampleRequest({
    order: { purchasedAt: iso(daysBeforeNow(89)) },
    product: { condition: 'used' },
    reason: { code: 'defective', description: 'Stopped heating' },
  });

/** Bought 40 days ago online, delivered 5 days ago: outside the shop's 14-day window, inside the law's. */
const lateDelivery = (): RefundRequest =>
  sampleRequest({
    order: { purchasedAt: iso(daysBeforeNow(40)), deliveredAt: iso(daysBeforeNow(5)), saleChannel: 'online' },
    product: { category: 'electronics', condition: 'used' },
  });

const logged = (request: RefundRequest) => eventsFrom(commands.logRequest({ request }));
const evaluated = (request: RefundRequest) =>
  eventsFrom(commands.logRequest({ request }), commands.evaluateCase({ law: LAW }));

describe('evaluation under the legal floor', () => {
  it('finds the kettle a conformity claim, not an exception, and recommends the remedy the law names first', () => {
    givenCase(...logged(kettle()))
      .when(commands.evaluateCase({ law: LAW }))
      .then((produced) => {
        expect(produced.map((e) => e.type)).toEqual(['PolicyEvaluated']);
        const { data } = produced[0] as PolicyEvaluated;
        expect(data.withinPolicy).toBe(false);
        expect(data.requiredAuthority).toBe('agent');
        expect(data.legal?.legalRulesVersion).toBe(1);
        expect(data.legal?.entitlements).toEqual([
          expect.objectContaining({ right: 'conformity', source: { act: 'Directive (EU) 2019/771', article: 'art. 10' }, presumedAtDelivery: true }),
        ]);
        expect(data.recommendation.resolution).toBe('repair');
        expect(data.recommendation.note).toContain('Directive (EU) 2019/771, art. 10');
      });
  });

  it('escalates the same kettle as an exception when no law is given (the policy alone)', () => {
    givenCase(...logged(kettle()))
      .when(commands.evaluateCase())
      .then((produced) => {
        expect(produced.map((e) => e.type)).toEqual(['PolicyEvaluated', 'Escalated']);
        expect((produced[0] as PolicyEvaluated).data).not.toHaveProperty('legal');
      });
  });

  it('finds a withdrawal within 14 days of delivery lawful although outside the shop window', () => {
    givenCase(...logged(lateDelivery()))
      .when(commands.evaluateCase({ law: LAW }))
      .then((produced) => {
        expect(produced.map((e) => e.type)).toEqual(['PolicyEvaluated']);
        const { data } = produced[0] as PolicyEvaluated;
        expect(data.findings.find((f) => f.rule === 'return_window')?.result).toBe('fail');
        expect(data.legal?.entitlements.map((e) => e.right)).toEqual(['withdrawal']);
        expect(data.recommendation).toEqual({
          resolution: 'refund',
          note: 'Statutory withdrawal right (Directive 2011/83/EU, art. 9): refund in full, within 14 days',
        });
      });
  });

  it('still escalates a lawful request above the agent limit, for authority, not as an exception', () => {
    givenCase(...logged({ ...kettle(), amount: { minor: 20_000, currency: 'EUR' } }))
      .when(commands.evaluateCase({ law: LAW }))
      .then((produced) => {
        expect(produced[1]).toMatchObject({ type: 'Escalated', data: { reasonCodes: ['authority_limit'], requiredAuthority: 'manager' } });
      });
  });
});

describe('deciding under the legal floor', () => {
  it('refuses a plain denial of the kettle, naming the right and its source', () => {
    givenCase(...evaluated(kettle()))
      .when(commands.decideCase({ outcome: 'denied', rationale: 'Outside the 30-day window', actor: actors.manager }))
      .thenThrows(LegalFloorError, (error) => {
        expect(error.code).toBe('below_legal_floor');
        expect(error.message).toContain('Directive (EU) 2019/771, art. 10');
        expect(error.details).toMatchObject({ problem: 'below_floor', right: 'conformity', allowedOutcomes: ['repair', 'exchange', 'partial_refund', 'refund'] });
      });
  });

  it('lets an agent decide the repair the law names', () => {
    givenCase(...evaluated(kettle()))
      .when(commands.decideCase({ outcome: 'repair', rationale: 'Repair under the legal guarantee' }))
      .then((produced) => {
        expect(produced).toEqual([expect.objectContaining({ type: 'Decided' })]);
        expect((produced[0] as Decided).data).not.toHaveProperty('contests');
      });
  });

  it('records a denial a senior manager contests with evidence', () => {
    givenCase(...evaluated(kettle()))
      .when(
        commands.decideCase({
          outcome: 'denied',
          rationale: 'Limescale damage: descaling never done',
          actor: actors.seniorManager,
          contests: [{ right: 'conformity', reason: 'damage_by_misuse', evidence: [' lab-report-77 ', 'lab-report-77'] }],
        }),
      )
      .then((produced) => {
        expect((produced[0] as Decided).data.contests).toEqual([{ right: 'conformity', reason: 'damage_by_misuse', evidence: ['lab-report-77'] }]);
      });
  });

  it('refuses a contest by a manager: contesting needs senior manager authority', () => {
    givenCase(...evaluated(kettle()))
      .when(
        commands.decideCase({
          outcome: 'denied',
          rationale: 'Misuse',
          actor: actors.manager,
          contests: [{ right: 'conformity', reason: 'damage_by_misuse', evidence: ['lab-report-77'] }],
        }),
      )
      .thenThrows(LegalFloorError, (error) => expect(error.details).toMatchObject({ problem: 'contest_needs_authority' }));
  });

  it('refuses a contest without evidence', () => {
    givenCase(...evaluated(kettle()))
      .when(
        commands.decideCase({
          outcome: 'denied',
          rationale: 'Misuse',
          actor: actors.seniorManager,
          contests: [{ right: 'conformity', reason: 'not_a_defect', evidence: ['  '] }],
        }),
      )
      .thenThrows(LegalFloorError, (error) => expect(error.details).toMatchObject({ problem: 'contest_needs_evidence' }));
  });

  it('refuses to contest a right the evaluation did not find', () => {
    givenCase(...evaluated(kettle()))
      .when(
        commands.decideCase({
          outcome: 'denied',
          rationale: 'Exempt',
          actor: actors.seniorManager,
          contests: [{ right: 'withdrawal', reason: 'exempt_goods', evidence: ['x'] }],
        }),
      )
      .thenThrows(InvalidCommandError, (error) => expect(error.field).toBe('contests'));
  });

  it('refuses store credit in place of the refund a withdrawal is owed', () => {
    givenCase(...evaluated(lateDelivery()))
      .when(commands.decideCase({ outcome: 'store_credit', rationale: 'Goodwill', actor: actors.manager }))
      .thenThrows(LegalFloorError, (error) => expect(error.details).toMatchObject({ right: 'withdrawal', allowedOutcomes: ['refund'] }));
  });

  it('lets an agent refund a withdrawal in full', () => {
    givenCase(...evaluated(lateDelivery()))
      .when(commands.decideCase({ outcome: 'refund', rationale: 'Statutory withdrawal' }))
      .then((produced) => expect(produced[0]).toMatchObject({ type: 'Decided', data: { outcome: 'refund', amount: { minor: 4990 } } }));
  });

  it('checks authority before the law: an agent cannot deny at all', () => {
    givenCase(...evaluated(kettle()))
      .when(commands.decideCase({ outcome: 'denied', rationale: 'No' }))
      .thenThrows(InsufficientAuthorityError);
  });
});

describe('logging the facts the law looks at', () => {
  const withOrder = (order: Partial<RefundRequest['order']>, reason: Partial<RefundRequest['reason']> = {}) =>
    commands.logRequest({ request: sampleRequest({ order: { purchasedAt: iso(daysBeforeNow(10)), ...order }, reason }) });

  it('records the delivery time, sale channel and defect time, normalised to UTC', () => {
    givenCase()
      .when(withOrder({ deliveredAt: '2026-10-08T12:00:00+02:00', saleChannel: 'phone', returnInformationGiven: false }, { defectNoticedAt: '2026-10-12T08:00:00Z' }))
      .then(([logged]) => {
        expect(logged).toMatchObject({
          data: {
            order: { deliveredAt: '2026-10-08T10:00:00.000Z', saleChannel: 'phone', returnInformationGiven: false },
            reason: { defectNoticedAt: '2026-10-12T08:00:00.000Z' },
          },
        });
      });
  });

  it('leaves them out when they were not given', () => {
    givenCase()
      .when(withOrder({}))
      .then(([logged]) => {
        expect((logged as { data: RefundRequest }).data.order).not.toHaveProperty('deliveredAt');
        expect((logged as { data: RefundRequest }).data.reason).not.toHaveProperty('defectNoticedAt');
      });
  });

  it.each([
    ['a delivery before the purchase', withOrder({ deliveredAt: iso(daysBeforeNow(11)) }), 'order.deliveredAt'],
    ['a delivery in the future', withOrder({ deliveredAt: iso(daysBeforeNow(-1)) }), 'order.deliveredAt'],
    ['a delivery that is no time', withOrder({ deliveredAt: 'yesterday' }), 'order.deliveredAt'],
    ['a defect noticed in the future', withOrder({}, { defectNoticedAt: iso(daysBeforeNow(-1)) }), 'reason.defectNoticedAt'],
    ['an unknown sale channel', withOrder({ saleChannel: 'carrier_pigeon' as never }), 'order.saleChannel'],
  ])('refuses %s', (_what, command, field) => {
    givenCase().when(command).thenThrows(InvalidCommandError, (error) => expect(error.field).toBe(field));
  });
});
