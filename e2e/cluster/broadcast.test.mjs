// Broadcast across the nodes of a cluster (issue 11), with the real supabase-js: clients on
// different nodes of one Redis join one topic, and what one sends reaches every other member,
// wherever it is connected, exactly once. "Exactly once" is checked by counting per client: wait
// for the expected messages, then send a later sentinel on the same topic from the same sender and
// wait for it everywhere; a duplicate of an earlier message would have arrived before it (one
// sender's messages on one topic keep their order), so the counts after the sentinel are final.
// Every member joins and the first message is sent right after the join replies: a node must be
// listening for a topic before it answers the join.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { anonKey, closeAll, joined, sql, userToken, waitFor } from '../lib/realtime.mjs'
import { NODE_URLS, clientOn, request, unique } from '../lib/cluster.mjs'

after(closeAll)

const [A, B, C] = [0, 1, 2]

before(() => {
  assert.ok(NODE_URLS.length >= 3, `three nodes needed, NODE_URLS has ${NODE_URLS.length}`)
})

/** Joins `topic` on node `index` and records every broadcast it receives. */
async function member(index, topic, { config = {}, vsn, token } = {}) {
  const supabase = clientOn(index, { vsn })
  if (token) await supabase.realtime.setAuth(token)
  const got = []
  const channel = supabase.channel(topic, { config })
    .on('broadcast', { event: '*' }, (message) => got.push(message))
  await joined(channel)
  return { index, channel, got, events: (event) => got.filter((m) => m.event === event) }
}

/** Waits until each member has `count` messages of `event`. */
async function everyoneHas(members, event, count = 1) {
  for (const m of members) {
    await waitFor(`${count} × '${event}' on node ${m.index}`, () => m.events(event).length >= count)
  }
}

/**
 * Sends a sentinel after everything else (with `send`, from the same sender) and waits for it on
 * every member; from then on the counts are final.
 */
async function quiesce(members, send) {
  const event = `sentinel-${Math.random().toString(36).slice(2, 8)}`
  await send(event)
  await everyoneHas(members, event)
  for (const m of members) {
    assert.equal(m.events(event).length, 1, `the sentinel arrived ${m.events(event).length} times on node ${m.index}`)
  }
}

describe('broadcast across nodes', () => {
  test('a send on node A reaches every member on A, B and C exactly once, in order', async () => {
    const topic = unique('cluster-room')
    const sender = await member(A, topic, { config: { broadcast: { self: false, ack: true } } })
    const members = [
      await member(A, topic), await member(B, topic), await member(B, topic), await member(C, topic),
    ]
    for (let n = 1; n <= 5; n++) {
      assert.equal(await sender.channel.send({ type: 'broadcast', event: 'hello', payload: { n } }), 'ok')
    }
    await everyoneHas(members, 'hello', 5)
    await quiesce(members, (event) => sender.channel.send({ type: 'broadcast', event, payload: {} }))
    for (const m of members) {
      assert.deepEqual(m.events('hello').map((x) => x.payload.n), [1, 2, 3, 4, 5], `node ${m.index} got them once each, in order`)
      assert.deepEqual(m.events('hello')[0], { type: 'broadcast', event: 'hello', payload: { n: 1 } })
    }
    assert.equal(sender.got.length, 0, 'self: false: the sender got nothing back, not even through its node')
  })

  test('self: false is honoured across nodes and self: true delivers once to the sender', async () => {
    const topic = unique('cluster-self')
    const quiet = await member(A, topic, { config: { broadcast: { self: false } } })
    const echo = await member(B, topic, { config: { broadcast: { self: true } } })
    const others = [await member(A, topic), await member(C, topic)]
    await quiet.channel.send({ type: 'broadcast', event: 'from-quiet', payload: { q: 1 } })
    await echo.channel.send({ type: 'broadcast', event: 'from-echo', payload: { e: 1 } })
    await everyoneHas([...others, echo], 'from-quiet')
    await everyoneHas([...others, echo, quiet], 'from-echo')
    await quiesce([...others, quiet], (event) => echo.channel.send({ type: 'broadcast', event, payload: {} }))
    await quiesce([...others, echo], (event) => quiet.channel.send({ type: 'broadcast', event, payload: {} }))
    assert.equal(quiet.events('from-quiet').length, 0, 'self: false: the sender on A never got its own message')
    assert.equal(echo.events('from-echo').length, 1, 'self: true: the sender on B got its own message exactly once')
    for (const m of [...others, echo]) assert.equal(m.events('from-quiet').length, 1, `node ${m.index}: once`)
    for (const m of [...others, quiet]) assert.equal(m.events('from-echo').length, 1, `node ${m.index}: once`)
  })

  describe('public and private channels of one name', () => {
    const topic = unique('cluster-private')
    const policy = topic.replace(/[^a-z0-9]/g, '_')

    before(async () => {
      await sql(`create policy "${policy}_read" on realtime.messages for select to authenticated
                 using (realtime.topic() = '${topic}' and extension in ('broadcast', 'presence'))`)
      await sql(`create policy "${policy}_write" on realtime.messages for insert to authenticated
                 with check (realtime.topic() = '${topic}' and extension = 'broadcast')`)
    })

    test('never mix across nodes', async () => {
      const privately = () => ({ config: { private: true }, token: userToken() }) // a user of its own each
      const publicMembers = [await member(B, topic), await member(C, topic)]
      const privateMembers = [await member(B, topic, privately()), await member(C, topic, privately())]
      const privateSender = await member(A, topic, privately())
      const publicSender = await member(A, topic)
      await privateSender.channel.send({ type: 'broadcast', event: 'private-only', payload: { p: 1 } })
      await publicSender.channel.send({ type: 'broadcast', event: 'public-only', payload: { p: 0 } })
      await everyoneHas(privateMembers, 'private-only')
      await everyoneHas(publicMembers, 'public-only')
      await quiesce(privateMembers, (event) => privateSender.channel.send({ type: 'broadcast', event, payload: {} }))
      await quiesce(publicMembers, (event) => publicSender.channel.send({ type: 'broadcast', event, payload: {} }))
      for (const m of publicMembers) {
        assert.deepEqual(m.got.map((x) => x.event).filter((e) => !e.startsWith('sentinel-')), ['public-only'],
          `the public member on node ${m.index} saw only the public channel`)
        assert.equal(m.got.filter((x) => x.event.startsWith('sentinel-')).length, 1, `node ${m.index}: only the public sentinel`)
      }
      for (const m of privateMembers) {
        assert.deepEqual(m.got.map((x) => x.event).filter((e) => !e.startsWith('sentinel-')), ['private-only'],
          `the private member on node ${m.index} saw only the private channel`)
        assert.equal(m.got.filter((x) => x.event.startsWith('sentinel-')).length, 1, `node ${m.index}: only the private sentinel`)
      }
    })
  })

  test('binary payloads arrive intact on other nodes (vsn 2.0.0), and never on vsn 1.0.0', async () => {
    const topic = unique('cluster-binary')
    const sender = await member(A, topic)
    const v2 = [await member(B, topic), await member(C, topic)]
    const v1 = await member(C, topic, { vsn: '1.0.0' })
    const bytes = new Uint8Array(256).map((_, i) => i) // every byte value, 0x00 to 0xff
    await sender.channel.send({ type: 'broadcast', event: 'bytes', payload: bytes.buffer })
    await everyoneHas(v2, 'bytes')
    await quiesce([...v2, v1], (event) => sender.channel.send({ type: 'broadcast', event, payload: { after: true } }))
    for (const m of v2) {
      const [message] = m.events('bytes')
      assert.equal(m.events('bytes').length, 1, `node ${m.index}: once`)
      assert.ok(message.payload instanceof ArrayBuffer, `node ${m.index} got ${Object.prototype.toString.call(message.payload)}`)
      assert.deepEqual([...new Uint8Array(message.payload)], [...bytes], `node ${m.index}: every byte intact`)
    }
    assert.equal(v1.events('bytes').length, 0, 'a vsn 1.0.0 member on another node gets no binary message')
  })

  test('REST broadcast (POST /api/broadcast) on node A reaches members on B and C once', async () => {
    const topic = unique('cluster-rest')
    const members = [await member(B, topic), await member(C, topic), await member(A, topic)]
    const post = (event, payload) => request(A, 'POST', '/api/broadcast', {
      token: anonKey(), body: { messages: [{ topic, event, payload }] },
    })
    assert.equal((await post('rest', { r: 1 })).status, 202)
    await everyoneHas(members, 'rest')
    await quiesce(members, async (event) => assert.equal((await post(event, {})).status, 202))
    for (const m of members) {
      assert.equal(m.events('rest').length, 1, `node ${m.index}: once`)
      assert.deepEqual(m.events('rest')[0].payload, { r: 1 })
    }
  })
})
