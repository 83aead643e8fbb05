#!/usr/bin/env node
// The offline SQL gate: every statement cooplink can run must parse in the MySQL dialect
// (node-sql-parser, pinned in package.json) and use nothing MySQL 8 or TiDB cannot run (rules.js).
// Run it through tools/sql_gate.sh, which installs the parser first; usage there.
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const extract = require('./extract');
const { check } = require('./rules');

function usage() {
  return `usage: sql_gate.js [options]
  --repo DIR          repository root (default: this file's ../..)
  --capture-dir DIR   also check the texts captured there (COOPLINK_SQL_CAPTURE_DIR of a test run)
  --allowlist FILE    known parser gaps and accepted findings (default tools/sqlgate/allowlist.json)
  --sql FILE          also check this migration-style script (repeatable)
  --cxx FILE          also extract the SQL constants of this C++ file (repeatable)
  --only              check only the --sql/--cxx/--capture-dir inputs, not the tree
  --jobs N            preprocessors run at once (default 2)
  --verbose           list every statement checked and every fragment skipped
  --self-test         prove the gate fails on planted RETURNING and CREATE OR REPLACE TABLE
                      (tests/sqlgate/) and passes on the tree; exit 0 when it does`;
}

function parseArgs(argv) {
  const o = { sql: [], cxx: [], jobs: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--repo') o.repo = value();
    else if (a === '--capture-dir') o.captureDir = value();
    else if (a === '--allowlist') o.allowlist = path.resolve(value());
    else if (a === '--sql') o.sql.push(value());
    else if (a === '--cxx') o.cxx.push(value());
    else if (a === '--only') o.only = true;
    else if (a === '--jobs') o.jobs = parseInt(value(), 10);
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--self-test') o.selfTest = true;
    else if (a === '-h' || a === '--help') { console.log(usage()); process.exit(0); }
    else throw new Error(`unknown argument ${a}\n${usage()}`);
  }
  o.repo = path.resolve(o.repo || path.join(__dirname, '..', '..'));
  o.allowlist = path.resolve(o.allowlist || path.join(__dirname, 'allowlist.json'));
  return o;
}

// Allow-list entries: {rule: "parse" or a rule id, match: regex on the statement with whitespace
// collapsed, where: optional regex on "file:line", reason: why it is acceptable}.
function loadAllowlist(file) {
  const entries = JSON.parse(fs.readFileSync(file, 'utf8'));
  return entries.map((e, k) => {
    if (!e.rule || !e.match || !e.reason || e.reason.trim().length < 10) {
      throw new Error(`${file}: entry ${k + 1} needs "rule", "match" and a "reason"`);
    }
    return { ...e, re: new RegExp(e.match, 'i'), whereRe: e.where ? new RegExp(e.where) : null, used: 0 };
  });
}

const oneLine = (s) => s.replace(/\s+/g, ' ').trim();
function shorten(s, max = 110) {
  const t = oneLine(s);
  return t.length <= max ? t : `${t.slice(0, 60)} … ${t.slice(t.length - (max - 63))}`;
}

async function run(o) {
  const t0 = Date.now();
  const { Parser } = require('node-sql-parser/build/mysql');
  const parser = new Parser();
  const allow = loadAllowlist(o.allowlist);

  const texts = [];
  const counts = { migration: 0, 'runtime-migration': 0, constant: 0, captured: 0 };
  let fragments = 0;
  let skipped = { nonSql: 0, dynamic: [] };
  const sqlFiles = [...(o.only ? [] : extract.migrationFiles(o.repo)), ...o.sql.map((f) => path.resolve(f))];
  for (const f of sqlFiles) texts.push(...extract.fromSqlFile(f, o.repo));
  const cxxFiles = [...(o.only ? [] : extract.cxxFilesWithSql(o.repo)), ...o.cxx.map((f) => path.resolve(f))];
  if (cxxFiles.length > 0) {
    const fromCxx = await extract.fromCxx(o.repo, cxxFiles, o.jobs);
    texts.push(...fromCxx.texts);
    skipped = fromCxx.skipped;
  }
  let capture = { texts: [], files: 0 };
  if (o.captureDir) {
    capture = extract.fromCapture(path.resolve(o.captureDir));
    // A captured text that is already a migration statement or a constant adds nothing.
    const staticTexts = new Set(texts.map((t) => oneLine(t.sql).replace(/;$/, '')));
    capture.distinct = capture.texts.length;
    capture.texts = capture.texts.filter((t) => !staticTexts.has(oneLine(t.sql).replace(/;$/, '')));
    texts.push(...capture.texts);
  }

  const failures = [];
  const allowed = [];
  const parseCache = new Map();
  const parse = (sql) => {
    if (!parseCache.has(sql)) {
      let error = null;
      try {
        parser.astify(sql, { database: 'MySQL' });
      } catch (e) {
        error = String(e.message || e).split('\n')[0];
      }
      parseCache.set(sql, error);
    }
    return parseCache.get(sql);
  };
  const verdict = (t, rule, reason) => {
    const flat = oneLine(t.sql);
    const entry = allow.find((a) => a.rule === rule && a.re.test(flat) && (!a.whereRe || a.whereRe.test(t.where)));
    const item = { t, rule, reason, entry };
    if (entry) { entry.used++; allowed.push(item); } else failures.push(item);
  };

  for (const t of texts) {
    if (t.error) { verdict(t, 'extract', t.error); continue; }
    for (const r of check(t.sql)) verdict(t, r.id, `${r.targets.join(' and ')}: ${r.reason}`);
    // A prefix composed at run time (`INSERT … VALUES ` + rows) need not parse alone: its full
    // shapes are among the captured texts.
    const error = t.whole ? parse(t.sql) : null;
    if (error && !t.prefix) verdict(t, 'parse', `does not parse as MySQL: ${error}`);
    const isStatement = t.whole && !(error && t.prefix);
    if (isStatement) counts[t.source]++;
    else fragments++;
    if (o.verbose) console.log(`sql_gate: ${isStatement ? 'statement' : 'fragment '} ${t.where} ${t.name || ''} ${shorten(t.sql)}`);
  }

  // A captured text names no source: point at the constant it starts with, where there is one.
  const constants = texts.filter((t) => t.source === 'constant' && t.sql.trim() !== '');
  const origin = (t) => {
    const flat = oneLine(t.sql);
    let best = null;
    for (const c of constants) {
      const head = oneLine(c.sql);
      if (flat.startsWith(head) && (!best || head.length > oneLine(best.sql).length)) best = c;
    }
    return best ? ` (built from ${best.name} at ${best.where})` : '';
  };
  for (const f of failures) {
    const name = f.t.name ? ` ${f.t.name}` : f.t.source === 'captured' ? origin(f.t) : '';
    console.log(`sql_gate: FAIL ${f.t.where}${name} [${f.rule}] ${shorten(f.t.sql)}\n           ${f.reason}`);
  }
  // Allowed findings: each static one, and the captured ones once per allow-list entry.
  const capturedAllowed = new Map();
  for (const a of allowed) {
    if (a.t.source === 'captured') {
      if (!capturedAllowed.has(a.entry)) capturedAllowed.set(a.entry, []);
      capturedAllowed.get(a.entry).push(a);
      continue;
    }
    const name = a.t.name ? ` ${a.t.name}` : '';
    console.log(`sql_gate: allowed ${a.t.where}${name} [${a.rule}] ${shorten(a.t.sql, 80)}\n           allow-list: ${a.entry.reason}`);
  }
  for (const [entry, items] of capturedAllowed) {
    const more = items.length > 1 ? ` (and ${items.length - 1} more captured texts)` : '';
    console.log(`sql_gate: allowed ${items[0].t.where} [${entry.rule}] ${shorten(items[0].t.sql, 80)}${more}\n           allow-list: ${entry.reason}`);
  }
  // An entry for the static sources (always read whole) that matched nothing is stale: the
  // problem was fixed, delete the entry. Entries for captured texts ("captured": true) depend on
  // which tests ran (a ctest slice captures less), so an unused one is only mentioned.
  const stale = allow.filter((a) => a.used === 0 && !o.only && !a.captured);
  for (const a of stale) {
    console.log(`sql_gate: FAIL stale allow-list entry [${a.rule}] /${a.match}/ matched nothing: delete it from ${path.relative(o.repo, o.allowlist)}`);
  }
  if (o.verbose) {
    for (const a of allow.filter((x) => x.used === 0 && x.captured)) {
      console.log(`sql_gate: note: captured-text allow-list entry [${a.rule}] /${a.match}/ matched nothing in this run`);
    }
  }
  if (skipped.dynamic.length > 0 && o.verbose) {
    for (const d of skipped.dynamic) console.log(`sql_gate: not static (covered by the capture) ${d}`);
  }
  const total = counts.migration + counts['runtime-migration'] + counts.constant + counts.captured;
  const captureNote = o.captureDir
    ? `captured ${counts.captured} (of ${capture.distinct} distinct texts from ${capture.files} processes, the rest are static ones)`
    : 'no capture';
  console.log(`sql_gate: ${total} statements checked: migrations ${counts.migration}, runtime migrations ` +
    `${counts['runtime-migration']}, constants ${counts.constant}, ${captureNote}; ${fragments} fragments ` +
    `checked for constructs only; ${failures.length + stale.length} failures, ${allowed.length} allowed; ` +
    `${((Date.now() - t0) / 1000).toFixed(1)}s`);
  if (o.captureDir && capture.files === 0) {
    console.log('sql_gate: note: nothing was captured (no integration test ran with COOPLINK_SQL_CAPTURE_DIR)');
  }
  return failures.length + stale.length > 0 ? 1 : 0;
}

// Runs this script on the fixtures under tests/sqlgate/ and on the tree, checking exit codes and
// the rule each planted construct must trip.
function selfTest(o) {
  const fixtures = path.join(o.repo, 'tests', 'sqlgate');
  const cases = [
    { name: 'planted RETURNING in a migration', args: ['--only', '--sql', 'planted_returning.sql'], exit: 1, expect: ['[returning]', '[parse]'] },
    { name: 'planted CREATE OR REPLACE TABLE in a migration', args: ['--only', '--sql', 'planted_create_or_replace.sql'], exit: 1, expect: ['[create-or-replace]', '[parse]'] },
    { name: 'planted C++ (macro-built RETURNING, RETURNING fragment, CREATE OR REPLACE TABLE script, RETURNING literal)', args: ['--only', '--cxx', 'planted_constants.cc'], exit: 1, expect: ['kInsertReturning [returning]', 'kReturningTail [returning]', 'kCreateOrReplace [create-or-replace]', 'Execute("…") [returning]'] },
    { name: 'planted RETURNING in a captured text', args: ['--only', '--capture-dir', 'capture'], exit: 1, expect: ['capture/sql-1.txt [returning]'] },
    { name: 'an allow-list entry lets its finding pass and prints its reason', args: ['--only', '--sql', 'planted_returning.sql', '--allowlist', 'allow_planted_returning.json'], exit: 0, expect: ['allow-list: self-test'] },
    { name: 'a stale allow-list entry fails the gate', args: ['--allowlist', path.join(fixtures, 'stale_allowlist.json')], cwd: o.repo, exit: 1, expect: ['stale allow-list entry [returning]'] },
    { name: 'portable fixtures pass', args: ['--only', '--sql', 'portable.sql', '--cxx', 'portable_constants.cc'], exit: 0, expect: [] },
    { name: 'the tree passes', args: [], cwd: o.repo, exit: 0, expect: [] },
  ];
  let bad = 0;
  for (const c of cases) {
    let out;
    let code = 0;
    try {
      out = execFileSync(process.execPath, [__filename, '--repo', o.repo, ...c.args],
        { cwd: c.cwd || fixtures, encoding: 'utf8' });
    } catch (e) {
      out = `${e.stdout || ''}${e.stderr || ''}`;
      code = e.status;
    }
    const missing = c.expect.filter((s) => !out.includes(s));
    const ok = code === c.exit && missing.length === 0;
    if (!ok) bad++;
    console.log(`sql_gate self-test: ${ok ? 'ok  ' : 'FAIL'} ${c.name} (exit ${code}, expected ${c.exit}` +
      `${missing.length ? `; missing ${missing.join(', ')}` : ''})`);
    if (!ok || o.verbose) console.log(out.replace(/^/gm, '    '));
  }
  console.log(`sql_gate self-test: ${cases.length - bad} of ${cases.length} cases passed`);
  return bad > 0 ? 1 : 0;
}

(async () => {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`sql_gate: ${e.message}`);
    process.exit(2);
  }
  try {
    process.exit(o.selfTest ? selfTest(o) : await run(o));
  } catch (e) {
    console.error(`sql_gate: error: ${e.message}`);
    process.exit(2);
  }
})();
