import { actors, NOW } from '../testing/fixtures';
import { specFor } from '../testing/given-when-then';
import { IllegalTransitionError, InvalidCommandError } from '../shared/errors';
import { DEFAULT_LEGAL_RULES, LegalRules } from './legal-rules';
import {
  decideLegalRules,
  evolveLegalRules,
  initialLegalRulesState,
  LegalRulesEvent,
  LegalRulesRevised,
  LegalRulesState,
  requireActiveLegalRules,
  ReviseLegalRules,
} from './legal-rules-stream';

const givenLaw = specFor<ReviseLegalRules, LegalRulesEvent, LegalRulesState>({
  decide: decideLegalRules,
  evolve: evolveLegalRules,
  initialState: initialLegalRulesState,
});

const revise = (o: Partial<Omit<ReviseLegalRules, 'type'>> = {}): ReviseLegalRules => ({
  type: 'ReviseLegalRules',
  rules: DEFAULT_LEGAL_RULES,
  changeNote: 'Seeded defaults',
  actor: actors.admin,
  now: NOW,
  ...o,
});

const revised = (changeNote: string, rules: LegalRules = DEFAULT_LEGAL_RULES): LegalRulesRevised => ({
  type: 'LegalRulesRevised',
  data: { rules, changeNote, revisedBy: 'admin-ada', revisedAt: '2026-01-01T00:00:00.000Z' },
});

const withItaly = (patch: object): LegalRules => ({
  ...DEFAULT_LEGAL_RULES,
  jurisdictions: { ...DEFAULT_LEGAL_RULES.jurisdictions, IT: { ...DEFAULT_LEGAL_RULES.jurisdictions.IT!, ...patch } },
});

describe('legal rules stream', () => {
  it('records a revision with its rules, the reason, who and when', () => {
    givenLaw()
      .when(revise({ changeNote: '  Seeded defaults  ' }))
      .then((produced) =>
        expect(produced).toEqual([
          {
            type: 'LegalRulesRevised',
            data: { rules: DEFAULT_LEGAL_RULES, changeNote: 'Seeded defaults', revisedBy: actors.admin.id, revisedAt: NOW.toISOString() },
          },
        ]),
      );
  });

  it('refuses a revision without a reason', () => {
    givenLaw().when(revise({ changeNote: '  ' })).thenThrows(InvalidCommandError);
  });

  it('refuses rules keyed by something other than a country code, naming the field', () => {
    const rules = { ...DEFAULT_LEGAL_RULES, jurisdictions: { Italy: DEFAULT_LEGAL_RULES.jurisdictions.IT! } };
    expect(() => decideLegalRules(revise({ rules }), initialLegalRulesState())).toThrow(
      expect.objectContaining({ field: 'rules.jurisdictions.Italy' }),
    );
  });

  it.each([
    ['an empty period', { withdrawal: { ...DEFAULT_LEGAL_RULES.jurisdictions.IT!.withdrawal!, period: {} } }, 'rules.jurisdictions.IT.withdrawal.period'],
    ['a negative period', { conformity: { ...DEFAULT_LEGAL_RULES.jurisdictions.IT!.conformity!, period: { months: -1 } } }, 'rules.jurisdictions.IT.conformity.period'],
    ['an unknown channel', { withdrawal: { ...DEFAULT_LEGAL_RULES.jurisdictions.IT!.withdrawal!, channels: ['carrier-pigeon'] } }, 'rules.jurisdictions.IT.withdrawal.channels'],
    ['an unknown remedy', { conformity: { ...DEFAULT_LEGAL_RULES.jurisdictions.IT!.conformity!, remedies: [['apology']] } }, 'rules.jurisdictions.IT.conformity.remedies'],
    ['a source without an article', { conformity: { ...DEFAULT_LEGAL_RULES.jurisdictions.IT!.conformity!, source: { act: 'Directive (EU) 2019/771', article: ' ' } } }, 'rules.jurisdictions.IT.conformity.source'],
  ])('refuses %s', (_what, patch, field) => {
    expect(() => decideLegalRules(revise({ rules: withItaly(patch) }), initialLegalRulesState())).toThrow(expect.objectContaining({ field }));
  });

  it('numbers the revisions: the stream version is the legal rules version', () => {
    const state = [revised('v1'), revised('v2')].reduce(evolveLegalRules, initialLegalRulesState());
    expect(requireActiveLegalRules(state)).toMatchObject({ version: 2, changeNote: 'v2', revisedBy: 'admin-ada' });
  });

  it('has no rules in force before the first revision', () => {
    expect(() => requireActiveLegalRules(initialLegalRulesState())).toThrow(IllegalTransitionError);
  });
});

describe('legal rules from hostile JSON', () => {
  const it_ = DEFAULT_LEGAL_RULES.jurisdictions.IT!;
  const cases: [string, unknown, string][] = [
    ['no jurisdictions', { defectReasonCodes: [] }, 'rules.jurisdictions'],
    ['a jurisdiction that is a string', { ...DEFAULT_LEGAL_RULES, jurisdictions: { IT: 'Italy' } }, 'rules.jurisdictions.IT'],
    ['channels that are a number', { ...DEFAULT_LEGAL_RULES, jurisdictions: { IT: { ...it_, withdrawal: { ...it_.withdrawal, channels: 5 } } } }, 'rules.jurisdictions.IT.withdrawal.channels'],
    ['remedies that are not lists', { ...DEFAULT_LEGAL_RULES, jurisdictions: { IT: { ...it_, conformity: { ...it_.conformity, remedies: ['repair'] } } } }, 'rules.jurisdictions.IT.conformity.remedies'],
    ['a period that is null', { ...DEFAULT_LEGAL_RULES, jurisdictions: { IT: { ...it_, conformity: { ...it_.conformity, presumption: null } } } }, 'rules.jurisdictions.IT.conformity.presumption'],
    ['a period in fractions', { ...DEFAULT_LEGAL_RULES, jurisdictions: { IT: { ...it_, withdrawal: { ...it_.withdrawal, period: { days: 1.5 } } } } }, 'rules.jurisdictions.IT.withdrawal.period'],
    ['defect reasons that are not codes', { ...DEFAULT_LEGAL_RULES, defectReasonCodes: ['Defective!'] }, 'rules.defectReasonCodes'],
    ['an unknown counting start', { ...DEFAULT_LEGAL_RULES, jurisdictions: { IT: { ...it_, conformity: { ...it_.conformity, countedFrom: 'purchase' } } } }, 'rules.jurisdictions.IT.conformity.countedFrom'],
    ['a missing consumer-choice flag', { ...DEFAULT_LEGAL_RULES, jurisdictions: { IT: { ...it_, conformity: { ...it_.conformity, consumerChooses: 'yes' } } } }, 'rules.jurisdictions.IT.conformity.consumerChooses'],
    ['a negative refund deadline', { ...DEFAULT_LEGAL_RULES, jurisdictions: { IT: { ...it_, withdrawal: { ...it_.withdrawal, refundDueDays: -1 } } } }, 'rules.jurisdictions.IT.withdrawal.refundDueDays'],
  ];

  it.each(cases)('refuses %s with a field, not a crash', (_what, rules, field) => {
    expect(() => decideLegalRules(revise({ rules: rules as LegalRules }), initialLegalRulesState())).toThrow(
      expect.objectContaining({ code: 'invalid_command', field }),
    );
  });

  it('accepts the defaults', () => {
    expect(() => decideLegalRules(revise(), initialLegalRulesState())).not.toThrow();
  });
});
