// /metrics as supabase-js clients move it: on a tenant of its own, the socket and channel series
// rise when a client joins and fall when it leaves, and a broadcast moves its counters by one.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { REALTIME_URL, client, closeAll, ensureTenant, joined, sign, waitFor } from '../lib/realtime.mjs'

after(closeAll)

const tenant = `metrics-js-${randomUUID().slice(0, 8)}`
const host = `${tenant}.localhost`

/** The sum of the tenant's samples of `name` with the given labels; NaN when there are none. */
async function value(name, labels = {}) {
  const token = sign({}, process.env.METRICS_JWT_SECRET)
  const response = await fetch(`${REALTIME_URL}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  assert.equal(response.status, 200)
  const wanted = { tenant, ...labels }
  let sum = NaN
  for (const line of (await response.text()).split('\n')) {
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\} (\S+)$/.exec(line)
    if (!sample || sample[1] !== name) continue
    const present = Object.fromEntries([...sample[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(wanted).every(([k, v]) => present[k] === v)) sum = (Number.isNaN(sum) ? 0 : sum) + Number(sample[3])
  }
  return sum
}

const reaches = (name, expected, labels) => waitFor(`${name} ${JSON.stringify(labels ?? {})} of ${tenant} = ${expected}`,
  async () => (await value(name, labels)) === expected)

test('a scrape without a token is refused', async () => {
  assert.equal((await fetch(`${REALTIME_URL}/metrics`)).status, 401)
  const wrong = sign({}, 'not-the-metrics-secret-but-32-bytes-long')
  assert.equal((await fetch(`${REALTIME_URL}/metrics`, { headers: { authorization: `Bearer ${wrong}` } })).status, 403)
})

test('sockets and channels rise when supabase-js joins and fall when it leaves', async () => {
  await ensureTenant(tenant)
  const alice = client({ host })
  const bob = client({ host })
  const received = []
  const a = await joined(alice.channel('room', { config: { broadcast: { self: false } } }))
  await joined(bob.channel('room').on('broadcast', { event: 'hi' }, (m) => received.push(m.payload)))
  await reaches('realtime_connected_sockets', 2)
  await reaches('realtime_joined_channels', 2, { kind: 'public' })

  const inBefore = await value('realtime_broadcasts_received_total')
  const outBefore = await value('realtime_broadcasts_sent_total')
  await a.send({ type: 'broadcast', event: 'hi', payload: { n: 1 } })
  await waitFor('bob to receive the broadcast', () => received.length === 1)
  await reaches('realtime_broadcasts_received_total', inBefore + 1)
  assert.equal(await value('realtime_broadcasts_sent_total'), outBefore + 1, 'one frame, to bob only (self is off)')

  await alice.removeAllChannels()
  await reaches('realtime_joined_channels', 1, { kind: 'public' })
  alice.realtime.disconnect()
  await reaches('realtime_connected_sockets', 1)
  await bob.removeAllChannels()
  bob.realtime.disconnect()
  await reaches('realtime_joined_channels', 0, { kind: 'public' })
  await reaches('realtime_connected_sockets', 0)
})
