// Broadcast from Database as supabase-js sees it: realtime.send to public and private channels,
// realtime.broadcast_changes from a trigger with RLS on realtime.messages, a 1,000-send
// transaction in order, replay with meta.replayed and no duplicate, and replication_ready.
// Each test uses its own topics, so tests cannot see each other's messages.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { client, closeAll, joined, sql, subscribe, userToken, waitFor } from '../lib/realtime.mjs'

const unique = (name) => `${name}-${randomUUID().slice(0, 8)}`
const READY = 'Replication connection established'
const policies = []
const tables = []

after(async () => {
  await closeAll()
  for (const name of policies) await sql(`drop policy if exists "${name}" on realtime.messages`)
  for (const name of tables) await sql(`drop table if exists public.${name}`)
})

/** Lets authenticated users read (and, with `write`, send) broadcasts on one topic. */
async function allow(topic, { write = false } = {}) {
  const name = `e2e_${topic.replace(/[^a-z0-9]/g, '_')}`
  await sql(`create policy "${name}_read" on realtime.messages for select to authenticated
             using (realtime.topic() = '${topic}' and extension = 'broadcast')`)
  policies.push(`${name}_read`)
  if (write) {
    await sql(`create policy "${name}_write" on realtime.messages for insert to authenticated
               with check (realtime.topic() = '${topic}' and extension = 'broadcast')`)
    policies.push(`${name}_write`)
  }
}

/**
 * A joined channel that asked for replication_ready and got it: from then on every send is
 * streamed to it. Broadcasts land in `got`, system messages in `system`.
 */
async function listen(supabase, topic, { isPrivate = false, replay } = {}) {
  const broadcast = { replication_ready: true, ...(replay ? { replay } : {}) }
  const channel = supabase.channel(topic, { config: { private: isPrivate, broadcast } })
  const got = []
  const system = []
  channel.on('broadcast', { event: '*' }, (message) => got.push(message))
  channel.on('system', {}, (message) => system.push(message))
  await joined(channel)
  await waitFor('replication_ready', () => system.some((m) => m.message === READY), 30_000)
  return { channel, got, system }
}

async function signedIn() {
  const supabase = client()
  await supabase.realtime.setAuth(userToken())
  return supabase
}

const send = (payload, event, topic, isPrivate) =>
  sql('select realtime.send($1::jsonb, $2, $3, $4)', [JSON.stringify(payload), event, topic, isPrivate])

describe('realtime.send', () => {
  test('reaches a public channel with its payload, payload.id and meta.id (non-ASCII intact)', async () => {
    const topic = unique('e2e-send')
    const { got, system } = await listen(client(), topic)
    assert.deepEqual(system.filter((m) => m.message === READY),
      [{ extension: 'system', status: 'ok', message: READY, channel: topic }])
    const text = 'grüß dich 🌍 — 日本語 \u2028 "quoted"'
    await send({ text }, 'greet', topic, false)
    await waitFor('the broadcast', () => got.length === 1)
    const [message] = got
    assert.equal(message.type, 'broadcast')
    assert.equal(message.event, 'greet')
    assert.equal(message.payload.text, text)
    assert.match(message.meta.id, /^[0-9a-f-]{36}$/)
    assert.equal(message.payload.id, message.meta.id)
    const stored = await sql('select id::text from realtime.messages where topic = $1', [topic])
    assert.deepEqual(stored.map((r) => r.id), [message.meta.id])
  })

  test('a channel that did not ask for replication_ready gets no system message', async () => {
    const topic = unique('e2e-quiet')
    const supabase = client()
    const system = []
    const got = []
    const channel = supabase.channel(topic).on('system', {}, (m) => system.push(m))
      .on('broadcast', { event: '*' }, (m) => got.push(m))
    await joined(channel)
    await listen(client(), topic) // makes sure the tenant's stream is up
    await send({ n: 1 }, 'quiet', topic, false)
    await waitFor('the broadcast', () => got.length === 1)
    assert.deepEqual(system, [])
  })

  test('a private send never reaches a public channel of the same name, and the other way round', async () => {
    const topic = unique('e2e-split')
    await allow(topic)
    const open = await listen(client(), topic)
    const closed = await listen(await signedIn(), topic, { isPrivate: true })
    await send({ s: 1 }, 'secret', topic, true)
    await send({ o: 1 }, 'open', topic, false)
    await waitFor('both broadcasts', () => open.got.length >= 1 && closed.got.length >= 1)
    await send({ s: 2 }, 'secret-2', topic, true) // committed after both: once it arrived, nothing else is on the way
    await waitFor('the second private broadcast', () => closed.got.length >= 2)
    assert.deepEqual(open.got.map((m) => m.event), ['open'])
    assert.deepEqual(closed.got.map((m) => m.event), ['secret', 'secret-2'])
  })

  test('1,000 sends in one transaction arrive complete and in order', async () => {
    const topic = unique('e2e-bulk')
    const { got } = await listen(client(), topic)
    await sql(`select realtime.send(jsonb_build_object('n', n), 'tick', $1, false) from generate_series(1, 1000) n`, [topic])
    await waitFor('1,000 broadcasts', () => got.length >= 1000, 30_000)
    assert.equal(got.length, 1000)
    assert.deepEqual(got.map((m) => m.payload.n), Array.from({ length: 1000 }, (_, i) => i + 1))
    assert.equal(new Set(got.map((m) => m.meta.id)).size, 1000)
  })
})

describe('realtime.broadcast_changes', () => {
  const topic = unique('e2e-notes')
  const table = `e2e_notes_${randomUUID().slice(0, 8)}`

  before(async () => {
    await sql(`create table public.${table} (id int primary key, body text)`)
    tables.push(table)
    await sql(`create or replace function public.${table}_changed() returns trigger language plpgsql as $$
               begin
                 perform realtime.broadcast_changes('${topic}', TG_OP, TG_OP, TG_TABLE_NAME, TG_TABLE_SCHEMA, NEW, OLD);
                 return null;
               end $$`)
    await sql(`create trigger ${table}_changed after insert or update or delete on public.${table}
               for each row execute function public.${table}_changed()`)
    await allow(topic)
  })

  after(() => sql(`drop function if exists public.${table}_changed() cascade`))

  test('INSERT, UPDATE and DELETE reach an authenticated subscriber allowed by a policy', async () => {
    const { got } = await listen(await signedIn(), topic, { isPrivate: true })
    await sql(`insert into public.${table} values (1, 'first')`)
    await sql(`update public.${table} set body = 'second' where id = 1`)
    await sql(`delete from public.${table} where id = 1`)
    await waitFor('three changes', () => got.length >= 3)
    assert.deepEqual(got.map((m) => m.event), ['INSERT', 'UPDATE', 'DELETE'])
    const [insert, update, remove] = got.map((m) => m.payload)
    assert.deepEqual({ ...insert, id: undefined }, {
      id: undefined, operation: 'INSERT', table, schema: 'public', record: { id: 1, body: 'first' }, old_record: null,
    })
    assert.deepEqual(update.record, { id: 1, body: 'second' })
    assert.deepEqual(update.old_record, { id: 1, body: 'first' })
    assert.equal(remove.record, null)
    assert.deepEqual(remove.old_record, { id: 1, body: 'second' })
    for (const m of got) assert.equal(m.payload.id, m.meta.id)
  })

  test('anon is refused the private channel', async () => {
    const result = await subscribe(client().channel(topic, { config: { private: true } }))
    assert.equal(result.status, 'CHANNEL_ERROR')
    assert.equal(result.error, `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`)
  })
})

describe('replay', () => {
  test('stored sends arrive after the join marked meta.replayed, live ones after them, none twice', async () => {
    const topic = unique('e2e-replay')
    await allow(topic)
    const since = Date.now() - 1000
    await send({ n: 1 }, 'stored', topic, true)
    await send({ n: 2 }, 'stored', topic, true)
    const { got } = await listen(await signedIn(), topic, { isPrivate: true, replay: { since, limit: 10 } })
    await waitFor('the replayed messages', () => got.length >= 2)
    await send({ n: 3 }, 'stored', topic, true)
    await waitFor('the live message', () => got.some((m) => m.payload.n === 3))
    assert.deepEqual(got.map((m) => [m.payload.n, m.meta.replayed ?? false]), [[1, true], [2, true], [3, false]])
    assert.equal(new Set(got.map((m) => m.meta.id)).size, 3)
  })
})
