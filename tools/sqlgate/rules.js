// Constructs MySQL 8.0/8.4 or TiDB 8.5 cannot run, or run differently from MariaDB 10.11. Each rule
// is checked on every SQL text the gate sees (whole statements and run-time fragments alike), after
// normalise(): string literals emptied, comments removed (MySQL's /*! … */ kept, TiDB's /*T! … */
// kept apart in `tidb`), upper case, punctuation spaced, whitespace collapsed.
//
// `targets` names the servers a construct fails on or behaves differently on; a rule whose targets
// include MySQL is MariaDB-only syntax. Sources (checked 2025 against the manuals):
//   MySQL   https://dev.mysql.com/doc/refman/8.0/en/ (8.4 likewise)
//   TiDB    https://docs.pingcap.com/tidb/stable/mysql-compatibility (unsupported features)
//   MariaDB https://mariadb.com/kb/en/ (the MariaDB-only extensions named below)
'use strict';

const MYSQL = 'MySQL 8';
const TIDB = 'TiDB';

// normalise(sql) -> { text, tidb, mariadb }
function normalise(sql) {
  let out = '';
  const tidb = [];
  const mariadb = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const two = sql.slice(i, i + 2);
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n) {
        if (sql[j] === '\\') { j += 2; continue; }
        if (sql[j] === c) { if (sql[j + 1] === c) { j += 2; continue; } break; }
        j++;
      }
      out += " '' ";
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const j = sql.indexOf('`', i + 1);
      out += ' QUOTED_ID ';
      i = j < 0 ? n : j + 1;
      continue;
    }
    if ((two === '--' && /\s/.test(sql[i + 2] || ' ')) || c === '#') {
      const j = sql.indexOf('\n', i);
      i = j < 0 ? n : j;
      continue;
    }
    if (two === '/*') {
      const j = sql.indexOf('*/', i + 2);
      const body = sql.slice(i + 2, j < 0 ? n : j);
      i = j < 0 ? n : j + 2;
      if (body.startsWith('!')) out += ' ' + body.replace(/^!\d*/, '') + ' ';   // MySQL/MariaDB run it
      else if (body.startsWith('M!')) mariadb.push(body.replace(/^M!\d*/, ''));  // only MariaDB runs it
      else if (body.startsWith('T!')) tidb.push(body.replace(/^T!(\[[^\]]*\])?/, ''));  // only TiDB
      continue;
    }
    out += c;
    i++;
  }
  const tidy = (t) => t.toUpperCase().replace(/([(),;=])/g, ' $1 ').replace(/\s+/g, ' ').trim();
  return { text: tidy(out), tidb: tidy(tidb.join(' ')), mariadb };
}

const isDdl = (t) => /^(CREATE|ALTER)\b/.test(t);

// Collations and character sets MariaDB 10.11, MySQL 8 and TiDB 8.5 all have (TiDB's full list:
// https://docs.pingcap.com/tidb/stable/character-set-and-collation; utf8mb4_unicode_ci and
// utf8mb4_general_ci need TiDB's new collation framework, a start-up check).
const kPortableCollations = new Set([
  'UTF8MB4_BIN', 'UTF8MB4_GENERAL_CI', 'UTF8MB4_UNICODE_CI', 'BINARY', 'ASCII_BIN', 'LATIN1_BIN']);
const kPortableCharsets = new Set(['UTF8MB4', 'BINARY', 'ASCII', 'LATIN1']);

// Functions MariaDB has and MySQL 8 lacks (https://mariadb.com/kb/en/function-differences-between-mariadb-and-mysql/).
const kMariaDbOnlyFunctions = [
  'JSON_DETAILED', 'JSON_LOOSE', 'JSON_COMPACT', 'JSON_EXISTS', 'JSON_QUERY', 'JSON_EQUALS',
  'JSON_NORMALIZE', 'JSON_ARRAY_INTERSECT', 'JSON_OBJECT_FILTER_KEYS', 'JSON_OBJECT_TO_ARRAY',
  'JSON_KEY_VALUE', 'COLUMN_CREATE', 'COLUMN_GET', 'COLUMN_ADD', 'COLUMN_DELETE', 'COLUMN_EXISTS',
  'COLUMN_LIST', 'COLUMN_CHECK', 'COLUMN_JSON', 'SFORMAT', 'NATURAL_SORT_KEY', 'KDF', 'CHR',
  'TO_CHAR', 'ADD_MONTHS', 'SYS_GUID', 'NVL', 'NVL2', 'DECODE_ORACLE', 'MEDIAN',
  'PERCENTILE_CONT', 'PERCENTILE_DISC', 'LASTVAL', 'NEXTVAL', 'SETVAL', 'UUID_V4', 'UUID_V7',
  'BINLOG_GTID_POS', 'MASTER_GTID_WAIT', 'WSREP_LAST_WRITTEN_GTID', 'WSREP_LAST_SEEN_GTID',
  'WSREP_SYNC_WAIT_UPTO_GTID', 'LENGTHB', 'TRIM_ORACLE', 'FORMAT_PICO_TIME_ORACLE'];
const kMariaDbOnlyFunctionRe = new RegExp(`\\b(${kMariaDbOnlyFunctions.join('|')}) \\(`);

const rules = [
  {
    id: 'returning', targets: [MYSQL, TIDB],
    test: (n) => /\bRETURNING\b/.test(n.text),
    reason: 'INSERT/REPLACE/DELETE … RETURNING is MariaDB-only (mariadb.com/kb/en/insertreturning); ' +
      'use ids made by the service (ids.h) or LAST_INSERT_ID()',
  },
  {
    id: 'create-or-replace', targets: [MYSQL, TIDB],
    test: (n) => /\bCREATE OR REPLACE (?!(ALGORITHM|DEFINER|SQL SECURITY|VIEW)\b)/.test(n.text),
    reason: 'CREATE OR REPLACE TABLE/DATABASE/INDEX/USER/… is MariaDB-only; MySQL and TiDB have it ' +
      'for views only (dev.mysql.com/doc/refman/8.0/en/create-table.html)',
  },
  {
    id: 'lock-in-share-mode', targets: [TIDB],
    test: (n) => /\bLOCK IN SHARE MODE\b/.test(n.text),
    reason: 'TiDB refuses LOCK IN SHARE MODE (error 1235) unless tidb_enable_noop_functions=ON, and ' +
      'then takes no lock at all (docs.pingcap.com/tidb/stable/system-variables#tidb_enable_noop_functions-new-in-v40); use FOR UPDATE',
  },
  {
    id: 'for-share', targets: ['MariaDB 10.11', TIDB],
    test: (n) => /\bFOR SHARE\b/.test(n.text),
    reason: 'SELECT … FOR SHARE is not MariaDB 10.11 syntax, and TiDB treats it like LOCK IN SHARE ' +
      'MODE (a no-op or error 1235); use FOR UPDATE',
  },
  {
    id: 'skip-locked', targets: [TIDB],
    test: (n) => /\bSKIP LOCKED\b/.test(n.text),
    reason: 'TiDB 8.5 parses SKIP LOCKED but then takes no lock (pingcap/tidb#69720, #18207)',
  },
  {
    id: 'lock-wait-n', targets: [MYSQL],
    test: (n) => /\b(FOR UPDATE|LOCK IN SHARE MODE) WAIT \d/.test(n.text),
    reason: 'FOR UPDATE WAIT n is MariaDB-only (MySQL has NOWAIT and SKIP LOCKED only)',
  },
  {
    id: 'sequence', targets: [MYSQL],
    test: (n) => /\b(CREATE|ALTER|DROP) (OR REPLACE )?(TEMPORARY )?SEQUENCE\b|\b(NEXT|PREVIOUS) VALUE FOR\b|\b(NEXTVAL|LASTVAL|SETVAL) \(/.test(n.text),
    reason: 'sequences (CREATE SEQUENCE, NEXTVAL, NEXT VALUE FOR) exist in MariaDB and TiDB, not MySQL; ' +
      'ids come from the service (ids.h)',
  },
  {
    id: 'fulltext-spatial', targets: [TIDB],
    test: (n) => /\b(FULLTEXT|SPATIAL)\b|\bAGAINST \(|\bST_\w+ \(/.test(n.text) || (isDdl(n.text) &&
      /\b(GEOMETRY|POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|GEOMETRYCOLLECTION)\b/.test(n.text)),
    reason: 'TiDB has no FULLTEXT or SPATIAL indexes, MATCH … AGAINST or GIS types and functions ' +
      '(docs.pingcap.com/tidb/stable/mysql-compatibility#unsupported-features)',
  },
  {
    id: 'stored-program', targets: [TIDB],
    test: (n) => /^(CREATE (DEFINER = \S+ )?(TRIGGER|PROCEDURE|FUNCTION|EVENT)|ALTER (PROCEDURE|FUNCTION|EVENT)|DROP (TRIGGER|PROCEDURE|FUNCTION|EVENT)|CALL|DELIMITER)\b/.test(n.text),
    reason: 'TiDB has no triggers, stored procedures, stored functions or events ' +
      '(docs.pingcap.com/tidb/stable/mysql-compatibility#unsupported-features)',
  },
  {
    id: 'tidb-unsupported-statement', targets: [TIDB],
    test: (n) => /^(XA|HANDLER|CHECK TABLE|CHECKSUM TABLE|REPAIR TABLE|OPTIMIZE TABLE|CREATE TABLESPACE|LOCK TABLES?|UNLOCK TABLES)\b/.test(n.text) ||
      /^CREATE (TEMPORARY )?TABLE\b.*\bSELECT\b/.test(n.text),
    reason: 'TiDB does not run XA, HANDLER, CHECK/CHECKSUM/REPAIR/OPTIMIZE TABLE or CREATE TABLE … ' +
      'SELECT, and LOCK TABLES only with enable-table-lock (docs.pingcap.com/tidb/stable/mysql-compatibility)',
  },
  {
    id: 'alter-if-exists', targets: [MYSQL],
    test: (n) => (/^ALTER TABLE\b/.test(n.text) &&
      /\b(ADD|DROP|MODIFY|CHANGE|ALTER|RENAME) (COLUMN |INDEX |KEY |UNIQUE |UNIQUE INDEX |UNIQUE KEY |CONSTRAINT |FOREIGN KEY |PARTITION |CHECK )?IF (NOT )?EXISTS\b/.test(n.text)) ||
      /^CREATE (UNIQUE |FULLTEXT |SPATIAL )?INDEX IF NOT EXISTS\b|^DROP INDEX IF EXISTS\b/.test(n.text),
    reason: 'IF [NOT] EXISTS on ALTER TABLE ADD/DROP COLUMN/INDEX/CONSTRAINT and on CREATE/DROP INDEX ' +
      'is MariaDB-only (mariadb.com/kb/en/alter-table); MySQL 8 refuses it — a migration runs once, so ' +
      'it needs no guard',
  },
  {
    id: 'alter-primary-key', targets: [TIDB],
    test: (n) => /^ALTER TABLE\b/.test(n.text) && /\b(DROP PRIMARY KEY|ADD (CONSTRAINT \S+ )?PRIMARY KEY)\b/.test(n.text) &&
      !/\bNONCLUSTERED\b/.test(n.tidb),
    reason: 'TiDB makes a PRIMARY KEY clustered by default (tidb_enable_clustered_index=ON) and cannot ' +
      'add or drop a clustered primary key (docs.pingcap.com/tidb/stable/clustered-indexes); create ' +
      'the table with its final key, or declare it /*T![clustered_index] NONCLUSTERED */',
  },
  {
    id: 'auto-increment-order', targets: [TIDB],
    test: (n) => /^CREATE TABLE\b/.test(n.text) && /\bAUTO_INCREMENT\b/.test(n.text) &&
      !/\bAUTO_ID_CACHE = 1\b/.test(n.tidb),
    reason: 'TiDB hands out AUTO_INCREMENT ids in batches per server: not in insert or commit order ' +
      'across servers (docs.pingcap.com/tidb/stable/auto-increment); add /*T![auto_id_cache] ' +
      'AUTO_ID_CACHE=1 */ and never read the id as a commit-ordered cursor',
  },
  {
    id: 'engine', targets: [MYSQL, TIDB],
    test: (n) => /\bENGINE = (?!INNODB\b)\w+/.test(n.text),
    reason: 'only InnoDB is common to MariaDB, MySQL and TiDB (Aria, ColumnStore, … are MariaDB-only)',
  },
  {
    id: 'collation', targets: [MYSQL, TIDB],
    test: (n) => [...n.text.matchAll(/\bCOLLATE (?:= )?(\w+)/g)].some((m) => !kPortableCollations.has(m[1])),
    reason: `collations common to the three servers: ${[...kPortableCollations].join(', ').toLowerCase()} ` +
      '(MariaDB\'s uca1400 and MySQL\'s 0900 collations are not on the others)',
  },
  {
    id: 'charset', targets: [MYSQL, TIDB],
    test: (n) => [...n.text.matchAll(/\b(?:CHARSET|CHARACTER SET) (?:= )?(\w+)/g)].some((m) => !kPortableCharsets.has(m[1])),
    reason: 'use utf8mb4 (utf8 means the 3-byte utf8mb3; TiDB has only ascii, latin1, binary, utf8, utf8mb4, gbk)',
  },
  {
    id: 'mariadb-type', targets: [MYSQL, TIDB],
    test: (n) => isDdl(n.text) && /\b(INET4|INET6|UUID|XMLTYPE)\b(?! \()/.test(n.text),
    reason: 'INET4, INET6, UUID and XMLTYPE column types are MariaDB-only (mariadb.com/kb/en/data-types)',
  },
  {
    id: 'mariadb-function', targets: [MYSQL],
    test: (n) => kMariaDbOnlyFunctionRe.test(n.text),
    reason: 'a MariaDB-only function (mariadb.com/kb/en/function-differences-between-mariadb-and-mysql)',
  },
  {
    id: 'json-table', targets: [TIDB],
    test: (n) => /\bJSON_TABLE \(/.test(n.text),
    reason: 'TiDB has no JSON_TABLE (docs.pingcap.com/tidb/stable/json-functions)',
  },
  {
    id: 'mariadb-syntax', targets: [MYSQL],
    test: (n) => /\bGROUP_CONCAT \([^)]*\bLIMIT\b|\bLIMIT ROWS EXAMINED\b|\bFETCH (FIRST|NEXT)\b|\bOFFSET \S+ ROWS?\b|^SET STATEMENT\b|\bFOR SYSTEM_TIME\b|\bWITH(OUT)? SYSTEM VERSIONING\b|\bPERIOD FOR\b|\bFOR PORTION OF\b|\bALGORITHM = NOCOPY\b/.test(n.text) ||
      (isDdl(n.text) && /\bIGNORED\b/.test(n.text)) ||
      n.mariadb.length > 0,
    reason: 'MariaDB-only syntax (GROUP_CONCAT … LIMIT, LIMIT ROWS EXAMINED, OFFSET/FETCH FIRST, SET ' +
      'STATEMENT, system versioning, application-time periods, ALGORITHM=NOCOPY, IGNORED indexes, ' +
      '/*M! … */ comments that only MariaDB executes)',
  },
];

// The rules `sql` breaks: [{id, targets, reason}].
function check(sql) {
  const n = normalise(sql);
  return rules.filter((r) => r.test(n));
}

module.exports = { check, normalise, rules };
