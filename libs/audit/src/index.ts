export * from './chain-verification';
export * from './case-history';
export * from './audit.service';
export * from './audit.module';
