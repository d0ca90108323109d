export * from './render-decision-message';
export type { Catalog } from './catalogs/catalog';
