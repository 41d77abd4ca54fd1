import type { Knex } from 'knex';
import { Model, type ModelClass } from 'objection';
import { createKnex } from '../src/db/knex';
import * as models from '../src/db/models';

/** Every model class the models module exports, the abstract BaseModel aside. */
const modelClasses = Object.values(models as Record<string, unknown>).filter(
  (value): value is ModelClass<Model> => typeof value === 'function' && value.prototype instanceof Model && value !== models.BaseModel,
);

/** The data layer (docs/design.md): one model per table, whose relations hold against the real schema. */
describe('the Objection models', () => {
  let knex: Knex;

  beforeAll(() => {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TEST_DATABASE_URL is not set: run through jest');
    knex = createKnex(url, 2);
  });
  afterAll(async () => {
    await knex?.destroy();
  });

  it('cover every table of the schema, one model each', async () => {
    const { rows } = await knex.raw<{ rows: { tablename: string }[] }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex\\_migrations%'`,
    );
    expect(modelClasses.map((m) => m.tableName).sort()).toEqual(rows.map((r) => r.tablename).sort());
  });

  it('join every relation they declare', async () => {
    for (const model of modelClasses) {
      for (const relation of Object.keys(model.getRelations())) {
        await expect(model.query(knex).joinRelated(relation).limit(0)).resolves.toEqual([]);
      }
    }
  });

  it('apply every modifier they declare', async () => {
    const args: Record<string, unknown[]> = { ofProviderPayment: ['pi_none'], inStatuses: [['held']], after: [0, 0], ofReservation: ['00000000-0000-0000-0000-000000000000'] };
    for (const model of modelClasses) {
      for (const modifier of Object.keys(model.modifiers ?? {})) {
        await expect(model.query(knex).modify(modifier, ...(args[modifier] ?? [])).limit(0)).resolves.toEqual([]);
      }
    }
  });
});
