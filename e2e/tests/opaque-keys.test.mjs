// Opaque API keys (sb_publishable_..., sb_secret_...), the keys new Supabase projects hand out, as
// supabase-js 2.119.1 uses them: it sends the key as `apikey` and, without a session, as the join's
// access_token. A tenant registers them through the admin API; the publishable key connects as
// anon, the secret key as service_role (RLS, private channels), a user JWT set after connecting
// replaces the key's claims, and an unknown or revoked key is refused with a readable message.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { createClient } from '@supabase/supabase-js'
import {
  JWT_SECRET, REALTIME_URL, client, closeAll, deleteTenant, ensureTenant, handshake, joined, sign, sql, subscribe,
  transportFor, userToken, waitFor,
} from '../lib/realtime.mjs'

const unique = (name) => `${name}_${randomUUID().slice(0, 8)}`
const SUBSCRIBED = 'Subscribed to PostgreSQL'
const UNKNOWN = 'Unknown API key: no such key is registered for this tenant'

const tenantId = unique('keys').replaceAll('_', '-')
const host = `${tenantId}.localhost`
const table = unique('e2e_keys')
let publishable
let secret

function adminToken() {
  const now = Math.floor(Date.now() / 1000)
  return sign({ iat: now, exp: now + 300, role: undefined }, process.env.API_JWT_SECRET)
}

/** The admin API's answer to `method path` with an optional JSON body: `{ status, json }`. */
async function admin(method, path, body) {
  const response = await fetch(`${REALTIME_URL}/api/tenants/${tenantId}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await response.text()
  return { status: response.status, json: text ? JSON.parse(text) : null }
}

before(async () => {
  await ensureTenant(tenantId)
  const generated = await admin('POST', '/api_keys', { type: 'publishable', name: 'web' })
  assert.equal(generated.status, 201, JSON.stringify(generated.json))
  publishable = generated.json.data.api_key
  assert.match(publishable, /^sb_publishable_[A-Za-z0-9_-]{32}$/)
  // A key brought from elsewhere (a Supabase project's dashboard) is registered as given.
  secret = `sb_secret_${randomBytes(24).toString('base64url')}`
  const brought = await admin('POST', '/api_keys', { type: 'secret', name: 'backend', api_key: secret })
  assert.equal(brought.status, 201, JSON.stringify(brought.json))
  assert.equal(brought.json.data.api_key, undefined, 'a key the caller brought is not echoed')
  assert.equal(brought.json.data.role, 'service_role')

  await sql(`create table public.${table} (id serial primary key, audience text not null)`)
  await sql(`alter table public.${table} enable row level security`)
  await sql(`grant select on public.${table} to anon, authenticated, service_role`)
  await sql(`create policy "${table}_anon" on public.${table} for select to anon using (audience = 'everyone')`)
  await sql(`create policy "${table}_members" on public.${table} for select to authenticated
    using (audience in ('everyone', 'members'))`)
  await sql(`alter publication supabase_realtime add table public.${table}`)
})

after(async () => {
  await closeAll()
  await deleteTenant(tenantId)
  await sql(`drop table if exists public.${table}`)
})

/** A channel on the suite's table; its rows' audiences land in `audiences`, system messages in `system`. */
async function listenWithSystem(supabase) {
  const audiences = []
  const system = []
  const channel = supabase.channel(unique('rows'))
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table }, (p) => audiences.push(p.new.audience))
    .on('system', {}, (m) => system.push(m))
  await joined(channel)
  await waitFor(`"${SUBSCRIBED}"`, () => system.some((m) => m.message === SUBSCRIBED))
  return { audiences, system }
}

const listen = async (supabase) => (await listenWithSystem(supabase)).audiences

/**
 * Inserts one row per audience and then a last 'everyone' row every role may read, and resolves
 * with what each listener received once that last row arrived everywhere (rows arrive in commit
 * order, so nothing inserted before it can still be on its way).
 */
async function insertAndCollect(listeners) {
  for (const audience of ['everyone', 'members', 'staff', 'everyone']) {
    await sql(`insert into public.${table} (audience) values ($1)`, [audience])
  }
  await waitFor('the last row at every listener', () => listeners.every((l) => l.filter((a) => a === 'everyone').length >= 2))
  return listeners.map((l) => [...l])
}

describe('opaque keys connect with the right role', () => {
  test('the publishable key is anon and the secret key service_role', async () => {
    const anon = await listen(client({ key: publishable, host }))
    const service = await listen(client({ key: secret, host }))
    const [anonGot, serviceGot] = await insertAndCollect([anon, service])
    assert.deepEqual(anonGot, ['everyone', 'everyone'], 'anon sees only rows its policy allows')
    assert.deepEqual(serviceGot, ['everyone', 'members', 'staff', 'everyone'], 'service_role bypasses RLS')
  })

  test('a user JWT sent as access_token after joining with the publishable key replaces the key\'s claims', async () => {
    // supabase-js's accessToken option, as with a third-party auth provider: the key until sign-in.
    let token = publishable
    const member = createClient(REALTIME_URL, publishable, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      accessToken: async () => token,
      realtime: { transport: transportFor(host), timeout: 10_000 },
    })
    try {
      const { audiences, system } = await listenWithSystem(member)
      const [before] = await insertAndCollect([audiences])
      assert.deepEqual(before, ['everyone', 'everyone'], 'joined as anon')
      audiences.length = 0
      token = userToken()
      await member.realtime.setAuth()
      await waitFor(`a second "${SUBSCRIBED}" (the claims applied)`,
        () => system.filter((m) => m.message === SUBSCRIBED).length >= 2)
      const [after] = await insertAndCollect([audiences])
      assert.deepEqual(after, ['everyone', 'members', 'everyone'], 'the user JWT\'s role (authenticated) applies')
    } finally {
      await member.removeAllChannels()
      member.realtime.disconnect()
    }
  })

  test('private channels: the secret key is allowed, the publishable key refused with the policy reason', async () => {
    const topic = unique('private')
    await joined(client({ key: secret, host }).channel(topic, { config: { private: true } }))
    const refused = await subscribe(client({ key: publishable, host }).channel(topic, { config: { private: true } }))
    assert.equal(refused.status, 'CHANNEL_ERROR')
    assert.match(refused.error, /You do not have permissions to read from this Channel topic/)
  })

  test('broadcast between the two kinds of key works on a public channel', async () => {
    const topic = unique('room')
    const got = []
    await joined(client({ key: publishable, host }).channel(topic).on('broadcast', { event: 'hi' }, (m) => got.push(m.payload)))
    const sender = await joined(client({ key: secret, host }).channel(topic))
    await sender.send({ type: 'broadcast', event: 'hi', payload: { from: 'backend' } })
    await waitFor('the broadcast', () => got.length === 1)
    assert.deepEqual(got, [{ from: 'backend' }])
  })

  test('the embedded default tenant\'s keys (the banner\'s) connect', async () => {
    const derived = (type, prefix) => prefix + createHmac('sha256', JWT_SECRET)
      .update(`mudrock-realtime api key ${type}`).digest('base64url').slice(0, 32)
    await joined(client({ key: derived('publishable', 'sb_publishable_') }).channel(unique('default')))
    await joined(client({ key: derived('secret', 'sb_secret_') }).channel(unique('default'), { config: { private: true } }))
  })
})

describe('unknown and revoked keys', () => {
  test('an unknown sb_ key is a 401 with a readable message, and supabase-js never subscribes', async () => {
    const unknown = `sb_publishable_${randomBytes(24).toString('base64url')}`
    const answer = await handshake(`apikey=${unknown}&vsn=2.0.0`, { host })
    assert.equal(answer.status, 401)
    assert.deepEqual(JSON.parse(answer.body), { error: UNKNOWN })
    const other = await handshake(`apikey=sb_temp_${randomBytes(24).toString('base64url')}&vsn=2.0.0`, { host })
    assert.equal(other.status, 401)
    assert.match(JSON.parse(other.body).error, /^Unsupported API key: only sb_publishable_ and sb_secret_ keys/)
    // Another tenant's key is unknown here.
    const elsewhere = await handshake(`apikey=${publishable}&vsn=2.0.0`)
    assert.deepEqual(JSON.parse(elsewhere.body), { error: UNKNOWN })

    const supabase = client({ key: unknown, host })
    const result = await subscribe(supabase.channel(unique('never')))
    assert.equal(result.status, 'CHANNEL_ERROR')
    supabase.realtime.disconnect()
  })

  test('revoking a key drains its sockets and refuses it from then on; the tenant\'s other keys still connect', async () => {
    const made = await admin('POST', '/api_keys', { type: 'publishable', name: unique('short-lived') })
    assert.equal(made.status, 201)
    const { id, api_key: key } = made.json.data
    const supabase = client({ key, host, realtime: { reconnectAfterMs: () => 60_000 } })
    const system = []
    await joined(supabase.channel(unique('doomed')).on('system', {}, (m) => system.push(m)))
    assert.equal((await handshake(`apikey=${key}&vsn=2.0.0`, { host })).open, true)

    const listed = await admin('GET', '/api_keys')
    assert.ok(listed.json.data.some((k) => k.id === id && k.type === 'publishable' && k.role === 'anon'))
    assert.ok(listed.json.data.every((k) => k.api_key === undefined && !JSON.stringify(k).includes(key.slice(20))),
      'the list never shows a key')

    assert.equal((await admin('DELETE', `/api_keys/${id}`)).status, 204)
    await waitFor('the drain notice', () => system.some((m) => m.message === 'Server requested disconnect'))
    await waitFor('the socket to close', () => !supabase.realtime.isConnected())
    const refused = await handshake(`apikey=${key}&vsn=2.0.0`, { host })
    assert.equal(refused.status, 401)
    assert.deepEqual(JSON.parse(refused.body), { error: UNKNOWN })
    assert.equal((await admin('DELETE', `/api_keys/${id}`)).status, 404, 'revoked once')
    await joined(client({ key: publishable, host }).channel(unique('still')))
  })
})
