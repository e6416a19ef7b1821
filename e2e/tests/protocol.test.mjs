// The realtime protocol as supabase-js 2.119.1 sees it: connect, broadcast, presence, tokens,
// private channels, limits. Each test uses its own channel names so tests cannot see each other.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import {
  anonKey, client, closeAll, ensureTenant, handshake, joined, REALTIME_URL, sign, sql, subscribe, userToken, waitFor,
} from '../lib/realtime.mjs'
import WebSocket from 'ws'

const unique = (name) => `${name}-${randomUUID().slice(0, 8)}`

after(closeAll)

describe('connect', () => {
  for (const vsn of ['2.0.0', '1.0.0']) {
    test(`subscribes with vsn ${vsn}`, async () => {
      const supabase = client({ vsn })
      const channel = supabase.channel(unique('connect'))
      assert.deepEqual(await subscribe(channel), { status: 'SUBSCRIBED', error: undefined })
      assert.equal(supabase.realtime.vsn ?? vsn, vsn)
    })
  }

  test('forged, expired and role-less tokens are refused with the documented answers', async () => {
    const forged = sign({ role: 'anon' }, 'not-the-tenant-secret-but-long-enough-for-hs256')
    const expired = sign({ role: 'anon', exp: Math.floor(Date.now() / 1000) - 60 })
    const roleless = sign({ sub: 'x' })
    assert.deepEqual(await handshake(`apikey=${forged}&vsn=2.0.0`),
      { status: 401, body: '{"error":"Failed to validate JWT signature"}' })
    assert.deepEqual(await handshake(`apikey=${expired}&vsn=2.0.0`), { status: 401, body: '{"error":"Token has expired"}' })
    assert.deepEqual(await handshake(`apikey=${roleless}&vsn=2.0.0`),
      { status: 401, body: '{"error":"Fields `role` and `exp` are required in JWT"}' })
    assert.deepEqual(await handshake(`apikey=${anonKey()}&vsn=2.0.0`), { open: true })

    // What an application sees: the channel errors instead of subscribing.
    const channel = client({ key: forged, realtime: { reconnectAfterMs: () => 60_000 } }).channel(unique('forged'))
    const result = await subscribe(channel)
    assert.equal(result.status, 'CHANNEL_ERROR')
  })

  test('a refusal is an HTTP answer without Origin and a join error plus a 4401 close with it', async () => {
    const forged = sign({ role: 'anon' }, 'not-the-tenant-secret-but-long-enough-for-hs256')
    const noRetry = { reconnectAfterMs: () => 60_000 }
    // Node's supabase-js (ws sends no Origin): the HTTP status and body as before, the reason is not in the error.
    assert.deepEqual(await handshake(`apikey=${forged}&vsn=2.0.0`),
      { status: 401, body: '{"error":"Failed to validate JWT signature"}' })
    const node = await subscribe(client({ key: forged, realtime: noRetry }).channel(unique('node-refused')))
    assert.equal(node.status, 'CHANNEL_ERROR')
    assert.doesNotMatch(node.error ?? '', /Failed to validate JWT signature/)

    // With Origin, as a browser connects: upgraded, and the reason reaches the subscribe callback.
    assert.deepEqual(await handshake(`apikey=${forged}&vsn=2.0.0`, { origin: REALTIME_URL }), { open: true })
    const closes = []
    class BrowserLikeWebSocket extends WebSocket {
      constructor(url, protocols, options = {}) {
        super(url, protocols, { ...options, origin: REALTIME_URL })
        this.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }))
      }
    }
    const supabase = client({ key: forged, realtime: { ...noRetry, transport: BrowserLikeWebSocket } })
    const browserLike = await subscribe(supabase.channel(unique('browser-refused')))
    assert.deepEqual(browserLike, { status: 'CHANNEL_ERROR', error: 'Failed to validate JWT signature' })
    await waitFor('the 4401 close', () => closes.length > 0)
    assert.deepEqual(closes[0], { code: 4401, reason: 'Failed to validate JWT signature' })
  })

  test('a join with an expired access token gets the InvalidJWTToken reason', async () => {
    const supabase = client()
    await supabase.realtime.setAuth(sign({ role: 'authenticated', exp: Math.floor(Date.now() / 1000) - 5 }))
    const result = await subscribe(supabase.channel(unique('expired-join')))
    assert.equal(result.status, 'CHANNEL_ERROR')
    assert.match(result.error, /^InvalidJWTToken: Token has expired \d+ seconds ago$/)
  })
})

describe('broadcast', () => {
  const pair = async (config = {}) => {
    const name = unique('room')
    const sender = await joined(client().channel(name, { config: { broadcast: { self: false, ack: false, ...config } } }))
    const received = []
    const receiver = client().channel(name).on('broadcast', { event: '*' }, (m) => received.push(m))
    await joined(receiver)
    return { name, sender, receiver, received }
  }

  test('reaches the others but not the sender without self', async () => {
    const { sender, received } = await pair()
    const own = []
    sender.on('broadcast', { event: '*' }, (m) => own.push(m))
    assert.equal(await sender.send({ type: 'broadcast', event: 'hello', payload: { n: 1 } }), 'ok')
    await waitFor('the broadcast', () => received.length === 1)
    assert.deepEqual(received[0], { type: 'broadcast', event: 'hello', payload: { n: 1 } })
    // A second message proves the first was not delivered to the sender late.
    await sender.send({ type: 'broadcast', event: 'hello', payload: { n: 2 } })
    await waitFor('the second broadcast', () => received.length === 2)
    assert.equal(own.length, 0)
  })

  test('self: true also delivers to the sender', async () => {
    const name = unique('self')
    const own = []
    const sender = client().channel(name, { config: { broadcast: { self: true } } })
      .on('broadcast', { event: 'echo' }, (m) => own.push(m.payload))
    await joined(sender)
    await sender.send({ type: 'broadcast', event: 'echo', payload: { me: true } })
    await waitFor('the echo', () => own.length === 1)
    assert.deepEqual(own, [{ me: true }])
  })

  test('ack: true resolves send() on the server reply', async () => {
    const { sender, received } = await pair({ ack: true })
    assert.equal(await sender.send({ type: 'broadcast', event: 'acked', payload: { a: 1 } }), 'ok')
    await waitFor('the acked broadcast', () => received.length === 1)
  })

  test('binary payloads arrive as ArrayBuffer on vsn 2.0.0 and never on vsn 1.0.0', async () => {
    const name = unique('binary')
    const sender = await joined(client().channel(name))
    const v2 = []
    const v1 = []
    await joined(client().channel(name).on('broadcast', { event: '*' }, (m) => v2.push(m)))
    await joined(client({ vsn: '1.0.0' }).channel(name).on('broadcast', { event: '*' }, (m) => v1.push(m)))
    const bytes = new Uint8Array([0, 1, 2, 250, 255])
    await sender.send({ type: 'broadcast', event: 'bytes', payload: bytes.buffer })
    await sender.send({ type: 'broadcast', event: 'json', payload: { after: true } })
    await waitFor('both messages on vsn 2.0.0', () => v2.length === 2)
    assert.equal(v2[0].event, 'bytes')
    assert.ok(v2[0].payload instanceof ArrayBuffer, `got ${Object.prototype.toString.call(v2[0].payload)}`)
    assert.deepEqual([...new Uint8Array(v2[0].payload)], [...bytes])
    await waitFor('the JSON message on vsn 1.0.0', () => v1.length === 1)
    assert.deepEqual(v1.map((m) => m.event), ['json'])
  })

  test('non-ASCII payloads arrive intact on both protocol versions', async () => {
    const name = unique('unicode')
    const text = 'héllo wörld ✓ 日本語 🌍 \u0000\u001f "quoted" \\ back'
    const sender = await joined(client({ vsn: '1.0.0' }).channel(name))
    const got = []
    await joined(client().channel(name).on('broadcast', { event: 'u' }, (m) => got.push(m.payload)))
    await joined(client({ vsn: '1.0.0' }).channel(name).on('broadcast', { event: 'u' }, (m) => got.push(m.payload)))
    await sender.send({ type: 'broadcast', event: 'u', payload: { text, [text]: [text] } })
    await waitFor('two deliveries', () => got.length === 2)
    for (const payload of got) assert.deepEqual(payload, { text, [text]: [text] })
  })

  test('the REST API delivers to subscribers (httpSend and send() before joining)', async () => {
    const name = unique('rest')
    const got = []
    await joined(client().channel(name).on('broadcast', { event: '*' }, (m) => got.push(m)))
    const notJoined = client().channel(name)
    assert.deepEqual(await notJoined.httpSend('via-http', { x: 1 }), { success: true })
    assert.equal(await notJoined.send({ type: 'broadcast', event: 'via-batch', payload: { y: 2 } }), 'ok')
    await waitFor('both REST broadcasts', () => got.length === 2)
    assert.deepEqual(got.map((m) => [m.event, m.payload]).sort(), [['via-batch', { y: 2 }], ['via-http', { x: 1 }]])
  })

  test('a client disconnecting mid-broadcast does not disturb the others', async () => {
    const name = unique('storm')
    const sender = await joined(client().channel(name))
    const counts = [[], []]
    for (const got of counts) {
      await joined(client().channel(name).on('broadcast', { event: 'n' }, (m) => got.push(m.payload.i)))
    }
    const leaver = client()
    await joined(leaver.channel(name).on('broadcast', { event: 'n' }, () => {}))
    const total = 60
    for (let i = 0; i < total; i++) {
      if (i === total / 2) leaver.realtime.disconnect()
      await sender.send({ type: 'broadcast', event: 'n', payload: { i } })
    }
    await waitFor('every message at both remaining receivers', () => counts.every((got) => got.length === total))
    for (const got of counts) assert.deepEqual(got, [...Array(total).keys()])
  })
})

describe('presence', () => {
  test('sync, join, update and leave as seen by another member', async () => {
    const name = unique('presence')
    const watcher = client().channel(name, { config: { presence: { key: 'watcher' } } })
    const events = []
    watcher.on('presence', { event: 'join' }, ({ key, newPresences }) => events.push(['join', key, newPresences.map((p) => p.status)]))
    watcher.on('presence', { event: 'leave' }, ({ key, leftPresences }) => events.push(['leave', key, leftPresences.map((p) => p.status)]))
    await joined(watcher)

    const member = await joined(client().channel(name, { config: { presence: { key: 'ana' } } }))
    assert.equal(await member.track({ status: 'online' }), 'ok')
    await waitFor('ana online', () => watcher.presenceState().ana?.[0]?.status === 'online')
    assert.ok(watcher.presenceState().ana[0].presence_ref, 'phx_ref is exposed as presence_ref')

    assert.equal(await member.track({ status: 'away' }), 'ok')
    await waitFor('ana away', () => watcher.presenceState().ana?.length === 1 && watcher.presenceState().ana[0].status === 'away')

    assert.equal(await member.untrack(), 'ok')
    await waitFor('ana gone', () => !watcher.presenceState().ana)
    assert.deepEqual(events.filter(([, key]) => key === 'ana').map(([e, , s]) => `${e}:${s}`).sort(),
      ['join:away', 'join:online', 'leave:away', 'leave:online'])
  })

  test('presence_state on join, generated keys, and leave on disconnect', async () => {
    const name = unique('state')
    const first = client()
    const tracked = await joined(first.channel(name))
    assert.equal(await tracked.track({ user: 'first' }), 'ok')

    const late = client().channel(name).on('presence', { event: 'sync' }, () => {})
    await joined(late)
    const state = await waitFor('the state snapshot', () => {
      const entries = Object.entries(late.presenceState())
      return entries.length === 1 ? entries : null
    })
    const [[key, metas]] = state
    assert.match(key, /^[0-9a-f-]{36}$/, 'an empty presence key becomes a UUID')
    assert.equal(metas[0].user, 'first')

    first.realtime.disconnect()
    await waitFor('the leave after disconnect', () => Object.keys(late.presenceState()).length === 0)
  })
})

describe('tokens', () => {
  const inSeconds = (n) => Math.floor(Date.now() / 1000) + n

  test('setAuth refreshes a joined channel before its token expires, and it stays open', async () => {
    const supabase = client()
    const firstExpiry = inSeconds(3)
    await supabase.realtime.setAuth(sign({ role: 'authenticated', sub: randomUUID(), exp: firstExpiry }))
    const errors = []
    const channel = supabase.channel(unique('refreshed')).on('system', {}, (m) => m.status === 'error' && errors.push(m))
    await joined(channel)
    await supabase.realtime.setAuth(sign({ role: 'authenticated', sub: randomUUID() }))
    // Past the first token's expiry (and the server's check at that moment), the channel is still joined.
    await waitFor('the first token to be well expired', () => Date.now() > firstExpiry * 1000 + 1500, 10_000)
    assert.equal(channel.state, 'joined')
    assert.deepEqual(errors, [])
  })

  test('a token that expires closes the channel with a system error', async () => {
    const supabase = client()
    await supabase.realtime.setAuth(sign({ role: 'authenticated', exp: inSeconds(2) }))
    const system = []
    const channel = supabase.channel(unique('expiring')).on('system', {}, (m) => system.push(m))
    await joined(channel)
    await waitFor('the server to close the channel', () => channel.state === 'closed', 10_000)
    assert.equal(system.length, 1)
    assert.equal(system[0].extension, 'system')
    assert.equal(system[0].status, 'error')
    assert.match(system[0].message, /^Token has expired \d+ seconds ago$/)
    assert.equal(system[0].channel, channel.subTopic)
  })
})

describe('private channels', () => {
  const allowed = unique('e2e-private-allowed')
  const denied = unique('e2e-private-denied')

  before(async () => {
    const policy = (name) => name.replace(/[^a-z0-9]/g, '_')
    await sql(`create policy "${policy(allowed)}_read" on realtime.messages for select to authenticated
               using (realtime.topic() = '${allowed}' and extension in ('broadcast', 'presence'))`)
    await sql(`create policy "${policy(allowed)}_write" on realtime.messages for insert to authenticated
               with check (realtime.topic() = '${allowed}' and extension = 'broadcast')`)
  })

  test('allowed by a policy: joins and broadcasts between users', async () => {
    const alice = client()
    await alice.realtime.setAuth(userToken())
    const bob = client()
    await bob.realtime.setAuth(userToken())
    const got = []
    await joined(bob.channel(allowed, { config: { private: true } }).on('broadcast', { event: '*' }, (m) => got.push(m.payload)))
    const sender = await joined(alice.channel(allowed, { config: { private: true, broadcast: { ack: true } } }))
    assert.equal(await sender.send({ type: 'broadcast', event: 'secret', payload: { s: 1 } }), 'ok')
    await waitFor('the private broadcast', () => got.length === 1)
    assert.deepEqual(got, [{ s: 1 }])
  })

  test('replay: stored broadcasts since a time arrive after the join, oldest first, marked replayed', async () => {
    const insert = `insert into realtime.messages (topic, extension, event, payload, private, inserted_at)
                    values ($1, 'broadcast', 'stored', $2, true, now() - $3::interval)`
    await sql(insert, [allowed, { n: 1 }, '3 seconds'])
    await sql(insert, [allowed, { n: 2 }, '2 seconds'])
    await sql(insert, [allowed, { n: 0 }, '2 hours']) // before `since`
    const user = client()
    await user.realtime.setAuth(userToken())
    const got = []
    const channel = user.channel(allowed, { config: { private: true, broadcast: { replay: { since: Date.now() - 60_000, limit: 10 } } } })
      .on('broadcast', { event: 'stored' }, (m) => { if (m.meta?.replayed) got.push(m) }) // the stream may deliver them live too
    await joined(channel)
    await waitFor('the replayed messages', () => got.length === 2)
    assert.deepEqual(got.map((m) => m.payload), [{ n: 1 }, { n: 2 }])
    for (const m of got) {
      assert.equal(m.meta.replayed, true)
      assert.match(m.meta.id, /^[0-9a-f-]{36}$/)
    }
  })

  test('denied without a policy, and public and private channels of one name never mix', async () => {
    const user = client()
    await user.realtime.setAuth(userToken())
    const result = await subscribe(user.channel(denied, { config: { private: true } }))
    assert.equal(result.status, 'CHANNEL_ERROR')
    assert.equal(result.error, `Unauthorized: You do not have permissions to read from this Channel topic: ${denied}`)

    const anon = client()
    const publicGot = []
    await joined(anon.channel(allowed).on('broadcast', { event: '*' }, (m) => publicGot.push(m)))
    const privateSender = client()
    await privateSender.realtime.setAuth(userToken())
    const sender = await joined(privateSender.channel(allowed, { config: { private: true } }))
    const publicSender = await joined(client().channel(allowed))
    await sender.send({ type: 'broadcast', event: 'private-only', payload: {} })
    await publicSender.send({ type: 'broadcast', event: 'public', payload: {} })
    await waitFor('the public broadcast', () => publicGot.length >= 1)
    assert.deepEqual(publicGot.map((m) => m.event), ['public'])
  })
})

describe('limits', () => {
  const tenant = 'e2e-limits'
  const host = `${tenant}.localhost`

  before(() => ensureTenant(tenant, { max_channels_per_client: 2, max_payload_size_in_kb: 1 }))

  test('max_channels_per_client: the next join fails with ChannelRateLimitReached', async () => {
    const supabase = client({ host })
    await joined(supabase.channel(unique('one')))
    await joined(supabase.channel(unique('two')))
    const third = await subscribe(supabase.channel(unique('three')))
    assert.deepEqual(third, { status: 'CHANNEL_ERROR', error: 'ChannelRateLimitReached: Too many channels' })
  })

  test('max_payload_size_in_kb: an oversized broadcast is refused, a small one passes', async () => {
    const name = unique('payload')
    const supabase = client({ host })
    const sender = await joined(supabase.channel(name, { config: { broadcast: { ack: true, self: true } } }))
    const got = []
    sender.on('broadcast', { event: '*' }, (m) => got.push(m.event))
    assert.equal(await sender.send({ type: 'broadcast', event: 'big', payload: { blob: 'x'.repeat(1500) } }), 'error')
    assert.equal(await sender.send({ type: 'broadcast', event: 'small', payload: { blob: 'x'.repeat(100) } }), 'ok')
    await waitFor('the small broadcast', () => got.includes('small'))
    assert.deepEqual(got, ['small'])
  })
})
