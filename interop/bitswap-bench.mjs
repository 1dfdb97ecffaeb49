// Bitswap throughput: the same Helia client fetches one UnixFS file from vrn and from a Helia node
// serving the same blocks, in the same run. Modes:
//   gen <bytes> <out.car>                 builds a UnixFS file (ipfs-unixfs-importer defaults) from
//                                         pseudo-random bytes, writes its blocks as a CAR, prints the root
//   serve <file.car>                      a Helia node holding the CAR's blocks (own process); prints
//                                         its multiaddr and serves until stdin closes
//   fetch <vrnAddr> <heliaAddr> <root> [rounds] [vrnPid] [heliaPid]
//                                         per round a fresh client (TCP + Noise + Yamux only) fetches
//                                         the file from vrn, then another fresh client from Helia
//                                         (after one uncounted warm-up round);
//                                         prints one JSON line per fetch (with each server's CPU
//                                         seconds during it) and a summary line (medians)
import { createWriteStream, createReadStream, readFileSync, writeFileSync } from 'node:fs'
import inspector from 'node:inspector/promises'
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
} else if (mode === 'serve') {
  // A Helia node holding the CAR's blocks, in its own process (so its CPU time can be measured
  // apart from the client's); prints its multiaddr, serves until stdin closes.
  const [car] = args
  const server = await heliaNode()
  for await (const { cid, bytes } of await CarBlockIterator.fromIterable(createReadStream(car))) {
    await server.blockstore.put(cid, bytes)
  }
  console.log(server.libp2p.getMultiaddrs()[0].toString())
  process.stdin.resume()
  process.stdin.on('end', async () => { await server.stop(); process.exit(0) })
} else if (mode === 'fetch') {
  // fetch <vrnAddr> <heliaAddr> <root> [rounds] [vrnPid] [heliaPid]: per round a fresh client
  // fetches from each; with the server pids, their CPU seconds (utime + stime from /proc) during
  // each fetch are reported too. BENCH_CPU_PROF=DIR writes a V8 CPU profile of the client per fetch.
  const [vrnAddr, heliaAddr, rootText, roundsText, vrnPid, heliaPid] = args
  const root = CID.parse(rootText)
  const rounds = Number(roundsText ?? 1)
  const profDir = process.env.BENCH_CPU_PROF
  const cpuOf = (pid) => {
    if (pid == null) return NaN
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ')
    return (Number(rest[11]) + Number(rest[12])) / 100 // utime + stime, in clock ticks of 1/100 s
  }
  let session
  if (profDir != null) {
    session = new inspector.Session()
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 200 })
  }
  let size = 0
  const results = { vrn: [], helia: [] }
  // Round -1 warms both servers up (JIT) and is not counted.
  for (let r = -1; r < rounds; r++) {
    for (const [name, addr, pid] of [['vrn', vrnAddr, vrnPid], ['helia', heliaAddr, heliaPid]]) {
      const client = await heliaNode()
      await client.libp2p.dial(multiaddr(addr))
      if (session != null && r >= 0) await session.post('Profiler.start')
      const cpu0 = cpuOf(pid)
      const own0 = process.cpuUsage()
      const start = process.hrtime.bigint()
      size = 0
      for await (const chunk of unixfs(client).cat(root, { signal: AbortSignal.timeout(600_000) })) size += chunk.length
      const secs = Number(process.hrtime.bigint() - start) / 1e9
      const serverCpu = cpuOf(pid) - cpu0
      const own = process.cpuUsage(own0)
      if (session != null && r >= 0) {
        const { profile } = await session.post('Profiler.stop')
        writeFileSync(`${profDir}/client-${name}-${r}.cpuprofile`, JSON.stringify(profile))
      }
      const rec = { server: name, round: r, bytes: size, seconds: +secs.toFixed(2), MiBps: +(size / 1048576 / secs).toFixed(1), serverCpuSeconds: +serverCpu.toFixed(2), clientCpuSeconds: +((own.user + own.system) / 1e6).toFixed(2) }
      if (r >= 0) results[name].push(rec)
      console.log(JSON.stringify(r < 0 ? { warmup: true, ...rec } : rec))
      await client.stop()
    }
  }
  const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[(s.length - 1) >> 1] }
  const m = (name, key) => median(results[name].map(x => x[key]))
  const per256 = (name) => m(name, 'serverCpuSeconds') * (268435456 / size)
  console.log(JSON.stringify({
    summary: true,
    bytes: size,
    vrnMedianSeconds: m('vrn', 'seconds'),
    heliaMedianSeconds: m('helia', 'seconds'),
    speedup: +(m('helia', 'seconds') / m('vrn', 'seconds')).toFixed(2),
    vrnServerCpuSecondsPer256MiB: +per256('vrn').toFixed(2),
    heliaServerCpuSecondsPer256MiB: +per256('helia').toFixed(2),
    serverCpuRatio: +(per256('helia') / per256('vrn')).toFixed(2),
    vrnClientCpuSeconds: m('vrn', 'clientCpuSeconds'),
    heliaClientCpuSeconds: m('helia', 'clientCpuSeconds')
  }))
  process.exit(0)
} else {
  console.error('usage: bitswap-bench.mjs gen <bytes> <out.car> | serve <file.car> | fetch <vrnAddr> <heliaAddr> <root> [rounds] [vrnPid] [heliaPid]')
  process.exit(2)
}
