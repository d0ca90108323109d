import { createSecretKey } from 'node:crypto';
import { Global, Logger, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { AuthGuard, OIDC_VERIFIER } from './auth.guard';
import { OidcTokenVerifier } from './oidc-verifier';
import { resolveJwtSecret } from './jwt-secret';

/** Token verification (HS256, and OIDC when configured); the HTTP app installs AuthGuard as its first global guard. */
@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const { secret, generated, file } = resolveJwtSecret(config);
        if (generated) new Logger('Auth').warn(`AUTH_JWT_SECRET is not set: generated a development secret in ${file}`);
        // A key object, not the string: given a string, jsonwebtoken first tries to read it as a
        // PEM public key and only then as a secret, on every request; that cost a quarter of the
        // API's CPU under load.
        return { secret: createSecretKey(Buffer.from(secret, 'utf8')), signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } };
      },
    }),
  ],
  providers: [
    AuthGuard,
    {
      provide: OIDC_VERIFIER,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const oidc = config.oidc;
        if (!oidc) return null;
        new Logger('Auth').log({ msg: 'accepting OpenID Connect access tokens', issuer: oidc.issuer, audience: oidc.audience, rolesClaim: oidc.rolesClaim });
        return new OidcTokenVerifier(oidc, { maxLifetimeS: config.AUTH_MAX_TOKEN_LIFETIME_S });
      },
    },
  ],
  exports: [JwtModule, AuthGuard, OIDC_VERIFIER],
})
export class AuthModule {}
