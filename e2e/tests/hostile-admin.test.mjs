// Hostile use of the admin side, each case with a victim on the default tenant whose rows and
// broadcasts must keep arriving complete, in order and within 2 s: client keys used as admin tokens
// while API_JWT_SECRET is also a tenant's JWT secret (the trap of the old guide's one-secret
// setup), rotation and blocklist, and a suspended tenant.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { randomUUID } from 'node:crypto'
import {
  REALTIME_URL, client, closeAll, deleteTenant, ensureTenant, handshake, joined, sign, waitFor,
} from '../lib/realtime.mjs'
import { startVictim } from '../lib/victim.mjs'

after(closeAll)

const API_JWT_SECRET = process.env.API_JWT_SECRET
const BOUND_MS = 2000
const unique = (name) => `${name}-${randomUUID().slice(0, 8)}`

/** An HTTP request to the server with a chosen Host header (fetch may not set Host). */
function request(method, path, { token, host, body } = {}) {
  const url = new URL(path, REALTIME_URL)
  const headers = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  if (host) headers.host = host
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => { text += chunk })
      response.on('end', () => resolve({ status: response.statusCode, body: text }))
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

/** Runs `attack` while the victim probes, then judges the victim. */
async function withVictim(name, attack) {
  const victim = await startVictim(name)
  try {
    victim.startProbing({ everyMs: 50 })
    await attack()
    const stats = await victim.stopProbing()
    console.log(victim.describe(stats))
    victim.assertUnharmed(stats, { boundMs: BOUND_MS })
  } finally {
    await victim.close()
  }
}

test('the anon key and a user JWT never administer tenants while API_JWT_SECRET is a tenant secret', async () => {
  await withVictim('admin_shared', async () => {
    const shared = unique('shared')
    // The trap: a tenant whose JWT secret is API_JWT_SECRET, so its public keys are signed like admin tokens.
    await ensureTenant(shared, { jwt_secret: API_JWT_SECRET })
    try {
      const anonKey = sign({ role: 'anon' }, API_JWT_SECRET)
      const userJwt = sign({ role: 'authenticated', sub: randomUUID(), email: 'mallory@example.com' }, API_JWT_SECRET)
      await joined(client({ key: anonKey, host: `${shared}.localhost` }).channel('trap')) // a real client key

      for (const [who, token] of [['anon key', anonKey], ['user JWT', userJwt]]) {
        for (const [method, path, body] of [
          ['GET', '/api/tenants'],
          ['GET', '/realtime/v1/api/tenants/realtime-dev'],
          ['PUT', `/api/tenants/${shared}`, { tenant: { jwt_secret: 'mallory-owns-it-now-0123456789abcdef' } }],
          ['DELETE', '/api/tenants/realtime-dev'],
        ]) {
          const answer = await request(method, path, { token, body })
          assert.equal(answer.status, 403, `${who}: ${method} ${path}: ${answer.body}`)
          const { message, reason } = JSON.parse(answer.body)
          assert.equal(message, 'Forbidden')
          assert.match(reason, /also a tenant's JWT secret.*Fix: set API_JWT_SECRET to its own random secret/)
        }
      }
      const serviceRole = sign({ role: 'service_role' }, API_JWT_SECRET)
      assert.equal((await request('GET', '/api/tenants', { token: serviceRole })).status, 200,
        'a service_role key is a server-side secret: still an admin token')
      assert.equal((await request('GET', '/api/tenants/realtime-dev', { token: serviceRole })).status, 200,
        'the default tenant survived the attempts')
      // Still the old secret: the PUT above changed nothing, so the anon key still joins.
      await joined(client({ key: anonKey, host: `${shared}.localhost` }).channel('still-mine'))
    } finally {
      await deleteTenant(shared)
    }
  })
})

test('rotation accepts API_JWT_SECRET_NEXT and API_JWT_SECRET; blocked and guessed tokens are refused', async () => {
  await withVictim('admin_rotation', async () => {
    const next = sign({ exp: undefined }, process.env.API_JWT_SECRET_NEXT)
    const current = sign({ exp: undefined }, API_JWT_SECRET)
    assert.equal((await request('GET', '/api/tenants', { token: next })).status, 200, 'API_JWT_SECRET_NEXT')
    assert.equal((await request('GET', '/api/tenants', { token: current })).status, 200, 'API_JWT_SECRET during the rotation')
    const blocked = await request('GET', '/api/tenants', { token: process.env.BLOCKED_ADMIN_TOKEN })
    assert.equal(blocked.status, 401, blocked.body)
    assert.equal(JSON.parse(blocked.body).reason, 'the token is listed in API_TOKEN_BLOCKLIST')
    // A guessing run against the admin API (300 requests, 10 at a time) refuses every one and
    // leaves the victim alone.
    const guesses = Array.from({ length: 300 }, (_, i) => i % 3 === 0 ? process.env.BLOCKED_ADMIN_TOKEN
      : sign({ role: i % 3 === 1 ? 'anon' : undefined }, `guessed-secret-${i}`))
    for (let i = 0; i < guesses.length; i += 10) {
      const answers = await Promise.all(guesses.slice(i, i + 10).map((token) => request('GET', '/api/tenants', { token })))
      for (const answer of answers) assert.equal(answer.status, 401, answer.body)
    }
  })
})

test('suspend drains the tenant, refuses connections and REST broadcasts; unsuspend lets them back', async () => {
  await withVictim('admin_suspend', async () => {
    const id = unique('suspended')
    const host = `${id}.localhost`
    const message = { messages: [{ topic: 'room', event: 'ping', payload: { n: 1 } }] }
    await ensureTenant(id)
    try {
      const anon = sign({ role: 'anon' })
      const received = []
      const statuses = []
      const member = client({ host })
      const channel = member.channel('room').on('broadcast', { event: 'ping' }, ({ payload }) => received.push(payload))
      await new Promise((resolve, reject) => channel.subscribe((status) => {
        statuses.push(status)
        if (statuses.length === 1) (status === 'SUBSCRIBED' ? resolve : reject)(new Error(status))
      }))
      assert.equal((await request('POST', '/api/broadcast', { token: anon, host, body: message })).status, 202)
      await waitFor('the broadcast before suspending', () => received.length === 1)

      assert.equal((await request('PATCH', `/api/tenants/${id}`, {
        token: sign({ exp: undefined }, API_JWT_SECRET), body: { tenant: { suspend: true } },
      })).status, 200)
      await waitFor('the socket drained', () => !member.realtime.isConnected() && statuses.length > 1, 10_000)
      const refusedHandshake = await handshake(`vsn=2.0.0&apikey=${anon}`, { host })
      assert.deepEqual(refusedHandshake, { status: 403, body: '{"error":"Realtime was disabled for this tenant"}' })
      const refusedBroadcast = await request('POST', '/api/broadcast', { token: anon, host, body: message })
      assert.equal(refusedBroadcast.status, 403)
      assert.deepEqual(JSON.parse(refusedBroadcast.body), { message: 'Tenant is suspended' })
      const refusedSingle = await request('POST', '/realtime/v1/api/broadcast/room/events/ping', { token: anon, host, body: {} })
      assert.equal(refusedSingle.status, 403, refusedSingle.body)
      assert.equal(received.length, 1, 'nothing reached the suspended tenant')

      assert.equal((await request('PATCH', `/api/tenants/${id}`, {
        token: sign({ exp: undefined }, API_JWT_SECRET), body: { tenant: { suspend: false } },
      })).status, 200)
      // supabase-js reconnects by itself (1, 2, 5, 10 s back-off) and rejoins its channel.
      await waitFor('supabase-js back in the channel', () => channel.state === 'joined', 30_000)
      assert.equal((await request('POST', '/api/broadcast', { token: anon, host, body: message })).status, 202)
      await waitFor('a broadcast after unsuspending', () => received.length === 2)
    } finally {
      await deleteTenant(id)
    }
  })
})
