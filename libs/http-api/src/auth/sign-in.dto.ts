import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { Role, ROLES } from '@refund-desk/domain';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class DevTokenRequestDto {
  @ApiProperty({ description: 'Who signs in; the same name always gives the same subject (the actor of every event the token causes)', example: 'Marco Bianchi', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @Matches(/[\p{L}\p{N}]/u, { message: 'name must contain a letter or a digit' })
  name!: string;

  @ApiProperty({ enum: ROLES, example: 'manager', description: 'The role the token carries' })
  @IsIn(ROLES, { message: `role must be one of: ${ROLES.join(', ')}` })
  role!: Role;
}

export class DevTokenResponse {
  @ApiProperty({ description: 'An HS256 bearer token, as `npm run token` mints', example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkZXZfbWFyY28ifQ.c2lnbmF0dXJl' })
  token!: string;

  @ApiProperty({ format: 'date-time', description: 'When the token expires (its exp)' })
  expiresAt!: string;
}

export class OidcClientSettings {
  @ApiProperty({ description: 'OIDC_ISSUER: where the desk discovers the provider', example: 'https://id.example.com/realms/shop' })
  issuer!: string;

  @ApiProperty({ description: 'OIDC_CLIENT_ID: the desk, a public client (authorization code with PKCE)', example: 'refund-desk' })
  clientId!: string;

  @ApiProperty({ description: 'OIDC_SCOPES, space-separated', example: 'openid profile' })
  scopes!: string;
}

export class DeskConfigResponse {
  @ApiProperty({ description: 'Whether POST /v1/dev/token mints development tokens (everywhere but NODE_ENV=production)' })
  devSignIn!: boolean;

  @ApiProperty({ type: OidcClientSettings, nullable: true, description: 'How to sign in with OpenID Connect; null when OIDC_ISSUER is not set' })
  oidc!: OidcClientSettings | null;
}
