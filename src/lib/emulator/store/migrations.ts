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
  // 2: the engines' fixed tables: event log, persisted timers, webhook deliveries and their attempts
  `
  CREATE TABLE event_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_sid TEXT NOT NULL,
    type TEXT NOT NULL,
    resource_sid TEXT,
    date_ms INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX event_log_by_account ON event_log (account_sid, seq);
  INSERT INTO flexconv_meta (key, value) VALUES ('bus_cursor', '0');

  CREATE TABLE timers (
    key TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL,
    due_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX timers_due ON timers (due_ms, key);

  -- a delivery's sid is WD + its seq in 32 hex digits (no index of its own to keep up)
  CREATE TABLE deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_sid TEXT NOT NULL,
    event_type TEXT NOT NULL,
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    params TEXT NOT NULL,
    ordering_key TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 1,
    date_created_ms INTEGER NOT NULL,
    date_updated_ms INTEGER NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    event_seq INTEGER
  );
  -- only the deliveries still to send (read at start-up): a delivered one leaves the index
  CREATE INDEX deliveries_pending ON deliveries (seq) WHERE status = 'pending';

  CREATE TABLE webhook_attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_seq INTEGER NOT NULL,
    account_sid TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    date_ms INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    status INTEGER,
    latency_ms REAL NOT NULL,
    error TEXT,
    response TEXT
  );
  `,
  // 3: address configurations as the declared tables are (model/conversations.ts): seq as the
  // rowid without AUTOINCREMENT (its sqlite_sequence row was rewritten by every create), and no
  // index on type (a Type filter reads the list index; one index fewer to write per create)
  `
  CREATE TABLE address_configurations_v3 (
    seq INTEGER PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    parent_sid TEXT NOT NULL DEFAULT '',
    doc TEXT NOT NULL,
    "type" TEXT,
    "address" TEXT
  );
  INSERT INTO address_configurations_v3 (seq, sid, account_sid, parent_sid, doc, "type", "address")
    SELECT seq, sid, account_sid, parent_sid, doc, type, address FROM address_configurations ORDER BY seq;
  DROP TABLE address_configurations;
  ALTER TABLE address_configurations_v3 RENAME TO address_configurations;
  -- its indexes are the declaration's, created by the store after the migrations (tableDdl)
  `,
  // 4: the webhook log written once per delivery and once per attempt. A delivery's state is its
  // attempts' (none: pending; a 2xx: delivered; the last allowed one failed: failed; else retrying),
  // so a delivery row is never updated and needs no index of pending rows; both tables hand out
  // their seqs from the store (counters kept past a reset in flexconv_meta), not AUTOINCREMENT,
  // whose sqlite_sequence row was rewritten by every commit
  `
  INSERT OR REPLACE INTO flexconv_meta (key, value)
    VALUES ('deliveries_seq', COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'), 0));
  INSERT OR REPLACE INTO flexconv_meta (key, value)
    VALUES ('webhook_attempts_seq', COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'webhook_attempts'), 0));
  -- a finished delivery whose attempts were pruned would read as pending: it goes too
  DELETE FROM deliveries WHERE status IN ('delivered', 'failed') AND seq NOT IN (SELECT delivery_seq FROM webhook_attempts);
  CREATE TABLE deliveries_v4 (
    seq INTEGER PRIMARY KEY,
    account_sid TEXT NOT NULL,
    event_type TEXT NOT NULL,
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    params TEXT NOT NULL,
    ordering_key TEXT NOT NULL,
    max_attempts INTEGER NOT NULL DEFAULT 1,
    date_created_ms INTEGER NOT NULL,
    event_seq INTEGER
  );
  INSERT INTO deliveries_v4 (seq, account_sid, event_type, url, method, params, ordering_key, max_attempts, date_created_ms, event_seq)
    SELECT seq, account_sid, event_type, url, method, params, ordering_key, max_attempts, date_created_ms, event_seq FROM deliveries ORDER BY seq;
  DROP TABLE deliveries;
  ALTER TABLE deliveries_v4 RENAME TO deliveries;
  CREATE TABLE webhook_attempts_v4 (
    seq INTEGER PRIMARY KEY,
    delivery_seq INTEGER NOT NULL,
    account_sid TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    date_ms INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    status INTEGER,
    latency_ms REAL NOT NULL,
    error TEXT,
    response TEXT
  );
  INSERT INTO webhook_attempts_v4 SELECT seq, delivery_seq, account_sid, attempt, date_ms, event_type, url, method, status, latency_ms, error, response
    FROM webhook_attempts ORDER BY seq;
  DROP TABLE webhook_attempts;
  ALTER TABLE webhook_attempts_v4 RENAME TO webhook_attempts;
  -- a delivery's attempts (its state); appended in order, so a batch writes one page of it
  CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_seq, attempt);
  `,
];

/**
 * Fixed tables whose rows are user data (cleared by reset, with every declared table); accounts
 * are re-seeded after a reset.
 */
export const DATA_TABLES = ['event_log', 'timers', 'deliveries', 'webhook_attempts', 'api_keys', 'accounts'];
