#!/usr/bin/env node
// A test OS2mo for linemgr: serves the part of OS2mo's GraphQL v29 that linemgr uses (schema.graphql)
// with graphql-js, backed by a linemgr-snapshot/1 file. Real cursors, short and empty pages, a
// Keycloak-style token endpoint with expiring tokens, fault injection and a request log.
//
// usage: node server.js --snapshot FILE [--port 0] [--token TOKEN] [--token-ttl SECONDS]
//                       [--client-id ID --client-secret SECRET] [--short-pages] [--tls-cert PEM --tls-key PEM]
// Prints "listening on http://127.0.0.1:PORT" once ready.
//
// Test endpoints (loopback only, no auth):
//   GET  /_log            -> {"requests": [{"path", "operation", "status", "bytes" (GraphQL response body)}]}
//   POST /_log/reset
//   POST /_faults         {"status": 503, "count": 3} | {"latency_ms": 200} | {"drop": 1}
//                         | {"graphql_error": "message", "count": 1[, "on": "OPERATION"]} | {"revoke_tokens": true}
//                         | {"edit_on": "OPERATION", "edit": {"org_unit": UUID, "hierarchy": CLASS_UUID}}
//   POST /_events         {"routing_key": "org_unit", "subject": UUID}: an event for every listener of the key
//                         (namespace mo); unique per (listener, subject), as OS2mo's event system
//                           (someone else changes the unit just before that operation is answered)
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');
const { buildSchema, graphql } = require('graphql');

function parseArgs(argv) {
  const o = { port: 0, eventRetryMs: 180000, tokenTtl: 300, shortPages: false, clientId: 'linemgr', clientSecret: 'secret' };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--snapshot') o.snapshot = next();
    else if (a === '--port') o.port = Number(next());
    else if (a === '--token') o.token = next();
    else if (a === '--token-ttl') o.tokenTtl = Number(next());
    else if (a === '--client-id') o.clientId = next();
    else if (a === '--client-secret') o.clientSecret = next();
    else if (a === '--short-pages') o.shortPages = true;
    else if (a === '--tls-cert') o.tlsCert = next();
    else if (a === '--tls-key') o.tlsKey = next();
    else if (a === '--event-retry-ms') o.eventRetryMs = Number(next());
    else throw new Error('unknown argument ' + a);
  }
  if (!o.snapshot) throw new Error('--snapshot FILE is required');
  return o;
}

function uuidOf(text) {
  const h = crypto.createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// The snapshot as OS2mo objects: classes get uuids, records become lists of validities.
class Store {
  constructor(snap) {
    this.version = 0;  // bumped by every mutation
    this.today = snap.today || new Date().toISOString().slice(0, 10);
    this.org = snap.organisation || uuidOf('organisation');
    this.classes = [];  // {uuid, user_key, name, facet}
    for (const c of snap.classes || []) {
      this.classes.push({ uuid: c.uuid || uuidOf('class:' + (c.user_key || c.name)), user_key: c.user_key || c.name || c.uuid,
                          name: c.name || c.user_key || c.uuid, facet: c.facet || null });
    }
    const segments = (rec) => (rec.segments ? rec.segments.map((s) => Object.assign({}, rec, s)) : [rec]);
    const parent = (p) => (p === null || p === undefined || p === snap.organisation ? null : p);
    this.units = (snap.units || []).map((u) => ({ uuid: u.id, segs: segments(u).map((s) => ({
      user_key: u.user_key || u.id, name: u.name || u.id, from: s.from, to: s.to, parent: parent(s.parent),
      level: this.classRef(s.level, 'org_unit_level'), hierarchy: this.classRef(s.class, 'org_unit_hierarchy') })) }));
    this.engagements = (snap.engagements || []).map((e) => ({ uuid: e.id, segs: segments(e).map((s) => ({
      from: s.from, to: s.to, person: s.person, unit: s.unit,
      type: this.classRef(s.type, 'engagement_type') || this.classRef('-', 'engagement_type'), primary: !!s.primary })) }));
    this.associations = (snap.associations || []).map((a) => ({ uuid: a.id, segs: segments(a).map((s) => ({
      from: s.from, to: s.to, person: s.person || null, unit: s.unit, type: this.classRef(s.type, 'association_type') })) }));
    this.itusers = (snap.it_users || []).map((i) => ({ uuid: i.id, segs: segments(i).map((s) => ({
      from: s.from, to: s.to, person: s.person || null, unit: s.unit || null,
      system: typeof s.it_system === 'string' ? s.it_system : uuidOf('itsystem:' + JSON.stringify(s.it_system)) })) }));
    this.managers = (snap.managers || []).map((m) => ({ uuid: m.id, segs: segments(m).map((s) => ({
      from: s.from, to: s.to, person: s.person || null, unit: s.unit, level: this.classRef(s.level, 'manager_level'),
      type: this.classRef(s.type, 'manager_type'),
      responsibilities: (s.responsibilities || []).map((r) => this.classRef(r, 'responsibility')) })) }));
  }

  // The unit's parent in today's tree (its segment today, else its last), or null.
  parentOf(uuid) {
    if (!this.parents || this.parentsVersion !== this.version) {
      this.parents = new Map();
      for (const u of this.units) {
        const s = u.segs.find((x) => (!x.from || x.from <= this.today) && (!x.to || this.today < x.to)) || u.segs[u.segs.length - 1];
        this.parents.set(u.uuid, s ? s.parent : null);
      }
      this.parentsVersion = this.version;
    }
    return this.parents.has(uuid) ? this.parents.get(uuid) : null;
  }

  // The class with this uuid.
  classByUuid(uuid) {
    if (!this.classIndex || this.classIndex.size !== this.classes.length) this.classIndex = new Map(this.classes.map((c) => [c.uuid, c]));
    return this.classIndex.get(uuid);
  }

  // The uuid of the class a reference resolves to within its facet, adding one when none does.
  classRef(ref, facet) {
    if (ref === null || ref === undefined) return null;
    const fits = (c) => !c.facet || c.facet === facet;
    const find = (key, value) => value && this.classes.find((c) => fits(c) && c[key] === value);
    const r = typeof ref === 'string' ? { uuid: ref, user_key: ref, name: ref } : ref;
    const hit = find('uuid', r.uuid) || find('user_key', r.user_key) || find('name', r.name);
    if (hit) return hit.uuid;
    const c = { uuid: r.uuid && typeof ref !== 'string' ? r.uuid : uuidOf(facet + ':' + (r.user_key || r.name || r.uuid)),
                user_key: r.user_key || r.name || r.uuid, name: r.name || r.user_key || r.uuid, facet };
    this.classes.push(c);
    return c.uuid;
  }
}

const dt = (d) => (d ? d + 'T00:00:00+01:00' : null);
const classResponse = (store, uuid) => (uuid ? { uuid, current: () => classObject(store, uuid) } : null);
function classObject(store, uuid) {
  const c = store.classByUuid(uuid);
  if (!c) return null;
  const facet = c.facet || 'unknown';
  return { uuid: c.uuid, user_key: c.user_key, name: c.name,
           facet_response: { uuid: uuidOf('facet:' + facet), current: { uuid: uuidOf('facet:' + facet), user_key: facet } } };
}
const validity = (s) => ({ from: dt(s.from || '0001-01-01'), to: dt(s.to) });
const person = (p) => (p ? { uuid: p, current: { uuid: p } } : null);
const unitRef = (u) => ({ uuid: u, current: null, validities: () => [] });

function response(rec, toObject, today) {
  const objs = () => rec.segs.map(toObject);
  return { uuid: rec.uuid,
           current: () => { const s = rec.segs.find((x) => (!x.from || x.from <= today) && (!x.to || today < x.to)); return s ? toObject(s) : null; },
           validities: () => objs() };
}

// One page of `items` for limit/cursor; with short pages, some pages come back short or empty.
function page(items, args, shortPages, toObject = (x) => x) {
  const start = args.cursor ? JSON.parse(Buffer.from(args.cursor, 'base64').toString()) : { offset: 0, page: 0 };
  const limit = args.limit === null || args.limit === undefined ? items.length : Number(args.limit);
  let n = limit;
  if (shortPages && limit > 1) n = start.page % 4 === 1 ? Math.floor(limit / 2) : start.page % 4 === 2 ? 0 : limit;
  const objects = items.slice(start.offset, start.offset + n).map(toObject);
  const offset = start.offset + objects.length;
  const more = offset < items.length;
  const next = more ? Buffer.from(JSON.stringify({ offset, page: start.page + 1 })).toString('base64') : null;
  return { objects, page_info: { next_cursor: next } };
}

// The uuids of the units an OrganisationUnitFilter selects, in today's tree (every node is its own
// ancestor and descendant, as in OS2mo).
function unitSet(store, filter) {
  let set = new Set(store.units.map((u) => u.uuid));
  if (!filter) return set;
  const parentOf = (uuid) => store.parentOf(uuid);
  const chain = (uuid) => {  // uuid and its ancestors
    const out = [];
    for (let u = uuid; u && !out.includes(u); u = parentOf(u)) out.push(u);
    return out;
  };
  const keep = (pred) => { set = new Set([...set].filter(pred)); };
  if (filter.uuids) {
    const wanted = new Set(filter.uuids);
    keep((u) => wanted.has(u));
  }
  if (filter.descendant) {
    const up = new Set();
    for (const d of unitSet(store, filter.descendant)) for (const a of chain(d)) up.add(a);
    keep((u) => up.has(u));
  }
  if (filter.ancestor) {
    const roots = unitSet(store, filter.ancestor);
    keep((u) => chain(u).some((a) => roots.has(a)));
  }
  if (filter.parent) {
    const parents = unitSet(store, filter.parent);
    keep((u) => parents.has(parentOf(u)));
  }
  return set;
}

// The records a record filter selects: uuids, and any validity in one of the units or of one of the persons.
function recordFilter(store, list, filter) {
  if (!filter) return list;
  let out = list;
  if (filter.uuids) {
    const wanted = new Set(filter.uuids);
    out = out.filter((r) => wanted.has(r.uuid));
  }
  if (filter.org_unit) {
    const units = unitSet(store, filter.org_unit);
    out = out.filter((r) => r.segs.some((s) => units.has(s.unit)));
  }
  if (filter.employee && filter.employee.uuids) {
    const persons = new Set(filter.employee.uuids);
    out = out.filter((r) => r.segs.some((s) => persons.has(s.person)));
  }
  return out;
}

function rootValue(store, options) {
  const byUuids = (list, filter) => (list === store.units ? (filter ? list.filter(((set) => (u) => set.has(u.uuid))(unitSet(store, filter))) : list)
                                                             : recordFilter(store, list, filter));
  // A page of a record list: each record as a response whose validities `toObject(record)` makes.
  const paged = (list, args, toObject) =>
    page(byUuids(list, args.filter), args, options.shortPages, (r) => response(r, toObject(r), store.today));
  const unitObject = (uuid) => (s) => ({ uuid, user_key: s.user_key, name: s.name, validity: validity(s),
    parent_response: s.parent ? unitRef(s.parent) : null, unit_level_response: classResponse(store, s.level),
    unit_hierarchy_response: classResponse(store, s.hierarchy) });
  return {
    org: () => ({ uuid: store.org, user_key: store.org, name: store.org }),
    classes: (args) => {
      let list = store.classes;
      const f = args.filter || {};
      if (f.uuids) list = list.filter((c) => f.uuids.includes(c.uuid));
      if (f.user_keys) list = list.filter((c) => f.user_keys.includes(c.user_key));
      if (f.facet && f.facet.user_keys) list = list.filter((c) => !c.facet || f.facet.user_keys.includes(c.facet));
      return page(list.map((c) => ({ uuid: c.uuid, current: () => classObject(store, c.uuid) })), args, options.shortPages);
    },
    org_units: (args) => paged(store.units, args, (u) => unitObject(u.uuid)),
    engagements: (args) => paged(store.engagements, args, (e) => (s) => ({
      uuid: e.uuid, validity: validity(s), person_response: person(s.person), org_unit_response: unitRef(s.unit),
      engagement_type_response: classResponse(store, s.type), is_primary: s.primary })),
    associations: (args) => paged(store.associations, args, (a) => (s) => ({
      uuid: a.uuid, validity: validity(s), person_response: person(s.person), org_unit_response: unitRef(s.unit),
      association_type_response: classResponse(store, s.type) })),
    itusers: (args) => paged(store.itusers, args, (i) => (s) => ({
      uuid: i.uuid, validity: validity(s), person_response: person(s.person), org_unit_response: s.unit ? unitRef(s.unit) : null,
      itsystem_response: { uuid: s.system } })),
    managers: (args) => paged(store.managers, args, (m) => (s) => ({
      uuid: m.uuid, validity: validity(s), person_response: person(s.person), org_unit_response: unitRef(s.unit),
      manager_level_response: classResponse(store, s.level), manager_type_response: classResponse(store, s.type),
      responsibilities_response: (a) => page(s.responsibilities.map((r) => classResponse(store, r)), a, false) })),
  };
}

// Mutations with OS2mo's v29 validity semantics: half-open [from, to), segments split as needed.
const day = (t) => (t ? String(t).slice(0, 10) : null);
function editRange(rec, from, to, edit) {
  const out = [];
  for (const s of rec.segs) {
    const sf = s.from || '0001-01-01';
    const st = s.to || null;
    const overlaps = (to === null || sf < to) && (st === null || from < st);
    if (!overlaps) { out.push(s); continue; }
    if (sf < from) out.push(Object.assign({}, s, { to: from }));
    const mid = Object.assign({}, s, { from: sf > from ? sf : from, to: st === null ? to : to === null ? st : (st < to ? st : to) });
    if (edit(mid) !== false) out.push(mid);
    if (to !== null && (st === null || to < st)) out.push(Object.assign({}, s, { from: to }));
  }
  rec.segs = out;
}

function mutations(store, raw) {
  const find = (list, uuid, what) => {
    const r = list.find((x) => x.uuid === uuid);
    if (!r) throw new Error(`${what} ${uuid} does not exist`);
    return r;
  };
  const ref = (uuid) => ({ uuid, current: null, validities: () => [] });
  const terminate = (list, what) => ({ input }) => {
    const r = find(list, input.uuid, what);
    if (input.from) editRange(r, day(input.from), day(input.to), () => false);
    else editRange(r, day(input.to), null, () => false);
    return ref(r.uuid);
  };
  const bump = (f) => (args) => { store.version++; return f(args); };
  const result = {
    org_unit_update: ({ input }) => {
      const u = find(store.units, input.uuid, 'organisation unit');
      editRange(u, day(input.validity.from), day(input.validity.to), (s) => { s.hierarchy = input.org_unit_hierarchy; });
      return ref(u.uuid);
    },
    manager_create: ({ input }) => {
      find(store.units, input.org_unit, 'organisation unit');
      const uuid = input.uuid || crypto.randomUUID();
      store.managers.push({ uuid, segs: [{ from: day(input.validity.from), to: day(input.validity.to), person: input.person,
        unit: input.org_unit, level: input.manager_level, type: input.manager_type, responsibilities: input.responsibility }] });
      return ref(uuid);
    },
    manager_update: ({ input }) => {
      const m = find(store.managers, input.uuid, 'manager');
      const given = (raw().input) || {};  // PATCH semantics: an explicit null clears, an absent key keeps
      editRange(m, day(input.validity.from), day(input.validity.to), (s) => {
        if ('person' in given) s.person = input.person;
        if (input.manager_level) s.level = input.manager_level;
      });
      return ref(m.uuid);
    },
    manager_terminate: terminate(store.managers, 'manager'),
    association_terminate: terminate(store.associations, 'association'),
    engagement_update: ({ input }) => {
      const e = find(store.engagements, input.uuid, 'engagement');
      if (input.org_unit) find(store.units, input.org_unit, 'organisation unit');
      editRange(e, day(input.validity.from), day(input.validity.to), (s) => { if (input.org_unit) s.unit = input.org_unit; });
      return ref(e.uuid);
    },
  };
  for (const k of Object.keys(result)) result[k] = bump(result[k]);
  return result;
}

// OS2mo's GraphQL event system (namespace mo): listeners, fetch one event at a time, acknowledge.
class Events {
  constructor(retryMs) {
    this.listeners = new Map();  // uuid -> {uuid, user_key, routing_key, events: Map(subject -> event)}
    this.retryMs = retryMs;
  }
  declare(input) {
    for (const l of this.listeners.values()) if (l.user_key === input.user_key && l.namespace === input.namespace) return l;
    const l = { uuid: crypto.randomUUID(), namespace: input.namespace, user_key: input.user_key, routing_key: input.routing_key, events: new Map() };
    this.listeners.set(l.uuid, l);
    return l;
  }
  send(routingKey, subject) {
    for (const l of this.listeners.values()) {
      if (l.namespace !== 'mo' || l.routing_key !== routingKey) continue;
      const old = l.events.get(subject);
      // A new event for a pending subject changes its generation: a stale ack then deletes nothing.
      l.events.set(subject, { id: old ? old.id : crypto.randomUUID(), generation: crypto.randomUUID(), subject, priority: 10000, lastTried: 0 });
    }
  }
  fetch(listenerUuid) {
    const l = this.listeners.get(listenerUuid);
    if (!l) throw new Error(`listener ${listenerUuid} does not exist`);
    const now = Date.now();
    for (const e of l.events.values()) {
      if (e.lastTried && now - e.lastTried < this.retryMs) continue;  // handed out, not acknowledged yet
      e.lastTried = now;
      return { subject: e.subject, priority: e.priority, token: Buffer.from(`${listenerUuid}.${e.id}.${e.generation}`).toString('base64') };
    }
    return null;
  }
  acknowledge(token) {
    const [listener, id, generation] = Buffer.from(token, 'base64').toString().split('.');
    const l = this.listeners.get(listener);
    if (!l) return true;
    for (const [subject, e] of l.events) if (e.id === id && e.generation === generation) l.events.delete(subject);
    return true;
  }
  pending() {
    let n = 0;
    for (const l of this.listeners.values()) n += l.events.size;
    return n;
  }
}

function main() {
  const options = parseArgs(process.argv);
  const store = new Store(JSON.parse(fs.readFileSync(options.snapshot, 'utf8')));
  const schema = buildSchema(fs.readFileSync(path.join(__dirname, 'schema.graphql'), 'utf8'));
  let rawVariables = {};
  const events = new Events(options.eventRetryMs);
  const root = Object.assign(rootValue(store, options), mutations(store, () => rawVariables), {
    event_listener_declare: ({ input }) => events.declare(input),
    event_fetch: ({ filter }) => events.fetch(filter.listener),
    event_acknowledge: ({ input }) => events.acknowledge(input.token),
  });
  const tokens = new Map();  // token -> expiry (ms since epoch)
  if (options.token) tokens.set(options.token, Infinity);
  const faults = { status: 0, count: 0, latencyMs: 0, drop: 0, graphqlError: null };
  const log = [];

  const send = (res, status, body, headers = {}) => {
    res.writeHead(status, Object.assign({ 'Content-Type': 'application/json' }, headers));
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const handler = (req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', async () => {
      const url = req.url.split('?')[0];
      if (url === '/_log' && req.method === 'GET') return send(res, 200, { requests: log });
      if (url === '/_log/reset') { log.length = 0; return send(res, 200, {}); }
      if (url === '/_events' && req.method === 'POST') {
        const list = JSON.parse(body || '[]');
        for (const e of Array.isArray(list) ? list : [list]) events.send(e.routing_key, e.subject);
        return send(res, 200, { pending: events.pending() });
      }
      if (url === '/_events' && req.method === 'GET') return send(res, 200, { pending: events.pending() });
      if (url === '/_faults') {
        const f = JSON.parse(body || '{}');
        faults.status = f.status || 0; faults.count = f.count || 0; faults.latencyMs = f.latency_ms || 0; faults.drop = f.drop || 0;
        faults.graphqlError = f.graphql_error || null;
        faults.on = f.on || null;
        faults.editOn = f.edit_on || null;
        faults.edit = f.edit || null;
        if (f.revoke_tokens) for (const [t, e] of tokens) if (e !== Infinity) tokens.delete(t);
        return send(res, 200, faults);
      }
      const entry = { path: url, operation: null, status: 0 };
      log.push(entry);
      if (faults.latencyMs) await new Promise((r) => setTimeout(r, faults.latencyMs));
      if (faults.drop > 0) { faults.drop--; entry.status = -1; return req.socket.destroy(); }
      if (faults.count > 0 && faults.status) {
        faults.count--;
        entry.status = faults.status;
        return send(res, faults.status, { detail: 'injected fault' }, { 'Retry-After': '0' });
      }

      if (url.endsWith('/protocol/openid-connect/token') && req.method === 'POST') {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== options.clientId ||
            form.get('client_secret') !== options.clientSecret) {
          entry.status = 401;
          return send(res, 401, { error: 'unauthorized_client' });
        }
        const token = crypto.randomBytes(24).toString('hex');
        tokens.set(token, Date.now() + options.tokenTtl * 1000);
        entry.status = 200;
        return send(res, 200, { access_token: token, expires_in: options.tokenTtl, token_type: 'Bearer' });
      }
      if (url !== '/graphql/v29' || req.method !== 'POST') { entry.status = 404; return send(res, 404, { detail: 'Not Found' }); }
      const auth = (req.headers.authorization || '').replace(/^Bearer /, '');
      const expiry = tokens.get(auth);
      if (!expiry || expiry < Date.now()) { entry.status = 401; return send(res, 401, { detail: 'Not authenticated' }); }
      let request;
      try { request = JSON.parse(body); } catch (e) { entry.status = 400; return send(res, 400, { detail: 'body is not JSON' }); }
      entry.operation = request.operationName || null;
      if (faults.count > 0 && faults.graphqlError && (!faults.on || faults.on === request.operationName)) {
        faults.count--;
        entry.status = 200;
        return send(res, 200, { data: null, errors: [{ message: faults.graphqlError }] });
      }
      rawVariables = request.variables || {};
      if (faults.editOn && faults.editOn === request.operationName) {  // a concurrent change by someone else
        const u = store.units.find((x) => x.uuid === faults.edit.org_unit);
        if (u) for (const seg of u.segs) seg.hierarchy = faults.edit.hierarchy;
        store.version++;
        faults.editOn = null;
      }
      const result = await graphql({ schema, source: request.query, rootValue: root, variableValues: request.variables,
                                     operationName: request.operationName });
      entry.status = 200;
      const text = JSON.stringify(result);
      entry.bytes = Buffer.byteLength(text);
      send(res, 200, text);
    });
  };
  const tls = options.tlsCert && options.tlsKey;
  const server = tls ? https.createServer({ cert: fs.readFileSync(options.tlsCert), key: fs.readFileSync(options.tlsKey) }, handler)
                     : http.createServer(handler);
  server.listen(options.port, '127.0.0.1', () => {
    process.stdout.write(`listening on ${tls ? 'https://localhost' : 'http://127.0.0.1'}:${server.address().port}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
