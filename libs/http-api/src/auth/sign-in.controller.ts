import { Body, CanActivate, Controller, ExecutionContext, Get, HttpCode, Injectable, Logger, NotFoundException, OnApplicationBootstrap, Post, UseGuards } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig, devSubject, mintDevToken, Public } from '@refund-desk/platform';
import { ApiBodyProblems, ApiProblems } from '../http/openapi';
import { DeskConfigResponse, DevTokenRequestDto, DevTokenResponse } from './sign-in.dto';

/**
 * In production the development sign-in answers as a route that does not exist would. A guard,
 * because guards run before the body is validated: a bad body must not get a 400 that gives the
 * route away.
 */
@Injectable()
export class NotInProductionGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.config.isProduction) return true;
    const request = context.switchToHttp().getRequest<{ method: string; url: string }>();
    throw new NotFoundException(`Cannot ${request.method} ${request.url.split('?')[0]}`);
  }
}

/**
 * What the desk needs before anyone has signed in: how to sign in (OpenID Connect, and outside
 * production a development sign-in that mints HS256 tokens). Both are public, limited per client
 * address like every route.
 */
@ApiTags('sign-in')
@Public()
@Controller('v1')
export class SignInController implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly jwt: JwtService,
  ) {}

  /** NODE_ENV defaults to development: a deployment that forgot it would hand out admin tokens to anyone. */
  onApplicationBootstrap(): void {
    if (this.config.NODE_ENV !== 'development') return;
    new Logger('Auth').warn(
      'Development sign-in is on (NODE_ENV is not production): anyone who reaches POST /v1/dev/token gets a token with any role. Set NODE_ENV=production wherever others can reach this service.',
    );
  }

  @Get('desk/config')
  @ApiOperation({
    operationId: 'getDeskConfig',
    summary: 'How to sign in: the OpenID Connect provider and client, and whether development sign-in is on',
    description: 'No token needed. Holds nothing secret: the desk is a public client.',
  })
  @ApiOkResponse({ type: DeskConfigResponse, description: 'The sign-in settings' })
  @ApiProblems(429, 500)
  deskConfig(): DeskConfigResponse {
    const oidc = this.config.oidc;
    return {
      devSignIn: !this.config.isProduction,
      oidc: oidc ? { issuer: oidc.issuer, clientId: oidc.clientId, scopes: oidc.scopes } : null,
    };
  }

  @Post('dev/token')
  @UseGuards(NotInProductionGuard)
  @HttpCode(201)
  @ApiOperation({
    operationId: 'mintDevToken',
    summary: 'Development sign-in: an HS256 token for a name and a role (not in production)',
    description:
      'No token needed. The subject is derived from the name (`dev_` and the name in lower case, words joined by `_`), so the same name is the same actor. ' +
      'The token lives 8 hours, or AUTH_MAX_TOKEN_LIFETIME_S if shorter. With NODE_ENV=production the route does not exist: 404, as for any unknown route.',
  })
  @ApiCreatedResponse({ type: DevTokenResponse, description: 'The token and when it expires' })
  @ApiBodyProblems()
  @ApiProblems(404, 429, 500)
  async devToken(@Body() body: DevTokenRequestDto): Promise<DevTokenResponse> {
    // The DTO makes sure the name has a letter or digit, so there is always a subject.
    const sub = devSubject(body.name)!;
    const { token, expiresAt } = await mintDevToken(this.jwt, this.config, { sub, roles: [body.role], name: body.name });
    return { token, expiresAt: expiresAt.toISOString() };
  }
}
