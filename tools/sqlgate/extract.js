// Extracts the SQL texts cooplink can run, from three sources:
//   (a) migration files (services/<svc>/migrations/*.sql) and the runtime's own migrations, which
//       are `{version, "name", R"sql(...)sql"}` initialisers of a std::vector<Migration> in C++;
//   (b) SQL constants in C++: `const char* kX = "..." "...";`, `char kX[] = "...";` and
//       `const std::string kX = absl::StrCat(kY, "...");`, read from the *preprocessed* source so
//       that macros (COOPLINK_OFFER_COLUMNS) are expanded, and literals passed straight to the
//       database (`ExecPlain(conn, "COMMIT")`);
//   (c) texts captured while the integration tests ran (services/common/sql_capture.h).
// Every text keeps where it came from (file:line, constant name) for the report.
'use strict';

const fs = require('fs');
const path = require('path');
const { execFile } = require('child_process');

// ---- SQL scripts ---------------------------------------------------------------------------

// Splits a script exactly as Tx::ExecuteScript (services/common/db.cc) does, so the gate sees the
// statements the server is sent: blank lines and lines starting with "--" are skipped, and a
// statement ends at a line whose last character is ';'.
function splitScript(text, firstLine = 1) {
  const out = [];
  let current = '';
  let startLine = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === '' || trimmed.startsWith('--')) continue;
    if (current === '') startLine = firstLine + i;
    current += lines[i] + '\n';
    if (trimmed.endsWith(';')) {
      out.push({ sql: current, line: startLine });
      current = '';
    }
  }
  if (current.trim() !== '') out.push({ sql: current, line: startLine });
  return out;
}

function migrationFiles(repo) {
  const services = path.join(repo, 'services');
  const files = [];
  for (const svc of fs.readdirSync(services).sort()) {
    const dir = path.join(services, svc, 'migrations');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      if (f.endsWith('.sql')) files.push(path.join(dir, f));
    }
  }
  return files;
}

function fromSqlFile(file, repo) {
  const rel = path.relative(repo, file);
  return splitScript(fs.readFileSync(file, 'utf8')).map((s) => ({
    source: 'migration', where: `${rel}:${s.line}`, sql: s.sql, whole: true,
  }));
}

// ---- C++ ------------------------------------------------------------------------------------

// A string literal containing an upper-case SQL word: the files worth preprocessing.
const kSqlishLiteral =
  /"[^"\n]*\b(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|ALTER|DROP|FROM|WHERE|AND|JOIN|ORDER BY|LIMIT|VALUES|RETURNING|LOCK|FOR UPDATE|SET)\b|R"sql\(/;

function cxxFilesWithSql(repo) {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(cc|h)$/.test(e.name) && kSqlishLiteral.test(fs.readFileSync(p, 'utf8'))) out.push(p);
    }
  };
  walk(path.join(repo, 'services'));
  return out.sort();
}

// Runs the C++ preprocessor on `file` with its #include lines blanked out: the SQL macros
// (COOPLINK_OFFER_COLUMNS, …) are defined in the .cc files that use them, and leaving out the
// gRPC/protobuf/abseil headers makes a file take ~10 ms instead of ~2 s of CPU. A constant built
// from a macro defined in a header would stay unexpanded; fromCxx reports it as a failure, so it
// is never skipped in silence.
function preprocess(file, repo) {
  const rel = path.relative(repo, file);
  const source = fs.readFileSync(file, 'utf8')
    .split('\n').map((l) => (/^\s*#\s*include\b/.test(l) ? '' : l)).join('\n');
  return new Promise((resolve, reject) => {
    const child = execFile(process.env.CXX || 'c++', ['-std=c++20', '-E', '-w', '-x', 'c++', '-'],
      { cwd: repo, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`preprocessing ${rel} failed:\n${stderr}`));
        else resolve(stdout);
      });
    child.stdin.end(`#line 1 "${rel}"\n${source}`);
  });
}

// Tokens of preprocessed C++: {t: 'id'|'str'|'num'|'p', v, file, line}. String tokens carry their
// decoded value. Line markers (# 12 "file") keep each token's original file and line.
function tokenize(text) {
  const toks = [];
  let file = '';
  let line = 1;
  let i = 0;
  const n = text.length;
  let atLineStart = true;
  while (i < n) {
    const c = text[i];
    if (c === '\n') { line++; i++; atLineStart = true; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (atLineStart && c === '#') {
      const end = text.indexOf('\n', i);
      const directive = text.slice(i, end < 0 ? n : end);
      const m = /^#\s*(?:line\s+)?(\d+)\s+"((?:[^"\\]|\\.)*)"/.exec(directive);
      if (m) { line = parseInt(m[1], 10) - 1; file = m[2]; }
      i = end < 0 ? n : end;
      continue;
    }
    atLineStart = false;
    // Raw string literal, with an optional encoding prefix.
    let m = /^(?:u8|u|U|L)?R"([^()\\\s]{0,16})\(/.exec(text.slice(i, i + 24));
    if (m) {
      const close = `)${m[1]}"`;
      const start = i + m[0].length;
      const end = text.indexOf(close, start);
      const value = text.slice(start, end);
      toks.push({ t: 'str', v: value, file, line });
      line += (value.match(/\n/g) || []).length;
      i = end + close.length;
      continue;
    }
    m = /^(?:u8|u|U|L)?"/.exec(text.slice(i, i + 3));
    if (m) {
      let j = i + m[0].length;
      let value = '';
      while (j < n && text[j] !== '"') {
        if (text[j] === '\\') {
          const e = text[j + 1];
          const simple = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', '?': '?' };
          if (e === 'x') {
            const hx = /^[0-9a-fA-F]+/.exec(text.slice(j + 2))[0];
            value += String.fromCharCode(parseInt(hx, 16));
            j += 2 + hx.length;
            continue;
          }
          if (/[0-7]/.test(e)) {
            const oc = /^[0-7]{1,3}/.exec(text.slice(j + 1))[0];
            value += String.fromCharCode(parseInt(oc, 8));
            j += 1 + oc.length;
            continue;
          }
          value += simple[e] !== undefined ? simple[e] : e;
          j += 2;
          continue;
        }
        value += text[j++];
      }
      toks.push({ t: 'str', v: value, file, line });
      i = j + 1;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== "'") j += text[j] === '\\' ? 2 : 1;
      toks.push({ t: 'num', v: text.slice(i, j + 1), file, line });
      i = j + 1;
      continue;
    }
    m = /^[A-Za-z_]\w*/.exec(text.slice(i, i + 256));
    if (m) { toks.push({ t: 'id', v: m[0], file, line }); i += m[0].length; continue; }
    m = /^[0-9][0-9a-zA-Z_.']*/.exec(text.slice(i, i + 64));
    if (m) { toks.push({ t: 'num', v: m[0], file, line }); i += m[0].length; continue; }
    m = /^(::|->|\+=|<<=|>>=|<<|>>|&&|\|\||==|!=|<=|>=|\+\+|--)/.exec(text.slice(i, i + 3));
    const p = m ? m[0] : c;
    toks.push({ t: 'p', v: p, file, line });
    i += p.length;
  }
  return toks;
}

// Adjacent string literals starting at toks[i]: {value, end} or null.
function literalRun(toks, i) {
  if (!toks[i] || toks[i].t !== 'str') return null;
  let value = '';
  let j = i;
  while (toks[j] && toks[j].t === 'str') value += toks[j++].v;
  return { value, end: j };
}

// The value of an initialiser toks[i..end): literals, a known constant, or absl::StrCat of those.
function evaluate(toks, i, end, known) {
  const lit = literalRun(toks, i);
  if (lit && lit.end === end) return lit.value;
  if (toks[i].t === 'id' && i + 1 === end) return known.has(toks[i].v) ? known.get(toks[i].v) : null;
  const isStrCat = toks[i].v === 'absl' && toks[i + 1].v === '::' && toks[i + 2].v === 'StrCat' &&
    toks[i + 3].v === '(' && toks[end - 1].v === ')';
  const isBareStrCat = toks[i].v === 'StrCat' && toks[i + 1].v === '(' && toks[end - 1].v === ')';
  if (!isStrCat && !isBareStrCat) return null;
  let j = i + (isStrCat ? 4 : 2);
  let value = '';
  while (j < end - 1) {
    let k = j;
    let depth = 0;
    while (k < end - 1 && !(depth === 0 && toks[k].v === ',')) {
      if (toks[k].v === '(') depth++;
      if (toks[k].v === ')') depth--;
      k++;
    }
    const part = evaluate(toks, j, k, known);
    if (part === null) return null;
    value += part;
    j = k + 1;
  }
  return value;
}

// The calls that send their text argument to the server (db.h, db.cc).
const kDatabaseCalls = new Set([
  'Query', 'Execute', 'QueryParams', 'ExecuteParams', 'ExecuteScript', 'ExecPlain', 'Prepare',
  'execute', 'executeQuery', 'executeUpdate', 'prepareStatement']);

// Statement keywords a whole statement starts with.
const kStatementStart =
  /^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|ALTER|DROP|RENAME|TRUNCATE|SET|START|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|LOCK|UNLOCK|WITH|SHOW|DO|CALL|HANDLER|XA|ANALYZE|OPTIMIZE|REPAIR|CHECK|CHECKSUM|GRANT|REVOKE|LOAD|EXPLAIN|DESCRIBE|KILL|PREPARE|EXECUTE|DEALLOCATE|USE)\b/i;
// Something that is SQL at all (a fragment): an upper-case keyword or a placeholder.
const kSqlFragment =
  /\?|\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|AND|OR|JOIN|STRAIGHT_JOIN|ORDER BY|GROUP BY|LIMIT|VALUES|IN|ON|SET|RETURNING|FOR UPDATE|LOCK IN SHARE MODE|UNION|EXISTS|DUPLICATE KEY)\b/;

// The declarations of one translation unit that come from the project's own files.
function extractFromTu(text, repo) {
  const all = tokenize(text);
  const projectFile = (f) => {
    const abs = path.resolve(repo, f);
    return abs.startsWith(path.join(repo, 'services') + path.sep) ||
      abs.startsWith(path.join(repo, 'tests') + path.sep);
  };
  const toks = all.filter((t) => projectFile(t.file));
  const known = new Map();
  const constants = [];
  const migrations = [];
  const hasMigration = toks.some((t) => t.t === 'id' && t.v === 'Migration');

  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    // NAME = ... ; or NAME [ ] = ... ;
    if (t.t === 'id' && /^k[A-Z]\w*$/.test(t.v)) {
      let eq = i + 1;
      let isArray = false;
      if (toks[eq] && toks[eq].v === '[' && toks[eq + 1] && toks[eq + 1].v === ']') { eq += 2; isArray = true; }
      if (!toks[eq] || toks[eq].v !== '=') continue;
      // The declared type, read backwards: const char* [const] NAME, char NAME[], std::string NAME.
      const before = toks.slice(Math.max(0, i - 6), i).map((x) => x.v).join(' ');
      const isCharPtr = /\bchar \*( const)?$/.test(before);
      const isCharArray = isArray && /\bchar$/.test(before);
      const isString = /\b(std :: string|string_view)$/.test(before);
      if (!isCharPtr && !isCharArray && !isString) continue;
      let end = eq + 1;
      let depth = 0;
      while (end < toks.length && !(depth === 0 && toks[end].v === ';')) {
        if (toks[end].v === '(' || toks[end].v === '{') depth++;
        if (toks[end].v === ')' || toks[end].v === '}') depth--;
        end++;
      }
      const value = evaluate(toks, eq + 1, end, known);
      const decl = { name: t.v, file: t.file, line: t.line, value };
      if (value === null) {
        // An upper-case identifier among the literals: a macro defined outside this file.
        const macro = toks.slice(eq + 1, end).find((x) => x.t === 'id' && /^[A-Z][A-Z0-9_]+$/.test(x.v));
        if (macro && toks.slice(eq + 1, end).some((x) => x.t === 'str')) decl.unexpanded = macro.v;
      }
      if (value !== null) known.set(t.v, value);
      constants.push(decl);
      i = end;
      continue;
    }
    // { version , "name" , "sql" } in a file that uses Migration.
    if (hasMigration && t.v === '{' && toks[i + 1] && toks[i + 1].t === 'num' && toks[i + 2] &&
        toks[i + 2].v === ',' && toks[i + 3] && toks[i + 3].t === 'str') {
      const name = literalRun(toks, i + 3);
      if (!toks[name.end] || toks[name.end].v !== ',') continue;
      const sql = literalRun(toks, name.end + 1);
      if (!sql || !toks[sql.end] || toks[sql.end].v !== '}') continue;
      const first = toks[name.end + 1];
      migrations.push({ version: toks[i + 1].v, name: name.value, sql: sql.value, file: first.file, line: first.line });
    }
  }

  // A constant is composed into larger statements at run time (a prefix or a fragment) when it
  // appears inside absl::StrCat/StrAppend, next to '+', or is copied into a variable
  // (`std::string sql = kListMembers;`, `query->sql = kListOffersHead;`, or as the first member of
  // a braced initializer, `SqlQuery lines{kSelectLinesHead, {}};`).
  // Literals passed straight to the database (`ExecPlain(conn, "COMMIT")`) are statements too.
  const composed = new Set();
  const calls = [];
  const inline = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.v === '(') calls.push(toks[i - 1] ? toks[i - 1].v : '');
    else if (t.v === ')') calls.pop();
    else if (t.t === 'str' && kDatabaseCalls.has(calls[calls.length - 1]) &&
             (toks[i - 1].v === '(' || toks[i - 1].v === ',') && toks[i - 1].t === 'p') {
      const lit = literalRun(toks, i);
      if (toks[lit.end] && (toks[lit.end].v === ')' || toks[lit.end].v === ',')) {
        inline.push({ file: t.file, line: t.line, value: lit.value, call: calls[calls.length - 1] });
      }
      i = lit.end - 1;
    }
    else if (t.t === 'id' && known.has(t.v)) {
      const isDecl = toks[i + 1] && (toks[i + 1].v === '=' || toks[i + 1].v === '[');
      if (isDecl) continue;
      const prev = toks[i - 1] ? toks[i - 1].v : '';
      const next = toks[i + 1] ? toks[i + 1].v : '';
      const inStrCat = calls.some((c) => c === 'StrCat' || c === 'StrAppend');
      const copied = prev === '=' && next === ';' && toks[i - 2] && toks[i - 2].t === 'id' &&
        !/^k[A-Z]/.test(toks[i - 2].v);
      const braced = prev === '{' && (next === ',' || next === '}') && toks[i - 2] &&
        toks[i - 2].t === 'id' && !/^k[A-Z]/.test(toks[i - 2].v);
      if (inStrCat || copied || braced || prev === '+' || next === '+' || prev === '+=') {
        composed.add(t.v);
      }
    }
  }
  for (const c of constants) c.composed = composed.has(c.name);
  return { constants, migrations, inline };
}

async function fromCxx(repo, files, jobs = 2) {
  const seen = new Set();
  const texts = [];
  const skipped = { nonSql: 0, dynamic: [] };
  let next = 0;
  const results = new Array(files.length);
  const worker = async () => {
    while (next < files.length) {
      const k = next++;
      results[k] = extractFromTu(await preprocess(files[k], repo), repo);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
  for (const { constants, migrations, inline } of results) {
    for (const l of inline) {
      const rel = path.relative(repo, path.resolve(repo, l.file));
      const key = `L:${rel}:${l.line}:${l.value}`;
      if (seen.has(key) || !kStatementStart.test(l.value)) continue;
      seen.add(key);
      for (const s of splitScript(l.value, l.line)) {
        texts.push({ source: 'constant', where: `${rel}:${s.line}`, name: `${l.call}("…")`, sql: s.sql, whole: true });
      }
    }
    for (const m of migrations) {
      const key = `M:${m.file}:${m.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const rel = path.relative(repo, path.resolve(repo, m.file));
      for (const s of splitScript(m.sql, m.line)) {
        texts.push({ source: 'runtime-migration', where: `${rel}:${s.line}`, name: `migration ${m.version} ${m.name}`, sql: s.sql, whole: true });
      }
    }
    for (const c of constants) {
      const rel = path.relative(repo, path.resolve(repo, c.file));
      const key = `C:${rel}:${c.line}:${c.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (c.unexpanded) {
        texts.push({ source: 'constant', where: `${rel}:${c.line}`, name: c.name, sql: '', whole: false,
          error: `${c.unexpanded} is not expanded: define SQL macros in the .cc file that uses them` });
        continue;
      }
      if (c.value === null) {
        skipped.dynamic.push(`${rel}:${c.line} ${c.name}`);
        continue;
      }
      const isStatement = kStatementStart.test(c.value);
      if (!isStatement && !kSqlFragment.test(c.value)) { skipped.nonSql++; continue; }
      const where = `${rel}:${c.line}`;
      if (isStatement && /;\s*\n/.test(c.value)) {
        for (const s of splitScript(c.value, c.line)) {
          texts.push({ source: 'constant', where, name: c.name, sql: s.sql, whole: true });
        }
      } else {
        // A statement-shaped prefix that is composed at run time must parse only if it is used
        // whole too; `prefix` lets a parse failure pass (the captured texts cover its shapes).
        texts.push({ source: 'constant', where, name: c.name, sql: c.value, whole: isStatement, prefix: isStatement && c.composed });
      }
    }
  }
  return { texts, skipped };
}

// ---- captured texts ---------------------------------------------------------------------------

function fromCapture(dir) {
  const texts = new Map();
  let files = 0;
  if (!fs.existsSync(dir)) return { texts: [], files };
  for (const f of fs.readdirSync(dir).sort()) {
    if (!/^sql-\d+\.txt$/.test(f)) continue;
    files++;
    for (const sql of fs.readFileSync(path.join(dir, f), 'utf8').split('\0')) {
      if (sql.trim() === '') continue;
      if (!texts.has(sql)) texts.set(sql, f);
    }
  }
  return {
    texts: [...texts].map(([sql, f]) => ({ source: 'captured', where: `${path.basename(dir)}/${f}`, sql, whole: true })),
    files,
  };
}

module.exports = {
  splitScript, migrationFiles, fromSqlFile, cxxFilesWithSql, fromCxx, fromCapture, tokenize,
  extractFromTu,
};
