import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { CaseNotFoundError } from '@refund-desk/domain';
import { Clock } from '@refund-desk/platform';
import { CaseRepository } from '../command-handling/case-repository';
import { CaseView, toCaseView } from '../views/case-view';

/** One case, folded from its stream: always current, no read model in between. */
export class GetCaseQuery extends Query<CaseView> {
  constructor(readonly caseId: string) {
    super();
  }
}

@QueryHandler(GetCaseQuery)
export class GetCaseHandler implements IQueryHandler<GetCaseQuery> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ caseId }: GetCaseQuery): Promise<CaseView> {
    // A read checks the case's hash chain first (the command path does not: it is the hot path),
    // so a changed or unreadable event is answered as such, naming it, instead of folded in.
    const { state, version } = await this.cases.load(caseId, { integrity: 'verify' });
    if (state.status === 'none') throw new CaseNotFoundError(caseId);
    return toCaseView(state, version, this.clock.now());
  }
}
