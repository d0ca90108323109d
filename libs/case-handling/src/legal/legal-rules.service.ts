import { Injectable } from '@nestjs/common';
import {
  decideLegalRules,
  DEFAULT_LEGAL_RULES,
  evolveLegalRules,
  IllegalTransitionError,
  initialLegalRulesState,
  LEGAL_RULES_STREAM,
  LegalRules,
  LegalRulesEvent,
  LegalRulesInForce,
  LegalRulesState,
  requireActiveLegalRules,
} from '@refund-desk/domain';
import { EventStore } from '@refund-desk/event-store';
import { Clock, IdGenerator } from '@refund-desk/platform';
import { StreamCommandHandler, StreamType } from '../command-handling/stream-command-handler';
import { VersionedRulesService } from '../rules/versioned-rules.service';

/** The legal rules' one stream, apart from the policy's: its version is the version every evaluation names. */
export const LEGAL_RULES_STREAM_TYPE: StreamType<LegalRulesState, LegalRulesEvent> = {
  streamName: () => LEGAL_RULES_STREAM,
  initialState: initialLegalRulesState,
  evolve: evolveLegalRules,
  toEvent: (recorded) =>
    recorded.type === 'LegalRulesRevised' ? ({ type: 'LegalRulesRevised', data: recorded.data } as LegalRulesEvent) : undefined,
  exists: (state) => state.status === 'active',
  notFound: () => new IllegalTransitionError('UseLegalRules', 'none', 'no legal rules have been set'),
};

/** The consumer law in force: seeded with the rules for EU/EEA, GB, RU and BR on first start. */
@Injectable()
export class LegalRulesService extends VersionedRulesService<LegalRulesState, LegalRulesEvent, LegalRulesInForce, LegalRules> {
  constructor(store: EventStore, streams: StreamCommandHandler, clock: Clock, ids: IdGenerator) {
    super(
      {
        label: 'legal rules',
        command: 'ReviseLegalRules',
        streamType: LEGAL_RULES_STREAM_TYPE,
        streamName: LEGAL_RULES_STREAM,
        defaults: { rules: DEFAULT_LEGAL_RULES, changeNote: 'Initial legal rules: EU/EEA, GB, RU and BR installed on first start' },
        decide: (input, state, actor, now) => decideLegalRules({ type: 'ReviseLegalRules', ...input, actor, now }, state),
        isEmpty: (state) => state.status === 'none',
        requireActive: requireActiveLegalRules,
      },
      store,
      streams,
      clock,
      ids,
    );
  }
}
