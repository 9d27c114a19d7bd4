import { Migrator, type Migration, type MigrationProvider, type Kysely } from 'kysely';
import * as m0001 from './migrations/20261128_0001_foundation.js';
import * as m0002 from './migrations/20261128_0002_participants.js';
import * as m0003 from './migrations/20261128_0003_imports.js';
import * as m0004 from './migrations/20261128_0004_reports.js';
import * as m0005 from './migrations/20261128_0005_report_indexes.js';
import * as m0006 from './migrations/20261128_0006_register_fixes.js';
import * as m0007 from './migrations/20261128_0007_income_groups.js';
import * as m0008 from './migrations/20261128_0008_report_data_versions.js';
import * as m0009 from './migrations/20261128_0009_export_order.js';
import * as m0010 from './migrations/20261128_0010_participation_sex.js';
import type { DB } from './types.js';

/** Migrations are listed statically so they work the same under tsx, bundlers and tests. */
const migrations: Record<string, Migration> = {
  '20261128_0001_foundation': m0001,
  '20261128_0002_participants': m0002,
  '20261128_0003_imports': m0003,
  '20261128_0004_reports': m0004,
  '20261128_0005_report_indexes': m0005,
  '20261128_0006_register_fixes': m0006,
  '20261128_0007_income_groups': m0007,
  '20261128_0008_report_data_versions': m0008,
  '20261128_0009_export_order': m0009,
  '20261128_0010_participation_sex': m0010,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<DB>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}
