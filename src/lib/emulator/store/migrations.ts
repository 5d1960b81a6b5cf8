/**
 * Schema migrations, applied in order inside one transaction each; PRAGMA user_version records
 * how many ran. Never edit a released migration: append a new one.
 *
 * Resource tables share one shape (see repository.ts): `seq` (insertion order, the paging key),
 * `sid`, `account_sid`, `parent_sid` (the owning resource for nested lists, '' at top level),
 * `doc` (the resource as JSON, without url/links which depend on the base URL), and indexed key
 * columns a resource needs for uniqueness or filters.
 */
export const MIGRATIONS: string[] = [
  // 1: accounts, API keys, address configurations
  `
  CREATE TABLE flexconv_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  INSERT INTO flexconv_meta (key, value) VALUES ('app', 'flexconv-emulator');

  CREATE TABLE accounts (
    sid TEXT PRIMARY KEY,
    auth_token TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    date_created TEXT NOT NULL
  );
  CREATE TABLE api_keys (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts(sid) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    friendly_name TEXT NOT NULL
  );

  CREATE TABLE address_configurations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    parent_sid TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    address TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE UNIQUE INDEX address_configurations_unique ON address_configurations (account_sid, address);
  CREATE INDEX address_configurations_list ON address_configurations (account_sid, parent_sid, seq);
  CREATE INDEX address_configurations_by_type ON address_configurations (account_sid, parent_sid, type, seq);
  `,
];

/** Tables whose rows are user data (cleared by reset); accounts are re-seeded after a reset. */
export const DATA_TABLES = ['address_configurations', 'api_keys', 'accounts'];
