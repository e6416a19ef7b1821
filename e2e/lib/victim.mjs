// The victim of the hostile-input suites: an ordinary, well-behaved subscriber on the default
// tenant whose database changes and broadcasts must keep arriving complete, in order and in time
// while another client attacks the server. Each victim has its own table and topic, so attacks
// and victims of different suites never share a stream of rows.
import pg from 'pg'
import { client, joined, waitFor } from './realtime.mjs'

const KINDS = ['row', 'broadcast']

/** One kind of probe's bookkeeping: what was sent when, what arrived, in which order. */
function tally() {
  return { sent: 0, received: 0, duplicates: 0, outOfOrder: 0, lastSeq: 0, worstMs: 0, seen: new Set() }
}

function record(t, seq, sentMs) {
  if (t.seen.has(seq)) {
    t.duplicates++
    return
  }
  t.seen.add(seq)
  t.received++
  if (seq < t.lastSeq) t.outOfOrder++
  t.lastSeq = Math.max(t.lastSeq, seq)
  t.worstMs = Math.max(t.worstMs, Date.now() - sentMs)
}

/**
 * Starts a victim named `name`: creates `public.victim_<name>` (in the publication, readable by
 * anon, no RLS), joins an anon client to topic `victim:<name>` with an INSERT binding on it and a
 * broadcast listener, and a second client that sends the broadcasts.
 */
export async function startVictim(name) {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`victim name ${name}: lower-case letters, digits and _ only`)
  const table = `victim_${name}`
  const db = new pg.Client({ connectionString: process.env.DB_URL })
  await db.connect()
  // The embedded database commits asynchronously; a probe row must reach the WAL when it is sent,
  // or the WAL writer's delay (up to 200 ms) would be counted as the server's.
  await db.query('set synchronous_commit = on')
  await db.query(`drop table if exists public.${table}`)
  await db.query(`create table public.${table} (id bigserial primary key, seq int not null, sent_ms bigint not null)`)
  await db.query(`grant select on public.${table} to anon, authenticated`)
  await db.query(`alter publication supabase_realtime add table public.${table}`)

  // A victim that cannot join must not leave its table in the publication for later suites.
  const dropTable = async () => {
    await db.query(`alter publication supabase_realtime drop table public.${table}`).catch(() => {})
    await db.query(`drop table if exists public.${table}`).catch(() => {})
    await db.end().catch(() => {})
  }

  const counts = { row: tally(), broadcast: tally() }
  const statuses = []
  const receiver = client()
  const channel = receiver.channel(`victim:${name}`, { config: { broadcast: { self: false } } })
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table }, (change) => {
      record(counts.row, change.new.seq, Number(change.new.sent_ms))
    })
    .on('broadcast', { event: 'probe' }, ({ payload }) => record(counts.broadcast, payload.seq, payload.sentMs))
  const joinedOnce = new Promise((resolve, reject) => {
    let first = true
    channel.subscribe((status, error) => {
      if (first) {
        first = false
        if (status === 'SUBSCRIBED') resolve()
        else reject(new Error(`victim ${name}: ${status} ${error?.message ?? ''}`))
      } else if (status !== 'SUBSCRIBED') {
        statuses.push(status) // a later CHANNEL_ERROR, CLOSED or TIMED_OUT means the victim was harmed
      }
    })
  })
  const senderClient = client()
  let sender
  try {
    await joinedOnce
    sender = await joined(senderClient.channel(`victim:${name}`))
  } catch (error) {
    await dropTable()
    throw error
  }

  let timer = null
  let seq = 0
  let pending = Promise.resolve()
  const failures = []

  function probeOnce() {
    seq++
    const now = Date.now()
    counts.row.sent++
    counts.broadcast.sent++
    const current = seq
    pending = Promise.all([
      pending,
      db.query(`insert into public.${table} (seq, sent_ms) values ($1, $2)`, [current, now])
        .catch((error) => failures.push(`insert ${current}: ${error.message}`)),
      sender.send({ type: 'broadcast', event: 'probe', payload: { seq: current, sentMs: now } })
        .then((result) => { if (result !== 'ok') failures.push(`broadcast ${current}: ${result}`) }),
    ])
  }

  const victim = {
    name,
    table,
    topic: `victim:${name}`,

    /** Sends one row and one broadcast every `everyMs` until `stopProbing()`. */
    startProbing({ everyMs = 100 } = {}) {
      if (timer) throw new Error('already probing')
      probeOnce()
      timer = setInterval(probeOnce, everyMs)
    },

    /**
     * Stops probing and waits up to `deadlineMs` for everything sent to arrive; resolves with
     * the statistics (never throws for a harmed victim: `assertUnharmed` judges).
     */
    async stopProbing({ deadlineMs = 15_000 } = {}) {
      clearInterval(timer)
      timer = null
      await pending
      await waitFor(`victim ${name}: every probe`, () => KINDS.every((k) => counts[k].received >= counts[k].sent), deadlineMs)
        .catch(() => {})
      return victim.stats()
    },

    /** The statistics so far. */
    stats() {
      const view = (t) => ({ sent: t.sent, received: t.received, lost: t.sent - t.received, duplicates: t.duplicates,
        outOfOrder: t.outOfOrder, worstMs: t.worstMs })
      return { rows: view(counts.row), broadcasts: view(counts.broadcast), statuses: [...statuses], failures: [...failures] }
    },

    /** Throws unless nothing was lost, duplicated or reordered and the worst latency is within `boundMs`. */
    assertUnharmed(stats, { boundMs }) {
      const problems = []
      for (const [kind, s] of Object.entries({ rows: stats.rows, broadcasts: stats.broadcasts })) {
        if (s.sent === 0) problems.push(`no ${kind} were sent`)
        if (s.lost > 0) problems.push(`${s.lost} of ${s.sent} ${kind} lost`)
        if (s.duplicates > 0) problems.push(`${s.duplicates} ${kind} duplicated`)
        if (s.outOfOrder > 0) problems.push(`${s.outOfOrder} ${kind} out of order`)
        if (s.worstMs > boundMs) problems.push(`${kind}: worst latency ${s.worstMs} ms > ${boundMs} ms`)
      }
      if (stats.statuses.length) problems.push(`channel status changed: ${stats.statuses.join(', ')}`)
      if (stats.failures.length) problems.push(`sending failed: ${stats.failures.slice(0, 3).join('; ')}`)
      if (problems.length) throw new Error(`victim ${name} harmed: ${problems.join('; ')} (${victim.describe(stats)})`)
    },

    /** One line for the logs and the closing note. */
    describe(stats) {
      const line = (s) => `${s.received}/${s.sent} in order=${s.outOfOrder === 0} worst ${s.worstMs} ms`
      return `victim ${name}: rows ${line(stats.rows)}; broadcasts ${line(stats.broadcasts)}`
    },

    /** Stops probing, leaves the channels and drops the table. */
    async close() {
      clearInterval(timer)
      await pending.catch(() => {})
      await receiver.removeAllChannels().catch(() => {})
      receiver.realtime.disconnect()
      await senderClient.removeAllChannels().catch(() => {})
      senderClient.realtime.disconnect()
      await dropTable()
    },
  }
  return victim
}
