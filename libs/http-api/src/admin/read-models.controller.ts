import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiAcceptedResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HttpProblem, Roles } from '@refund-desk/platform';
import { ApiBodyProblems, ApiCommonProblems, ApiProblems } from '../http/openapi';
import { ProjectionRunner, ProjectionStatus, ReadModelRebuilds, RebuildBusyError, RebuildJob } from '@refund-desk/read-models';

class ReadModelStatusResponse {
  @ApiProperty({ example: 'manager_queue' }) name!: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Generation the queries read' }) generation!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Checkpoint of the live generation' }) checkpoint!: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) position!: number | null;
  @ApiProperty({ type: 'integer' }) lagEvents!: number;
  @ApiProperty() lagSeconds!: number;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'A rebuild in progress or interrupted (in any process)' })
  rebuilding!: ProjectionStatus['rebuilding'];
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'The latest rebuild started in this process' })
  job!: RebuildJob | null;
}

class RebuildJobResponse {
  @ApiProperty({ type: [String] }) readModels!: string[];
  @ApiProperty({ enum: ['running', 'succeeded', 'failed'] }) state!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'phase, eventsRead, eventsApplied, position, headPosition, eventsPerSecond, elapsedSeconds, generations',
  })
  progress!: RebuildJob['progress'];
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

const NAME = { name: 'name', description: 'A read model (manager_queue, follow_up_queue, customer_timeline, trend_analytics, customer_history, due_deadlines) or `all`' };

/**
 * Rebuilding read models inside the running service: the way to rebuild on the embedded store,
 * where the CLI cannot open the database the service holds.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiCommonProblems()
@Controller('v1/admin/read-models')
export class ReadModelsAdminController {
  constructor(
    private readonly rebuilds: ReadModelRebuilds,
    private readonly runner: ProjectionRunner,
  ) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ operationId: 'listReadModels', summary: 'Each read model: live generation, lag, and any rebuild', description: 'For operators deciding whether to rebuild.' })
  @ApiOkResponse({ type: [ReadModelStatusResponse], description: 'Every read model' })
  async list(): Promise<ReadModelStatusResponse[]> {
    const statuses = await this.runner.status();
    return statuses.map((status) => ({ ...status, job: this.rebuilds.job(status.name) ?? null }));
  }

  @Post(':name/rebuild')
  @HttpCode(202)
  @Roles('admin')
  @ApiOperation({
    operationId: 'rebuildReadModel',
    summary: 'Rebuild from the log into fresh tables, then swap them in; the old tables serve until then',
    description:
      'Answers at once with the job; poll GET …/rebuild for progress. 200 with the running job when this process is already rebuilding it; ' +
      '409 rebuild-running (with rebuildRunning: the read model and who rebuilds it) when another replica or the CLI is: ' +
      'one rebuild of a read model at a time, by a lease, whichever process it is started from.',
  })
  @ApiParam(NAME)
  @ApiAcceptedResponse({ type: RebuildJobResponse, description: 'The rebuild started' })
  @ApiOkResponse({ type: RebuildJobResponse, description: 'A rebuild of it was already running in this process: that job' })
  @ApiBodyProblems()
  @ApiProblems(404, 409)
  async rebuild(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<RebuildJob> {
    try {
      const { job, started } = await this.rebuilds.start(this.names(name));
      if (!started) reply.status(200);
      return job;
    } catch (error) {
      if (!(error instanceof RebuildBusyError)) throw error;
      throw new HttpProblem(409, error.message, {
        slug: 'rebuild-running',
        title: 'A rebuild of this read model is running elsewhere',
        rebuildRunning: { readModel: error.readModel, holder: error.holder },
      });
    }
  }

  @Get(':name/rebuild')
  @Roles('admin')
  @ApiOperation({
    operationId: 'getReadModelRebuild',
    summary: 'The latest rebuild of a read model started by this process',
    description: '404 when this process has not rebuilt it (or for `all`).',
  })
  @ApiParam({ name: 'name', description: 'A read model' })
  @ApiOkResponse({ type: RebuildJobResponse, description: 'The job and its progress' })
  @ApiProblems(404)
  job(@Param('name') name: string): RebuildJob {
    const [readModel] = this.names(name);
    const job = this.rebuilds.job(readModel);
    if (!job || name === 'all') throw new HttpProblem(404, `No rebuild of ${name} was started by this process`);
    return job;
  }

  private names(name: string): string[] {
    if (name === 'all') return this.rebuilds.names;
    if (!this.rebuilds.names.includes(name)) {
      throw new HttpProblem(404, `Unknown read model ${name.slice(0, 60)}; known: ${this.rebuilds.names.join(', ')}`);
    }
    return [name];
  }
}
