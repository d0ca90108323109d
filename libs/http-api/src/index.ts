export { ApiModule } from './api.module';
export { buildOpenApiDocument, configureHttpApp } from './bootstrap';
export { API_CSP, deskCsp, DOCS_CSP } from './http/security-headers';
