// postgres_changes as supabase-js 2.119.1 sees it: payloads, every filter operator, RLS with
// auth.uid(), value types, replica identities, TOAST, bindings live at SUBSCRIBED, a 10,000-row
// transaction, the event budget, a database restart, and ALTER TABLE / ALTER PUBLICATION while
// streaming. Each test uses its own tables and channels, so tests cannot see each other's rows.
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import {
  client, closeAll, deleteTenant, ensureTenant, joined, sql, userToken, waitFor,
} from '../lib/realtime.mjs'

const unique = (name) => `${name}_${randomUUID().slice(0, 8)}`
const SUBSCRIBED = 'Subscribed to PostgreSQL'

const tenants = []
const tables = []

/** A tenant of this suite (deleted at the end), selected with the Host `<id>.localhost`. */
async function tenant(name, fields = {}, options = {}) {
  const id = unique(name).replaceAll('_', '-')
  await ensureTenant(id, fields, options)
  tenants.push(id)
  return `${id}.localhost`
}

after(async () => {
  await closeAll()
  for (const id of tenants) await deleteTenant(id)
  // The server's database is shared with other suites, which expect its publication as they left it.
  for (const name of tables) await sql(`drop table if exists public.${name}`)
  await sql('drop type if exists e2e_mood')
})

/** A fresh table in the publication, readable by anon and authenticated. */
async function table(ddl, { publish = true, db = sql } = {}) {
  const name = unique('e2e')
  await db(`create table public.${name} ${ddl}`)
  if (db === sql) tables.push(name)
  await db(`grant select on public.${name} to anon, authenticated`)
  if (publish) await db(`alter publication supabase_realtime add table public.${name}`)
  return name
}

/**
 * A channel listening to `bindings` ([{ event, schema, table, filter }, ...]); each binding's
 * payloads land in its own list, system messages in `system`.
 */
async function listen(supabase, bindings, { name = unique('changes') } = {}) {
  const channel = supabase.channel(name)
  const got = bindings.map(() => [])
  bindings.forEach((binding, i) => channel.on('postgres_changes', binding, (payload) => got[i].push(payload)))
  const system = []
  channel.on('system', {}, (message) => system.push(message))
  await joined(channel)
  return { channel, got, system }
}

const subscribedTo = (system, count = 1) => waitFor(`${count}× "${SUBSCRIBED}"`,
  () => system.filter((m) => m.extension === 'postgres_changes' && m.message === SUBSCRIBED).length >= count)

describe('wells', () => {
  test('INSERT, UPDATE and DELETE arrive with upstream payloads', async () => {
    const { got, system } = await listen(client(), [
      { event: 'INSERT', schema: 'public', table: 'wells' },
      { event: 'UPDATE', schema: 'public', table: 'wells' },
      { event: 'DELETE', schema: 'public', table: 'wells' },
      { event: '*', schema: 'public', table: 'wells' },
    ])
    await subscribedTo(system)
    const uwi = unique('uwi')
    const [{ id }] = await sql(`insert into public.wells (name, uwi, latitude, longitude, total_depth_m, status)
      values ('e2e well', $1, 51.5, -0.125, 1234.5, 'drilling') returning id`, [uwi])
    const mine = (list) => list.filter((p) => p.new?.id === Number(id) || p.old?.id === Number(id))
    // One statement at a time: RLS is checked when the change is streamed, against the row as it
    // is then (as upstream), so a row already deleted would hide its own INSERT and UPDATE.
    await waitFor('the insert', () => mine(got[3]).length === 1)
    await sql('update public.wells set status = $2 where id = $1', [id, 'producing'])
    await waitFor('the update', () => mine(got[3]).length === 2)
    await sql('delete from public.wells where id = $1', [id])
    await waitFor('the delete', () => mine(got[3]).length === 3)
    const [inserted, updated, deleted] = mine(got[3])

    assert.equal(inserted.eventType, 'INSERT')
    assert.equal(inserted.schema, 'public')
    assert.equal(inserted.table, 'wells')
    assert.match(inserted.commit_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    assert.equal(inserted.errors, null)
    assert.deepEqual(inserted.old, {})
    assert.deepEqual({ ...inserted.new, created_at: undefined, updated_at: undefined }, {
      id: Number(id), name: 'e2e well', uwi, latitude: 51.5, longitude: -0.125, total_depth_m: 1234.5,
      status: 'drilling', created_at: undefined, updated_at: undefined,
    })
    assert.match(inserted.new.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/)

    assert.equal(updated.eventType, 'UPDATE')
    assert.equal(updated.new.status, 'producing')
    assert.deepEqual(updated.old, { id: Number(id) }, 'REPLICA IDENTITY DEFAULT: the key only')

    assert.equal(deleted.eventType, 'DELETE')
    assert.deepEqual(deleted.new, {})
    assert.deepEqual(deleted.old, { id: Number(id) }, 'RLS on: a delete carries the key only')

    assert.deepEqual(mine(got[0]).map((p) => p.eventType), ['INSERT'])
    assert.deepEqual(mine(got[1]).map((p) => p.eventType), ['UPDATE'])
    assert.deepEqual(mine(got[2]).map((p) => p.eventType), ['DELETE'])
  })
})

describe('filters', () => {
  test('every operator, not., AND and quoted values', async () => {
    const t = await table('(id int4 primary key, name text, qty int4, flag bool)')
    const cases = [
      ['qty=eq.10', [2]],
      ['qty=neq.10', [1, 4]],
      ['qty=lt.10', [1]],
      ['qty=lte.10', [1, 2]],
      ['qty=gt.5', [2, 4]],
      ['qty=gte.5', [1, 2, 4]],
      ['id=in.(1,3)', [1, 3]],
      ['name=like.al%', [1]],
      ['name=ilike.b%', [2]],
      ['qty=is.null', [3]],
      ['flag=is.true', [1, 4]],
      ['name=match.^[a-z]+$', [1]],
      ['name=imatch.^beta$', [2]],
      ['qty=isdistinct.10', [1, 3, 4]],
      ['id=not.in.(1,3)', [2, 4]],
      ['qty=not.is.null', [1, 2, 4]],
      ['name=not.eq.alpha', [2, 3, 4]],
      ['name=not.like.%b%', [1, 2, 4]],
      ['name=eq."a,b"', [3]],
      ['name=eq."say \\"hi\\""', [4]],
      ['id=gt.1,id=lt.4', [2, 3]],
      ['id=eq.99', [99]],
    ]
    const { got, system } = await listen(client(),
      cases.map(([filter]) => ({ event: 'INSERT', schema: 'public', table: t, filter })))
    await subscribedTo(system)
    assert.deepEqual(system.filter((m) => m.status === 'error'), [], 'every filter is valid')
    await sql(`insert into public.${t} values (1, 'alpha', 5, true), (2, 'Beta', 10, false), (3, 'a,b', null, null),
      (4, 'say "hi"', 15, true)`)
    await sql(`insert into public.${t} values (99, 'sentinel', 0, false)`)
    // The sentinel comes last on this channel: once it is there, every earlier match is too.
    await waitFor('the sentinel', () => got.at(-1).length === 1)
    cases.forEach(([filter, ids], i) => {
      const matched = got[i].map((p) => p.new.id)
      assert.deepEqual(i === cases.length - 1 ? matched : matched.filter((id) => id !== 99), ids, filter)
    })
  })

  test('an invalid filter gets upstream\'s system error and the channel stays subscribed', async () => {
    const t = await table('(id int4 primary key)')
    const { channel, got, system } = await listen(client(), [
      { event: '*', schema: 'public', table: t, filter: 'nope=eq.1' },
      { event: '*', schema: 'public', table: t, filter: 'id=eq.1' },
    ])
    await subscribedTo(system)
    assert.equal(system.find((m) => m.status === 'error').message,
      'Unable to subscribe to changes with given parameters. An exception happened so please check your connect '
      + `parameters: [event: *, schema: public, table: ${t}, filters: [{"nope", "eq", "1", false}], select: nil]. `
      + 'Exception: ERROR P0001 (raise_exception) invalid column for filter nope')
    assert.equal(channel.state, 'joined')
    await sql(`insert into public.${t} values (1)`)
    await waitFor('the valid binding\'s change', () => got[1].length === 1)
    assert.equal(got[0].length, 0)
  })
})

describe('row level security', () => {
  test('two users and anon on a table whose policy uses auth.uid()', async () => {
    const t = await table('(id bigserial primary key, owner uuid not null, body text)')
    await sql(`alter table public.${t} enable row level security`)
    await sql(`create policy owner_reads on public.${t} for select to authenticated using (owner = auth.uid())`)
    const alice = randomUUID()
    const bob = randomUUID()
    const binding = [{ event: '*', schema: 'public', table: t }]
    const listeners = {}
    for (const [who, token] of [['alice', userToken(alice)], ['bob', userToken(bob)], ['anon', null]]) {
      const supabase = client()
      if (token) await supabase.realtime.setAuth(token)
      listeners[who] = await listen(supabase, binding)
      await subscribedTo(listeners[who].system)
    }
    await sql(`insert into public.${t} (owner, body) values ($1, 'for alice'), ($2, 'for bob')`, [alice, bob])
    // RLS is checked against the row as it is when the change is streamed: delete it only then.
    for (const who of ['alice', 'bob']) await waitFor(`${who}'s insert`, () => listeners[who].got[0].length === 1)
    const [{ id }] = await sql(`delete from public.${t} where owner = $1 returning id`, [alice])
    // The delete reaches everyone (upstream does not apply RLS to deletes) and comes last.
    for (const who of ['alice', 'bob', 'anon']) {
      await waitFor(`the delete at ${who}`, () => listeners[who].got[0].some((p) => p.eventType === 'DELETE'))
    }
    const bodies = (who) => listeners[who].got[0].filter((p) => p.eventType === 'INSERT').map((p) => p.new.body)
    assert.deepEqual(bodies('alice'), ['for alice'])
    assert.deepEqual(bodies('bob'), ['for bob'])
    assert.deepEqual(bodies('anon'), [])
    assert.deepEqual(listeners.anon.got[0][0].old, { id: Number(id) }, 'RLS on: the key only')
  })
})

describe('values and replica identities', () => {
  test('a table of every common column type round-trips to the values PostgreSQL\'s to_jsonb gives', async () => {
    await sql("do $$ begin create type e2e_mood as enum ('sad', 'ok', 'happy'); exception when duplicate_object then null; end $$")
    const t = await table(`(id int8 primary key, i2 int2, i4 int4, f4 float4, f8 float8, n numeric, b bool, tx text,
      vc varchar(20), ch char(3), u uuid, j json, jb jsonb, d date, tm time, ttz timetz, ts timestamp, tstz timestamptz,
      iv interval, by bytea, inet_ inet, mood e2e_mood, texts text[], ints int4[], nothing text)`)
    const { got, system } = await listen(client(), [{ event: 'INSERT', schema: 'public', table: t }])
    await subscribedTo(system)
    await sql(`insert into public.${t} values (9007199254740991, -32768, 2147483647, 1.5, 0.1, 1234.5678, true, 'héllo "x"',
      'varchar', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2.5, null]}', '{"b": {"c": true}}', '2024-02-29',
      '12:34:56.789', '12:34:56+02', '2024-01-01 12:00:00', '2024-01-01 12:00:00.5+02', '1 day 02:03:04', '\\x0102ff',
      '192.168.0.1/32', 'happy', '{a,"b c",NULL}', '{1,2,3}', null)`)
    await waitFor('the row', () => got[0].length === 1)
    const [{ expected }] = await sql(`select to_jsonb(t) - 'by' || jsonb_build_object('by', t.by::text) as expected
      from public.${t} t`)
    assert.deepEqual(got[0][0].new, expected)
    assert.deepEqual(got[0][0].new.texts, ['a', 'b c', null])
    assert.equal(got[0][0].new.tstz, '2024-01-01T10:00:00.5+00:00')
  })

  test('REPLICA IDENTITY FULL sends whole old rows', async () => {
    const t = await table('(id int4 primary key, name text, qty int4)')
    await sql(`alter table public.${t} replica identity full`)
    const { got, system } = await listen(client(), [{ event: '*', schema: 'public', table: t }])
    await subscribedTo(system)
    await sql(`insert into public.${t} values (1, 'a', 5)`)
    await sql(`update public.${t} set qty = 6 where id = 1`)
    await sql(`delete from public.${t} where id = 1`)
    await waitFor('three changes', () => got[0].length === 3)
    assert.deepEqual(got[0][1].old, { id: 1, name: 'a', qty: 5 })
    assert.deepEqual(got[0][1].new, { id: 1, name: 'a', qty: 6 })
    assert.deepEqual(got[0][2].old, { id: 1, name: 'a', qty: 6 })
  })

  test('an unchanged TOAST column is left out, unless the old row is sent (REPLICA IDENTITY FULL)', async () => {
    const big = 'x'.repeat(5000)
    const keyed = await table('(id int4 primary key, title text, body text)')
    const full = await table('(id int4 primary key, title text, body text)')
    for (const t of [keyed, full]) await sql(`alter table public.${t} alter column body set storage external`)
    await sql(`alter table public.${full} replica identity full`)
    const { got, system } = await listen(client(), [
      { event: 'UPDATE', schema: 'public', table: keyed }, { event: 'UPDATE', schema: 'public', table: full }])
    await subscribedTo(system)
    for (const t of [keyed, full]) {
      await sql(`insert into public.${t} values (1, 'a', $1)`, [big])
      await sql(`update public.${t} set title = 'b' where id = 1`)
    }
    await waitFor('both updates', () => got[0].length === 1 && got[1].length === 1)
    assert.deepEqual(got[0][0].new, { id: 1, title: 'b' })
    assert.deepEqual(got[1][0].new, { id: 1, title: 'b', body: big })
  })
})

describe('delivery', () => {
  test('a row inserted immediately after SUBSCRIBED arrives, on a warm and on a cold stream', async () => {
    // A tenant of its own on the same database: its first join starts its stream (cold).
    const cold = await tenant('cold')
    const t = await table('(id int4 primary key)')
    for (const [round, host] of [[1, cold], [2, undefined], [3, undefined]]) {
      const got = []
      const channel = client({ host }).channel(unique('immediate'))
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: t }, (p) => got.push(p.new.id))
      await new Promise((resolve, reject) => {
        channel.subscribe((status, error) => {
          if (status === 'SUBSCRIBED') sql(`insert into public.${t} values ($1)`, [round]).then(resolve, reject)
          else if (status !== 'CLOSED') reject(new Error(`${status} ${error?.message ?? ''}`))
        })
      })
      await waitFor(`round ${round}'s row`, () => got.includes(round))
    }
  })

  test('a 10,000-row transaction arrives complete and in order', async () => {
    const host = await tenant('bulk', { max_events_per_second: 1_000_000 })
    const t = await table('(id int4 primary key, label text)')
    const ids = []
    const channel = client({ host }).channel(unique('bulk'))
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: t }, (p) => ids.push(p.new.id))
    await joined(channel)
    const started = Date.now()
    await sql(`insert into public.${t} select g, 'row ' || g from generate_series(1, 10000) g`)
    await waitFor('10,000 rows', () => ids.length >= 10_000, 120_000)
    console.log(`10,000-row transaction delivered to supabase-js in ${Date.now() - started} ms`)
    assert.equal(ids.length, 10_000)
    assert.ok(ids.every((id, i) => id === i + 1), 'in statement order')
  })

  test('over the event budget, changes are delayed and announced, never dropped', async () => {
    const host = await tenant('budget', { max_events_per_second: 5 })
    const t = await table('(id int4 primary key)')
    const { got, system } = await listen(client({ host }),
      [{ event: 'INSERT', schema: 'public', table: t }])
    await subscribedTo(system)
    await sql(`insert into public.${t} select g from generate_series(1, 40) g`)
    const notice = await waitFor('the budget notice', () => system.find((m) => m.message.startsWith('Event budget exceeded')))
    assert.equal(notice.status, 'error')
    assert.equal(notice.extension, 'postgres_changes')
    assert.match(notice.message, /max_events_per_second \(5\)/)
    await waitFor('all 40 rows', () => got[0].length === 40, 60_000)
    assert.deepEqual(got[0].map((p) => p.new.id), [...Array(40).keys()].map((i) => i + 1))
    await waitFor('the catch-up notice', () => system.some((m) => m.status === 'ok' && m.message.startsWith('Event budget:')))
  })
})

describe('while streaming', () => {
  test('ALTER TABLE and ALTER PUBLICATION are picked up without a restart', async () => {
    const t = await table('(id int4 primary key, name text)')
    const later = await table('(id int4 primary key)', { publish: false })
    const { got, system } = await listen(client(), [
      { event: '*', schema: 'public', table: t }, { event: '*', schema: 'public', table: later }])
    await subscribedTo(system)
    const missing = system.find((m) => m.status === 'error')
    assert.match(missing.message, new RegExp(`^Unable to subscribe to changes with given parameters. Please check Realtime is enabled`))
    assert.ok(missing.message.includes(`Run ALTER PUBLICATION supabase_realtime ADD TABLE public.${later};`), missing.message)

    await sql(`alter table public.${t} add column pinned bool default true`)
    await sql(`insert into public.${t} (id, name) values (1, 'a')`)
    await waitFor('the row with its new column', () => got[0].length === 1)
    assert.deepEqual(got[0][0].new, { id: 1, name: 'a', pinned: true })

    await sql(`alter publication supabase_realtime add table public.${later}`)
    await sql(`insert into public.${later} values (7)`)
    await waitFor('the newly published table\'s row', () => got[1].length === 1)
    assert.equal(got[1][0].new.id, 7)
    await subscribedTo(system, 2)

    await sql(`alter publication supabase_realtime drop table public.${t}`)
    await waitFor('the removal notice', () => system.some((m) => m.status === 'error'
      && m.message.startsWith(`Table public.${t} was removed from publication supabase_realtime`)))
  })

  test('a database restart is announced and changes after it arrive', { skip: !process.env.SPARE_DB_URL }, async () => {
    const spare = async (text, params = []) => {
      const { default: pg } = await import('pg')
      const db = new pg.Client({ connectionString: process.env.SPARE_DB_URL })
      await db.connect()
      try {
        return (await db.query(text, params)).rows
      } finally {
        await db.end()
      }
    }
    const control = (action) => fetch(`${process.env.SPARE_DB_CONTROL}/${action}`, { method: 'POST' })
      .then((r) => assert.equal(r.status, 204, `${action} the spare database`))
    const host = await tenant('restart', {}, { dbUrl: process.env.SPARE_DB_URL }) // bootstraps roles and the publication
    const t = await table('(id int4 primary key)', { db: spare })
    const { got, system } = await listen(client({ host }),
      [{ event: 'INSERT', schema: 'public', table: t }])
    await subscribedTo(system)
    await spare(`insert into public.${t} values (1)`)
    await waitFor('the row before the restart', () => got[0].length === 1)

    await control('stop')
    const lost = await waitFor('the lost notice', () => system.find((m) => m.message.startsWith('PostgreSQL replication stream lost')),
      30_000)
    assert.equal(lost.status, 'error')
    await control('start')
    await waitFor('the back notice', () => system.some((m) => m.status === 'ok'
      && m.message === 'PostgreSQL replication stream is back: changes are delivered again'), 60_000)
    await spare(`insert into public.${t} values (2)`)
    await waitFor('the row after the restart', () => got[0].length === 2)
    assert.deepEqual(got[0].map((p) => p.new.id), [1, 2])
  })
})
