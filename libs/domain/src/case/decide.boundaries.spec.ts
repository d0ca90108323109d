import { addDays, iso } from '../shared/time';
import { IllegalTransitionError } from '../shared/errors';
import { LegalEntitlement } from '../legal/entitlements';
import { actors, commands, eur, events, givenCase, histories, NOW, sampleRequest } from '../testing/fixtures';
import { ITALIAN_CONFORMITY, ITALIAN_WITHDRAWAL } from '../testing/legal-fixtures';
import { AppealDecided, Decided } from './events';

/**
 * The edges of the decider's comparisons: a value exactly at a limit, and the first one past it.
 * The mutation run found these alive (a `<` read as `<=` went unnoticed), so each limit is pinned
 * from both sides here.
 */
describe('the decider at its limits', () => {
  describe('delivery and purchase on the same instant', () => {
    it('accepts a delivery at the moment of purchase', () => {
      const purchasedAt = iso(addDays(NOW, -10));
      givenCase()
        .when(commands.logRequest({ request: sampleRequest({ order: { purchasedAt, deliveredAt: purchasedAt } }) }))
        .then((produced) => expect(produced.map((e) => e.type)).toEqual(['RequestLogged']));
    });

    it('refuses one a millisecond before it', () => {
      const purchasedAt = addDays(NOW, -10);
      givenCase()
        .when(commands.logRequest({ request: sampleRequest({ order: { purchasedAt: iso(purchasedAt), deliveredAt: new Date(purchasedAt.getTime() - 1).toISOString() } }) }))
        .thenThrows(Error, (error) => expect(error).toMatchObject({ field: 'order.deliveredAt' }));
    });
  });

  describe('store credit up to the price', () => {
    it('grants store credit of exactly the amount paid', () => {
      givenCase(...histories.evaluated())
        .when(commands.decideCase({ outcome: 'store_credit', amount: eur(4990) }))
        .then((produced) => expect((produced[0] as Decided).data.amount).toEqual(eur(4990)));
    });

    it('refuses a cent more', () => {
      givenCase(...histories.evaluated())
        .when(commands.decideCase({ outcome: 'store_credit', amount: eur(4991) }))
        .thenThrows(Error, (error) => expect(error.message).toBe('store credit cannot exceed the 4990 EUR paid'));
    });
  });

  describe('what can be appealed', () => {
    const appealOf = (decided: Partial<Decided['data']>, request = sampleRequest()) =>
      givenCase(events.requestLogged(request), events.policyEvaluated(), events.decided(decided)).when(commands.appealDecision());

    it('lets the customer appeal a refund of less than they paid', () => {
      appealOf({ outcome: 'refund', amount: eur(4989) }).then((produced) => expect(produced.map((e) => e.type)).toEqual(['DecisionAppealed']));
    });

    it('refuses an appeal of a refund of the whole amount asked for', () => {
      appealOf({ outcome: 'refund', amount: eur(4990) }).thenThrows(IllegalTransitionError, (error) =>
        expect(error.message).toBe('AppealDecision is not allowed while the case is decided: the customer got the refund they asked for'),
      );
    });

    it('refuses an appeal of the exchange the customer asked for (no amount to compare)', () => {
      appealOf({ outcome: 'exchange', amount: null }, sampleRequest({ requestedResolution: 'exchange' })).thenThrows(IllegalTransitionError, (error) =>
        expect(error.message).toBe('AppealDecision is not allowed while the case is decided: the customer got the exchange they asked for'),
      );
    });
  });

  describe('the appeal verdict against its deadline', () => {
    const verdictAt = (slaDueAt: Date) =>
      givenCase(...histories.denied(), events.decisionAppealed({ slaDueAt: iso(slaDueAt) })).when(
        commands.decideAppeal({ actor: actors.seniorManager }),
      );

    it('is on time at the deadline itself', () => {
      verdictAt(NOW).then((produced) => expect((produced[0] as AppealDecided).data.slaBreached).toBe(false));
    });

    it('is late a millisecond after it', () => {
      verdictAt(new Date(NOW.getTime() - 1)).then((produced) => expect((produced[0] as AppealDecided).data.slaBreached).toBe(true));
    });
  });

  describe('when money is due under several statutory rights', () => {
    const withRights = (...entitlements: LegalEntitlement[]) =>
      givenCase(events.requestLogged(), events.policyEvaluated({ legal: { legalRulesVersion: 1, findings: [], entitlements } })).when(
        commands.decideCase(),
      );
    const refundDueOf = (produced: unknown[]) => (produced[0] as Decided).data.refundDue;

    it('takes the shortest refund deadline, whatever the order the rights were found in', () => {
      const slower: LegalEntitlement = { ...ITALIAN_CONFORMITY, refundDueDays: 30 };
      const none: LegalEntitlement = { ...ITALIAN_CONFORMITY, right: 'conformity', refundDueDays: null };
      for (const rights of [[slower, none, ITALIAN_WITHDRAWAL], [ITALIAN_WITHDRAWAL, slower], [none, slower, ITALIAN_WITHDRAWAL]]) {
        withRights(...rights).then((produced) =>
          expect(refundDueOf(produced)).toEqual({ by: iso(addDays(NOW, 14)), under: 'law', source: ITALIAN_WITHDRAWAL.refundSource }),
        );
      }
    });

    it('reads "at once" as by the next day', () => {
      withRights({ ...ITALIAN_WITHDRAWAL, refundDueDays: 0 }).then((produced) => expect(refundDueOf(produced)?.by).toBe(iso(addDays(NOW, 1))));
    });

    it('falls back to the right itself when no separate source is named for the refund', () => {
      withRights({ ...ITALIAN_WITHDRAWAL, refundSource: null }).then((produced) => expect(refundDueOf(produced)?.source).toEqual(ITALIAN_WITHDRAWAL.source));
    });
  });
});

