// Presence across the nodes of a cluster (issue 11), with the real supabase-js: what a channel
// tracks on one node shows in presenceState() on every node, leaves everywhere when untracked,
// reaches a late joiner on a node that had no member of the topic yet, and leaves everywhere
// when its node is killed (SIGKILL: no goodbye, so the other nodes notice its silence, within
// the documented 10 s).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { closeAll, joined, waitFor } from '../lib/realtime.mjs'
import { NODE_URLS, clientOn, control, unique } from '../lib/cluster.mjs'

after(closeAll)

const [A, B, C] = [0, 1, 2]

before(() => {
  assert.ok(NODE_URLS.length >= 3, `three nodes needed, NODE_URLS has ${NODE_URLS.length}`)
})

/** Joins `topic` on node `index` with presence key `key` and tracks `{ node: index }`. */
async function tracker(index, topic, key) {
  const channel = clientOn(index).channel(topic, { config: { presence: { key } } })
  await joined(channel)
  assert.equal(await channel.track({ node: index }), 'ok')
  return channel
}

const keys = (channel) => Object.keys(channel.presenceState()).sort()

describe('presence across nodes', () => {
  test('tracks on A, B and C show on every node, and an untrack on B leaves everywhere', async () => {
    const topic = unique('cluster-presence')
    const a = await tracker(A, topic, 'ana')
    const b = await tracker(B, topic, 'bo')
    const c = await tracker(C, topic, 'cy')
    for (const [name, channel] of [['A', a], ['B', b], ['C', c]]) {
      await waitFor(`all three on ${name}`, () => keys(channel).join() === 'ana,bo,cy')
    }
    assert.deepEqual(a.presenceState().bo.map((p) => p.node), [B], "B's meta as B tracked it, once")
    assert.equal(await b.untrack(), 'ok')
    await waitFor('bo gone on A', () => keys(a).join() === 'ana,cy')
    await waitFor('bo gone on C', () => keys(c).join() === 'ana,cy')
    assert.equal(await b.track({ node: B, again: true }), 'ok')
    await waitFor('bo back on C with the new payload', () => c.presenceState().bo?.[0]?.again === true)
    assert.equal(c.presenceState().bo.length, 1, 'an update replaces the meta, it does not add one')
  })

  test("a node's first member of a topic sees the members of the other nodes", async () => {
    const topic = unique('cluster-late')
    const a = await tracker(A, topic, 'ana')
    await tracker(B, topic, 'bo')
    await waitFor('both on A', () => keys(a).join() === 'ana,bo')
    // A presence listener turns presence on for the channel (supabase-js sends presence.enabled).
    const late = clientOn(C).channel(topic, { config: { presence: { key: 'late' } } })
      .on('presence', { event: 'sync' }, () => {})
    await joined(late)
    await waitFor('the late joiner on C sees ana and bo', () => keys(late).join() === 'ana,bo')
  })

  test('the members of a killed node leave on the other nodes within the node timeout', async () => {
    const topic = unique('cluster-killed')
    const a = await tracker(A, topic, 'ana')
    await tracker(C, topic, 'cy')
    await waitFor('cy on A', () => keys(a).join() === 'ana,cy')
    const killed = Date.now()
    await control(C, 'kill')
    try {
      await waitFor('cy gone on A after C was killed', () => keys(a).join() === 'ana', 20_000)
      const took = Date.now() - killed
      assert.ok(took <= 10_000 + 2_000, `left after ${took} ms: the documented bound is 10 s of silence (+ one hello)`)
    } finally {
      await control(C, 'start')
    }
    // (cy's own client reconnects to the restarted node too and may track again: only cy2 is asserted.)
    const back = await tracker(C, topic, 'cy2')
    const watcher = clientOn(C).channel(topic, { config: { presence: { key: 'w' } } })
      .on('presence', { event: 'sync' }, () => {})
    await joined(watcher)
    await waitFor('a watcher on the restarted node sees ana', () => keys(watcher).includes('ana'))
      .catch((error) => { throw new Error(`${error.message}; the watcher has ${keys(watcher)}`) })
    await waitFor('the restarted node shares presence again',
      () => keys(a).includes('cy2') && keys(back).includes('ana'))
      .catch((error) => {
        throw new Error(`${error.message}; A has ${keys(a)}, the restarted node has ${keys(back)}`)
      })
  })
})
