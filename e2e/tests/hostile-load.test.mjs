// Hostile load on the default tenant: one client's database changes cost that client only. A socket
// with as many channels as it may have, all bound to every table; a socket that stops reading; a
// burst of 10,000 single-row commits to a handful of viewers. In each case a victim on the same
// tenant keeps getting every row and broadcast, in order, within VICTIM_BOUND_MS.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, test } from 'node:test'
import pg from 'pg'
import WebSocket from 'ws'
import { REALTIME_URL, anonKey, client, closeAll, joined, sql, waitFor } from '../lib/realtime.mjs'
import { startVictim } from '../lib/victim.mjs'

/** The victim's bound, commit (or send) to supabase-js callback; its baseline is a few hundred ms at worst. */
const VICTIM_BOUND_MS = 2000

after(closeAll)

/** A fresh published table readable by anon, whose rows carry the database time they were written at. */
async function freshTable(name, extra = '') {
  await sql(`drop table if exists public.${name}`)
  await sql(`create table public.${name} (id bigserial primary key,
    written_ms bigint not null default (extract(epoch from clock_timestamp()) * 1000)::bigint${extra})`)
  await sql(`grant select on public.${name} to anon`)
  await sql(`alter publication supabase_realtime add table public.${name}`)
  return name
}

async function dropTable(name) {
  await sql(`alter publication supabase_realtime drop table public.${name}`).catch(() => {})
  await sql(`drop table if exists public.${name}`)
}

/** Commits `count` rows one transaction each, as an import that writes row by row does. */
async function commitOneByOne(table, count, values = 'default values') {
  const db = new pg.Client({ connectionString: process.env.DB_URL })
  await db.connect()
  try {
    // The embedded database commits asynchronously by default; a real import waits for each commit.
    await db.query('set synchronous_commit = on')
    for (let i = 0; i < count; i++) await db.query(`insert into public.${table} ${values}`)
  } finally {
    await db.end()
  }
}

/**
 * A raw Phoenix client (vsn 1.0.0) on the default tenant that records, per topic, the ids of the
 * rows of `table` it receives, its `system` messages and how its socket closed.
 */
async function rawClient(table) {
  const url = `${REALTIME_URL.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${anonKey()}&vsn=1.0.0`
  const ws = new WebSocket(url)
  const state = { ws, replies: new Map(), system: [], rows: new Map(), closed: null, ref: 0 }
  ws.on('message', (data) => {
    const m = JSON.parse(data)
    if (m.event === 'phx_reply') state.replies.set(m.ref, m.payload)
    else if (m.event === 'system') state.system.push(m.payload)
    else if (m.event === 'postgres_changes' && m.payload.data.table === table) {
      if (!state.rows.has(m.topic)) state.rows.set(m.topic, [])
      state.rows.get(m.topic).push(Number(m.payload.data.record.id))
    }
  })
  ws.on('close', (code, reason) => { state.closed = { code, reason: reason.toString() } })
  await once(ws, 'open')
  state.join = async (topic, bindings) => {
    const ref = String(++state.ref)
    ws.send(JSON.stringify({ topic: `realtime:${topic}`, event: 'phx_join', ref, join_ref: ref,
      payload: { config: { postgres_changes: bindings }, access_token: anonKey() } }))
    return waitFor(`the reply to joining ${topic}`, () => state.replies.get(ref), 15_000)
  }
  return state
}

/** Every topic's ids are 1, 2, 3, ... with no gap: what arrived is complete and in order so far. */
function assertPrefixes(rows, what) {
  for (const [topic, ids] of rows) {
    ids.forEach((id, i) => assert.equal(id, i + 1, `${what}: ${topic} got row ${id} at position ${i + 1}`))
  }
}

test('a socket with the most channels it may join, all bound to every table, is delayed then closed alone', async () => {
  const bulk = await freshTable('hostile_load_wide')
  const victim = await startVictim('load_wide')
  const hostile = await rawClient(bulk)
  try {
    let channels = 0
    let refusal
    while (channels < 1000) { // joins until the server says no: the tenant's max_channels_per_client
      const reply = await hostile.join(`hostile-wide-${channels}`, [{ event: '*', schema: '*', table: '*' }])
      if (reply.status !== 'ok') {
        refusal = reply.response.reason
        break
      }
      channels++
    }
    console.log(`hostile socket joined ${channels} channels bound to *.*, then: ${refusal}`)
    assert.ok(channels >= 1 && refusal, 'joined until refused')
    await waitFor('every channel subscribed', () =>
      hostile.system.filter((s) => s.message === 'Subscribed to PostgreSQL').length === channels, 30_000)

    victim.startProbing({ everyMs: 50 })
    const rows = 1000 // each costs the hostile socket one event per channel
    await commitOneByOne(bulk, rows)
    const stats = await victim.stopProbing()
    console.log(`${victim.describe(stats)} (beside ${channels} channels on *.* and ${rows} commits)`)
    victim.assertUnharmed(stats, { boundMs: VICTIM_BOUND_MS })

    // Over its budget it is told and delayed; on a transport that writes slowly its queue may reach
    // the hard cap first, and then the close (checked below) is what it gets. Either way it is told.
    const overBudget = (s) => s.status === 'error'
      && s.message.startsWith('Event budget exceeded: too many database changes for this client')
    await waitFor('the over-budget notice or the close', () => hostile.system.some(overBudget) || hostile.closed)
    const delayed = hostile.system.find(overBudget)
    if (delayed) assert.equal(delayed.extension, 'postgres_changes')
    const complete = () => [...hostile.rows.values()].every((ids) => ids.length === rows) && hostile.rows.size === channels
    await waitFor('every row on every channel, or the close', () => complete() || hostile.closed, 30_000)
    assertPrefixes(hostile.rows, 'the hostile socket')
    if (!complete()) { // it fell too far behind: it is told and closed, never silently short
      assert.equal(hostile.closed.code, 1013)
      assert.equal(hostile.closed.reason, 'too many database changes for this client')
      assert.ok(hostile.system.some((s) => s.message.startsWith('Too many database changes for this client')),
        JSON.stringify(hostile.system.slice(-3)))
    }
    const received = [...hostile.rows.values()].reduce((sum, ids) => sum + ids.length, 0)
    console.log(`hostile socket: ${received} of ${rows * channels} deliveries, then ${hostile.closed
      ? `closed ${hostile.closed.code} ${hostile.closed.reason}` : 'still open'}`)
  } finally {
    hostile.ws.terminate()
    await victim.close()
    await dropTable(bulk)
  }
})

test('a socket that stops reading is held on its own, the slot is confirmed, and it gets everything once it reads', async () => {
  const bulk = await freshTable('hostile_load_stalled', ', body text not null')
  const victim = await startVictim('load_stalled')
  const stalled = await rawClient(bulk)
  try {
    assert.equal((await stalled.join('hostile-stalled', [{ event: 'INSERT', schema: 'public', table: bulk }])).status, 'ok')
    await waitFor('subscribed', () => stalled.system.some((s) => s.message === 'Subscribed to PostgreSQL'))
    stalled.ws._socket.pause() // reads nothing more: the server's writes back up to it

    victim.startProbing({ everyMs: 50 })
    const rows = 3000 // 4 KB each: 12 MB, more than the kernel buffers between us take
    await commitOneByOne(bulk, rows, `(body) values (repeat('x', 4096))`)
    const [{ lsn }] = await sql('select pg_current_wal_lsn()::text as lsn')
    const stats = await victim.stopProbing()
    console.log(`${victim.describe(stats)} (beside a socket that stopped reading)`)
    victim.assertUnharmed(stats, { boundMs: VICTIM_BOUND_MS })

    await waitFor('every slot confirmed past the burst while the socket does not read', async () => {
      const [{ confirmed }] = await sql(`select bool_and(confirmed_flush_lsn >= $1::pg_lsn) as confirmed
        from pg_replication_slots where slot_name like 'supabase_realtime_replication_slot%' and active`, [lsn])
      return confirmed
    })
    const before = stalled.rows.get('realtime:hostile-stalled')?.length ?? 0
    assert.ok(before < rows, `it had not read everything yet (${before})`)

    stalled.ws._socket.resume()
    await waitFor(`all ${rows} rows once it reads again`, () => stalled.rows.get('realtime:hostile-stalled')?.length === rows
      || stalled.closed, 30_000)
    assert.equal(stalled.closed, null, 'held for it, not closed: what waited was within bounds')
    assertPrefixes(stalled.rows, 'the stalled socket')
    console.log(`stalled socket: ${before} rows before it paused reading took effect, all ${rows} in order after`)
  } finally {
    stalled.ws.terminate()
    await victim.close()
    await dropTable(bulk)
  }
})

test('a burst of 10,000 single-row commits reaches a handful of viewers within seconds', async () => {
  const bulk = await freshTable('hostile_load_burst')
  const victim = await startVictim('load_burst')
  const rows = 10_000
  const viewers = []
  try {
    for (let v = 0; v < 3; v++) {
      const viewer = { ids: [], latencies: [] }
      // One channel, two bindings, as a wells page has: both match, one frame carries both ids.
      viewer.channel = await joined(client().channel(`hostile-burst-${v}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: bulk }, (p) => {
          viewer.ids.push(Number(p.new.id))
          viewer.latencies.push(Date.now() - Number(p.new.written_ms))
        })
        .on('postgres_changes', { event: '*', schema: 'public', table: bulk }, () => {}))
      viewers.push(viewer)
    }
    victim.startProbing({ everyMs: 50 })
    const started = Date.now()
    await commitOneByOne(bulk, rows)
    const committedIn = Date.now() - started
    await waitFor('every viewer has every row', () => viewers.every((v) => v.ids.length >= rows), 60_000)
    const deliveredIn = Date.now() - started
    const stats = await victim.stopProbing()
    console.log(`${victim.describe(stats)} (during a burst of ${rows} commits)`)
    victim.assertUnharmed(stats, { boundMs: VICTIM_BOUND_MS })

    const all = viewers.flatMap((v) => v.latencies).sort((a, b) => a - b)
    const p50 = all[Math.floor(all.length * 0.5)]
    const p99 = all[Math.floor(all.length * 0.99)]
    console.log(`burst: ${rows} single-row commits in ${committedIn} ms, at all ${viewers.length} viewers after `
      + `${deliveredIn} ms; commit-to-viewer latency p50 ${p50} ms, p99 ${p99} ms, worst ${all[all.length - 1]} ms`)
    for (const viewer of viewers) {
      assert.equal(viewer.ids.length, rows)
      assert.ok(viewer.ids.every((id, i) => id === i + 1), 'in commit order')
    }
    assert.ok(p99 < 5000, `p99 ${p99} ms: viewers are within seconds of the import`)
  } finally {
    await victim.close()
    await dropTable(bulk)
  }
})
