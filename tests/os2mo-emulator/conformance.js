#!/usr/bin/env node
// Conformance: every GraphQL document linemgr sends validates against OS2mo's real schema (v29),
// and the emulator's schema agrees with the real one (same types, fields, arguments).
// usage: node conformance.js REAL_SCHEMA QUERY_DIR
// Exits 77 (skipped) when the real schema is absent.
'use strict';
const fs = require('fs');
const path = require('path');
const { buildSchema, parse, validate } = require('graphql');

const [realPath, queryDir] = process.argv.slice(2);
if (!realPath || !fs.existsSync(realPath)) {
  console.log(`skipped: no OS2mo schema at ${realPath} (the shared folder is absent)`);
  process.exit(77);
}
const real = buildSchema(fs.readFileSync(realPath, 'utf8'));
const ours = buildSchema(fs.readFileSync(path.join(__dirname, 'schema.graphql'), 'utf8'));
let problems = 0;
const problem = (m) => { console.log('FAIL ' + m); problems++; };

// A document is its file plus every fragment of fragments/ (one per file, named as its fragment)
// that it spreads: the way lib/CMakeLists.txt compiles them in.
const fragmentDir = path.join(queryDir, 'fragments');
const fragments = fs.existsSync(fragmentDir) ? fs.readdirSync(fragmentDir).filter((f) => f.endsWith('.graphql')) : [];
const assemble = (text) => {
  let out = text;
  for (const f of fragments) if (text.includes('...' + path.basename(f, '.graphql') + '\n')) out += '\n' + fs.readFileSync(path.join(fragmentDir, f), 'utf8');
  return out;
};
const files = fs.readdirSync(queryDir).filter((f) => f.endsWith('.graphql')).sort();
if (files.length === 0) problem(`no .graphql documents in ${queryDir}`);
for (const f of files) {
  const doc = parse(assemble(fs.readFileSync(path.join(queryDir, f), 'utf8')));
  for (const [name, schema] of [['OS2mo v29', real], ['emulator', ours]])
    for (const e of validate(schema, doc)) problem(`${f} against the ${name} schema: ${e.message}`);
  if (problems === 0) console.log(`ok   ${f}`);
}

for (const [name, type] of Object.entries(ours.getTypeMap())) {
  if (name.startsWith('__')) continue;
  const r = real.getType(name);
  if (!r) { problem(`emulator type ${name} is not in OS2mo's schema`); continue; }
  if (!type.getFields) continue;
  const realFields = r.getFields();
  for (const [fname, field] of Object.entries(type.getFields())) {
    const rf = realFields[fname];
    if (!rf) { problem(`emulator field ${name}.${fname} is not in OS2mo's schema`); continue; }
    if (String(rf.type) !== String(field.type)) problem(`${name}.${fname}: emulator ${field.type}, OS2mo ${rf.type}`);
    for (const a of field.args || []) {
      const ra = (rf.args || []).find((x) => x.name === a.name);
      if (!ra) problem(`${name}.${fname}(${a.name}) is not in OS2mo's schema`);
      else if (String(ra.type) !== String(a.type)) problem(`${name}.${fname}(${a.name}): emulator ${a.type}, OS2mo ${ra.type}`);
    }
  }
}
console.log(`${files.length} documents checked: ${problems === 0 ? 'all conform' : problems + ' problems'}`);
process.exit(problems === 0 ? 0 : 1);
