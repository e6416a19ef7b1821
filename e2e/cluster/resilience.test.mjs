// The cluster without Redis (issue 11): every node keeps serving its own clients, says so in its
// health data, and the cluster heals by itself once Redis is back. Also tenant changes and limits
// across nodes: a change made through one node applies on the others at once (not after their
// 30 s cache lifetime), and max_concurrent_users counts the users of every node.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { anonKey, closeAll, handshake, joined, sign, subscribe, waitFor } from '../lib/realtime.mjs'
import { NODE_URLS, clientOn, control, request, unique } from '../lib/cluster.mjs'

after(closeAll)

const [A, B, C] = [0, 1, 2]
const TENANT = 'realtime-dev'

before(() => {
  assert.ok(NODE_URLS.length >= 3, `three nodes needed, NODE_URLS has ${NODE_URLS.length}`)
})

async function member(index, topic) {
  const got = []
  const channel = clientOn(index).channel(topic, { config: { broadcast: { self: true } } })
    .on('broadcast', { event: '*' }, (message) => got.push(message.payload.n))
  await joined(channel)
  return { channel, got }
}

/** The `cluster` check of node `index`'s readiness, with the HTTP status of /health/ready. */
async function clusterCheck(index) {
  const response = await request(index, 'GET', '/health/ready')
  const check = JSON.parse(response.body).checks.find((c) => c.name === 'cluster')
  return { httpStatus: response.status, ...check }
}

describe('Redis down and back', () => {
  test('each node serves its own clients while Redis is down and the cluster heals when it is back', async () => {
    const topic = unique('cluster-outage')
    const a1 = await member(A, topic)
    const a2 = await member(A, topic)
    const b = await member(B, topic)
    await a1.channel.send({ type: 'broadcast', event: 'e', payload: { n: 0 } })
    await waitFor('n=0 on B before the outage', () => b.got.includes(0))
    assert.equal((await clusterCheck(A)).data.redis, 'connected')

    await control('redis', 'kill')
    try {
      await waitFor('A reports Redis unreachable', async () => (await clusterCheck(A)).data.redis === 'unreachable', 10_000)
      const ready = await clusterCheck(A)
      assert.equal(ready.httpStatus, 200, 'readiness stays UP without Redis')
      assert.equal(ready.status, 'UP')
      assert.match(ready.data.degraded, /Redis unreachable/)
      await a1.channel.send({ type: 'broadcast', event: 'e', payload: { n: 1 } })
      await waitFor('local delivery on A goes on', () => a2.got.includes(1))
    } finally {
      await control('redis', 'start')
    }
    await waitFor('A reports Redis connected again', async () => (await clusterCheck(A)).data.redis === 'connected', 15_000)
    // Broadcasts during the outage are not replayed (publish/subscribe has no history): send until B hears again.
    let n = 100
    await waitFor('B hears A again', async () => {
      await a1.channel.send({ type: 'broadcast', event: 'e', payload: { n: ++n } })
      return b.got.some((x) => x >= 100)
    }, 30_000)
    assert.ok(!b.got.includes(1), 'what was sent during the outage stayed on A')
    await closeAll() // its users must not count against the next test's limit
  })
})

/** Joins `topic` on node `index` as a new user, trying again (with a new client) while refused. */
async function joinEventually(index, topic) {
  await waitFor(`a user joined on node ${index}`, async () => {
    const supabase = clientOn(index)
    const result = await subscribe(supabase.channel(topic))
    if (result.status === 'SUBSCRIBED') return true
    await supabase.removeAllChannels()
    supabase.realtime.disconnect()
    return false
  }, 10_000)
}

/**
 * Changes the tenant's max_concurrent_users through node A with PATCH: a limit only, so no node
 * drains its sockets for it (a PUT that also rewrites the secret or database would).
 */
async function setLimit(users) {
  const now = Math.floor(Date.now() / 1000)
  const response = await request(A, 'PATCH', `/api/tenants/${TENANT}`, {
    token: sign({ iat: now, exp: now + 300 }, process.env.API_JWT_SECRET),
    body: { tenant: { max_concurrent_users: users } },
  })
  assert.equal(response.status, 200, `PATCH max_concurrent_users=${users}: ${response.status} ${response.body}`)
}

describe('tenants and limits across nodes', () => {
  test('a limit changed through node A applies on B at once and counts the users of every node', async () => {
    const topic = unique('cluster-limit')
    // B loads the tenant into its cache now (limit 200) without counting a user (a REST
    // broadcast), so only the cluster's announcement can change it within its 30 s cache lifetime.
    const warm = await request(B, 'POST', '/api/broadcast', {
      token: anonKey(), body: { messages: [{ topic: unique('warm'), event: 'e', payload: {} }] },
    })
    assert.equal(warm.status, 202)
    await setLimit(2)
    try {
      // The users of the test before may count for up to a second more (the load reports): a
      // refused attempt is disconnected and tried again, so it can never become a user later.
      await joinEventually(C, topic)
      await joinEventually(B, topic)
      // B has one user of its own; another connection is over the limit of 2 only with C's user
      // counted. A connection that opens is no user (it joins nothing) and is closed at once.
      await waitFor('a new connection to B is refused: B counts the user on C', async () => {
        const answer = await handshake(`apikey=${anonKey()}&vsn=2.0.0`, { base: NODE_URLS[B] })
        return answer.status === 429 && /Too many connected users/.test(answer.body)
      }, 10_000)
    } finally {
      await setLimit(200)
    }
  })
})
