// Helia (js) fetching from vrn over Bitswap. Modes:
//   direct <multiaddr-with-p2p> <spec.json>
//     Helia with ONLY the TCP transport (noise, yamux, identify; no routers, no bootstrap) dials our
//     node and: fetches every spec file concurrently in one fresh node, then one by one in another
//     (bytes compared by sha256 and size), lists the spec directories (entry names compared), and
//     a bare js-libp2p peer sends a raw want-block for a CID we do not hold and must get DONT_HAVE.
//     spec = { files: [{ cid, sha256, size }], dirs: [{ cid, names: [..] }], missing: "cid" }
//   routing <gatewayUrl> <cid> <sha256> <size>
//     Helia whose ONLY router is @helia/delegated-routing-v1-http-api-client on our gateway URL
//     finds our node, dials the addresses it was given and fetches the file over Bitswap.
// Prints one line per check; exits 1 when any check failed.
import { readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { createHeliaLight } from 'helia'
import { withLibp2pLight } from '@helia/libp2p'
import { withBitswap } from '@helia/bitswap'
import { unixfs } from '@helia/unixfs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { delegatedRoutingV1HttpApiClient } from '@helia/delegated-routing-v1-http-api-client'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromCID } from '@libp2p/peer-id'

const [mode, ...args] = process.argv.slice(2)
let failures = 0
const fail = (m) => { failures++; console.error('FAIL ' + m) }
const hex = (b) => createHash('sha256').update(b).digest('hex')

function libp2pOptions (services = {}) {
  return {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    services: { identify: identify(), ...services }
  }
}

async function heliaNode (services) {
  const helia = withBitswap(withLibp2pLight(createHeliaLight({}), libp2pOptions(services)))
  await helia.start()
  return helia
}

async function cat (fs, cid) {
  const parts = []
  let n = 0
  for await (const chunk of fs.cat(CID.parse(cid), { signal: AbortSignal.timeout(120_000) })) {
    parts.push(chunk)
    n += chunk.length
  }
  const out = new Uint8Array(n)
  let off = 0
  for (const p of parts) { out.set(p, off); off += p.length }
  return out
}

async function checkFile (fs, f, label) {
  try {
    const body = await cat(fs, f.cid)
    if (body.length !== f.size || hex(body) !== f.sha256) {
      fail(`${label} ${f.cid}: got ${body.length} bytes sha256 ${hex(body)}, want ${f.size} ${f.sha256}`)
    } else {
      console.log(`${label} ok ${f.cid} ${body.length} bytes`)
    }
  } catch (e) {
    fail(`${label} ${f.cid}: ${e.stack ?? e}`)
  }
}

// --- a raw Bitswap 1.2.0 exchange, hand-encoded protobuf (field numbers of the bitswap spec) ---
function varint (n) {
  const out = []
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128) }
  out.push(n)
  return Uint8Array.from(out)
}
const cat2 = (...a) => { const n = a.reduce((s, x) => s + x.length, 0); const o = new Uint8Array(n); let p = 0; for (const x of a) { o.set(x, p); p += x.length } return o }
const field = (num, bytes) => cat2(varint(num << 3 | 2), varint(bytes.length), bytes)
function readVarint (buf, pos) {
  let v = 0; let shift = 0
  while (true) {
    const b = buf[pos++]
    v += (b & 0x7f) * 2 ** shift
    if ((b & 0x80) === 0) return [v, pos]
    shift += 7
  }
}
// Returns [{ cid: Uint8Array, type: 0|1 }] for the blockPresences (field 4) of one message.
function presences (msg) {
  const out = []
  let pos = 0
  while (pos < msg.length) {
    let key; [key, pos] = readVarint(msg, pos)
    const wt = key & 7
    if (wt === 0) { [, pos] = readVarint(msg, pos); continue }
    if (wt !== 2) throw new Error('unexpected wire type ' + wt)
    let len; [len, pos] = readVarint(msg, pos)
    const body = msg.subarray(pos, pos + len)
    pos += len
    if ((key >> 3) !== 4) continue
    let p = 0; const pr = { type: 0 }
    while (p < body.length) {
      let k; [k, p] = readVarint(body, p)
      if ((k & 7) === 0) { let v; [v, p] = readVarint(body, p); if ((k >> 3) === 2) pr.type = v } else {
        let l; [l, p] = readVarint(body, p)
        if ((k >> 3) === 1) pr.cid = body.subarray(p, p + l)
        p += l
      }
    }
    out.push(pr)
  }
  return out
}

async function checkDontHave (target, missing) {
  const node = await createLibp2p(libp2pOptions())
  const cid = CID.parse(missing)
  const got = new Promise((resolve, reject) => {
    node.handle('/ipfs/bitswap/1.2.0', async (stream) => {
      try {
        let buf = new Uint8Array(0)
        for await (const chunk of stream) {
          buf = cat2(buf, chunk.subarray())
          let len, pos
          while (buf.length > 0) {
            [len, pos] = readVarint(buf, 0)
            if (buf.length < pos + len) break
            const msg = buf.subarray(pos, pos + len)
            buf = buf.subarray(pos + len)
            for (const pr of presences(msg)) {
              if (CID.decode(pr.cid).equals(cid)) resolve(pr.type)
            }
          }
        }
      } catch (e) { reject(e) }
    })
  })
  const stream = await node.dialProtocol(multiaddr(target), '/ipfs/bitswap/1.2.0')
  // Message { wantlist { entries { block, priority 1, wantType Block, sendDontHave } } }
  const entry = cat2(field(1, cid.bytes), Uint8Array.from([0x10, 0x01, 0x28, 0x01]))
  const msg = field(1, field(1, entry))
  stream.send(cat2(varint(msg.length), msg))
  await stream.close()
  const type = await Promise.race([got, new Promise((_, reject) => setTimeout(() => reject(new Error('no presence within 30 s')), 30_000))])
  if (type === 1) console.log(`dont-have ok ${missing}`)
  else fail(`dont-have ${missing}: presence type ${type}, want 1 (DONT_HAVE)`)
  await node.stop()
}

if (mode === 'direct') {
  const [target, specFile] = args
  const spec = JSON.parse(await readFile(specFile, 'utf8'))
  // 1. every file at once (≥ 20 concurrent fetches) in one fresh node
  {
    const helia = await heliaNode()
    await helia.libp2p.dial(multiaddr(target))
    const fs = unixfs(helia)
    await Promise.all(spec.files.map((f) => checkFile(fs, f, 'concurrent')))
    await helia.stop()
  }
  // 2. one by one in another fresh node (nothing cached), then the directories
  {
    const helia = await heliaNode()
    await helia.libp2p.dial(multiaddr(target))
    const fs = unixfs(helia)
    for (const f of spec.files) await checkFile(fs, f, 'cat')
    for (const d of spec.dirs) {
      try {
        const names = []
        for await (const e of fs.ls(CID.parse(d.cid), { signal: AbortSignal.timeout(120_000) })) names.push(e.name)
        names.sort()
        const want = [...d.names].sort()
        if (JSON.stringify(names) !== JSON.stringify(want)) fail(`ls ${d.cid}: ${names.length} entries, want ${want.length}`)
        else console.log(`ls ok ${d.cid} ${names.length} entries`)
      } catch (e) {
        fail(`ls ${d.cid}: ${e.stack ?? e}`)
      }
    }
    await helia.stop()
  }
  // 3. DONT_HAVE for a CID we do not hold, asserted on the wire
  try {
    await checkDontHave(target, spec.missing)
  } catch (e) {
    fail(`dont-have: ${e.stack ?? e}`)
  }
} else if (mode === 'routing') {
  const [gateway, cid, sha256, size] = args
  // Our delegated-routing endpoint is Helia's only router (Helia routers name providers by CID): the ones it names are merged into the
  // peer store by Helia and dialed by its bitswap sessions.
  const client = delegatedRoutingV1HttpApiClient({ url: gateway })({ logger: defaultLogger() })
  await client.start?.()
  const helia = await heliaNode()
  helia.addRouter({
    name: 'vrn-delegated-routing',
    async * findProviders (c, options) {
      for await (const r of client.getProviders(c, options)) {
        yield { id: typeof r.ID?.toCID === 'function' ? r.ID.toCID() : r.ID, multiaddrs: r.Addrs ?? [], routing: 'delegated-http-routing-v1' }
      }
    }
  })
  const fs = unixfs(helia)
  let found = 0
  for await (const p of helia.routing.findProviders(CID.parse(cid), { signal: AbortSignal.timeout(30_000) })) {
    found++
    console.log(`routing found ${peerIdFromCID(p.id)} ${p.multiaddrs.map(String).join(' ')}`)
  }
  if (found === 0) fail(`routing: no provider for ${cid}`)
  await checkFile(fs, { cid, sha256, size: Number(size) }, 'routing')
  await helia.stop()
  await client.stop?.()
} else {
  console.error('usage: helia-bitswap.mjs direct <multiaddr> <spec.json> | routing <gatewayUrl> <cid> <sha256> <size>')
  process.exit(2)
}
process.exit(failures === 0 ? 0 : 1)
