// Bitswap throughput: the same Helia client fetches one UnixFS file from vrn and from a Helia node
// serving the same blocks, in the same run. Modes:
//   gen <bytes> <out.car>                 builds a UnixFS file (ipfs-unixfs-importer defaults) from
//                                         pseudo-random bytes, writes its blocks as a CAR, prints the root
//   fetch <vrnMultiaddr> <root> <file.car> [rounds]
//                                         starts a Helia server holding the CAR's blocks, then per round
//                                         a fresh client (TCP + Noise + Yamux only) fetches the file from
//                                         vrn and another fresh client from Helia; prints one JSON line
//                                         per fetch and a summary line
import { createWriteStream, createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { createHeliaLight } from 'helia'
import { withLibp2pLight } from '@helia/libp2p'
import { withBitswap } from '@helia/bitswap'
import { unixfs } from '@helia/unixfs'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { importer } from 'ipfs-unixfs-importer'
import { CarWriter, CarBlockIterator } from '@ipld/car'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'

const [mode, ...args] = process.argv.slice(2)

async function heliaNode () {
  const helia = withBitswap(withLibp2pLight(createHeliaLight({}), {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    services: { identify: identify() }
  }))
  await helia.start()
  return helia
}

if (mode === 'gen') {
  const [size, out] = [Number(args[0]), args[1]]
  // The importer only puts blocks; keep them in write order with their real CIDs.
  const blocks = new Map()
  const store = {
    async put (cid, bytes) { blocks.set(cid.toString(), { cid, bytes }); return cid },
    async has (cid) { return blocks.has(cid.toString()) },
    async get (cid) { return blocks.get(cid.toString()).bytes }
  }
  let x = 0x9e3779b9
  async function * content () {
    for (let off = 0; off < size; off += 1 << 20) {
      const n = Math.min(1 << 20, size - off)
      const b = new Uint8Array(n)
      for (let i = 0; i < n; i += 4) { // xorshift32, 4 bytes at a time
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5
        b[i] = x; b[i + 1] = x >>> 8; b[i + 2] = x >>> 16; b[i + 3] = x >>> 24
      }
      yield b
    }
  }
  let root
  for await (const e of importer([{ content: content() }], store)) root = e.cid
  const { writer, out: carOut } = CarWriter.create([root])
  const done = new Promise((resolve, reject) => Readable.from(carOut).pipe(createWriteStream(out)).on('finish', resolve).on('error', reject))
  for (const b of blocks.values()) await writer.put(b)
  await writer.close()
  await done
  console.log(root.toString())
} else if (mode === 'fetch') {
  const [target, rootText, car, roundsText] = args
  const root = CID.parse(rootText)
  const rounds = Number(roundsText ?? 1)
  const server = await heliaNode()
  let size = 0
  for await (const { cid, bytes } of await CarBlockIterator.fromIterable(createReadStream(car))) {
    await server.blockstore.put(cid, bytes)
  }
  const heliaAddr = server.libp2p.getMultiaddrs()[0]
  const results = { vrn: [], helia: [] }
  for (let r = 0; r < rounds; r++) {
    for (const [name, addr] of [['vrn', multiaddr(target)], ['helia', heliaAddr]]) {
      const client = await heliaNode()
      await client.libp2p.dial(addr)
      const start = process.hrtime.bigint()
      size = 0
      for await (const chunk of unixfs(client).cat(root, { signal: AbortSignal.timeout(600_000) })) size += chunk.length
      const secs = Number(process.hrtime.bigint() - start) / 1e9
      results[name].push(secs)
      console.log(JSON.stringify({ server: name, round: r, bytes: size, seconds: +secs.toFixed(2), MiBps: +(size / 1048576 / secs).toFixed(1) }))
      await client.stop()
    }
  }
  const best = (a) => Math.min(...a)
  console.log(JSON.stringify({ summary: true, bytes: size, vrnBestSeconds: +best(results.vrn).toFixed(2), heliaBestSeconds: +best(results.helia).toFixed(2), speedup: +(best(results.helia) / best(results.vrn)).toFixed(2) }))
  await server.stop()
  process.exit(0)
} else {
  console.error('usage: bitswap-bench.mjs gen <bytes> <out.car> | fetch <vrnMultiaddr> <root> <file.car> [rounds]')
  process.exit(2)
}
