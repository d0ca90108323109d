import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CustomerKeyStore } from '@refund-desk/data-protection';
import { decide } from '@refund-desk/domain';
import { Clock } from '@refund-desk/platform';
import { CustomerHistoryQuery } from '@refund-desk/read-models';
import { CaseRepository } from '../command-handling/case-repository';
import { CommandContext } from '../command-handling/command-context';

export interface ErasureResult {
  readonly customerId: string;
  readonly erasedAt: string;
  /** Keys destroyed by this request (0 when an earlier erasure already destroyed them). */
  readonly keysDestroyed: number;
  readonly cases: ReadonlyArray<{ readonly caseId: string; readonly version: number; readonly position: number | null; readonly alreadyErased: boolean }>;
  /** False when the case list may miss a case logged moments ago; its personal data is unreadable all the same. */
  readonly casesComplete: boolean;
}

/**
 * Crypto-shredding: destroys the customer's keys first (from then on their personal fields read
 * as erased everywhere, whatever else happens), then records CustomerDataErased in each case so
 * the history says when and by whom. Safe to repeat.
 */
export class EraseCustomerDataCommand extends Command<ErasureResult> {
  constructor(
    readonly customerId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(EraseCustomerDataCommand)
export class EraseCustomerDataHandler implements ICommandHandler<EraseCustomerDataCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly keys: CustomerKeyStore,
    private readonly history: CustomerHistoryQuery,
    private readonly clock: Clock,
  ) {}

  async execute({ customerId, context }: EraseCustomerDataCommand): Promise<ErasureResult> {
    const { caseIds, complete } = await this.history.caseIdsOf(customerId);
    const keysDestroyed = await this.keys.erase(customerId);
    const cases: Array<ErasureResult['cases'][number]> = [];
    for (const caseId of caseIds) {
      const result = await this.cases.execute('EraseCustomerData', caseId, context, (state, now) =>
        decide({ type: 'EraseCustomerData', customerId, actor: context.actor, now }, state),
      );
      cases.push({ caseId, version: result.version, position: result.position, alreadyErased: result.events.length === 0 });
    }
    return { customerId, erasedAt: this.clock.now().toISOString(), keysDestroyed, cases, casesComplete: complete };
  }
}
