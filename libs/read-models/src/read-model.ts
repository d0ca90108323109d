import { Type } from '@nestjs/common';
import { Projection, ReadModelTable } from './projection-runtime/projection';

/**
 * Everything the service needs to know about one read model: its name (the key of its
 * checkpoint, health and rebuild routes), its tables, the projection that fills them, and the
 * query services that read them. READ_MODELS lists them; nothing else registers a read model.
 */
export interface ReadModel<Name extends string = string> {
  readonly name: Name;
  readonly tables: readonly ReadModelTable[];
  readonly projection: Projection & { readonly name: Name };
  /** Services answering from its tables: provided and exported by ReadModelsModule. */
  readonly queries: readonly Type[];
}

/** The descriptor of a read model, named and shaped by its projection. */
export const defineReadModel = <const Name extends string>(
  projection: Projection & { readonly name: Name },
  queries: readonly Type[],
): ReadModel<Name> => ({ name: projection.name, tables: projection.tables, projection, queries });
