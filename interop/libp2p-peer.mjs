// A js-libp2p v3 peer (TCP + Noise + Yamux + identify + ping + an echo protocol) that vrn's
// libp2p interop tests drive. One JSON object per stdout line; it runs until stdin closes.
//
//   node libp2p-peer.mjs listen [keyType]            listen on 127.0.0.1, print {"event":"listening",...}
//   node libp2p-peer.mjs dial <multiaddr> <MiB> [keyType]
//        dial the multiaddr, wait for identify, ping it, echo <MiB> MiB through /vrn/test/echo/1.0.0
//
// keyType: Ed25519 (default), secp256k1, ECDSA or RSA — the identity key the js peer uses.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createHash, randomBytes } from 'node:crypto'

const ECHO = '/vrn/test/echo/1.0.0'
const [mode, ...args] = process.argv.slice(2)
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const hex = (u8) => Buffer.from(u8).toString('hex')

const keyType = mode === 'dial' ? (args[2] ?? 'Ed25519') : (args[0] ?? 'Ed25519')
const privateKey = await generateKeyPair(keyType, keyType === 'RSA' ? 2048 : undefined)

const node = await createLibp2p({
  privateKey,
  addresses: { listen: mode === 'listen' ? ['/ip4/127.0.0.1/tcp/0'] : [] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), ping: ping() }
})

await node.handle(ECHO, async (stream) => {
  try {
    for await (const chunk of stream) {
      if (!stream.send(chunk)) await stream.onDrain()
    }
    await stream.close()
  } catch (err) {
    out({ event: 'error', where: 'echo-handler', message: String(err) })
  }
})

node.addEventListener('peer:identify', async (evt) => {
  const r = evt.detail
  out({
    event: 'identified',
    peer: r.peerId.toString(),
    protocols: r.protocols,
    publicKey: r.publicKey ? hex(r.publicKey) : null,
    agentVersion: r.agentVersion ?? null,
    listenAddrs: r.listenAddrs.map(String),
    observedAddr: r.observedAddr ? r.observedAddr.toString() : null
  })
  if (mode === 'listen') {
    try {
      const rtt = await node.services.ping.ping(r.peerId)
      out({ event: 'ping', peer: r.peerId.toString(), ok: true, rtt })
    } catch (err) {
      out({ event: 'ping', peer: r.peerId.toString(), ok: false, message: String(err) })
    }
  }
})

async function echo (target, mib) {
  const data = randomBytes(mib * 1024 * 1024)
  const stream = await node.dialProtocol(target, ECHO)
  const received = createHash('sha256')
  let count = 0
  const reading = (async () => {
    for await (const chunk of stream) {
      const bytes = chunk.subarray()
      received.update(bytes)
      count += bytes.length
    }
  })()
  for (let off = 0; off < data.length; off += 64 * 1024) {
    if (!stream.send(data.subarray(off, off + 64 * 1024))) await stream.onDrain()
  }
  await stream.close()
  await reading
  const sent = createHash('sha256').update(data).digest('hex')
  const got = received.digest('hex')
  return { bytes: count, ok: count === data.length && sent === got, sha256: got }
}

if (mode === 'listen') {
  out({ event: 'listening', peerId: node.peerId.toString(), publicKey: hex(publicKeyToProtobuf(node.peerId.publicKey)), addrs: node.getMultiaddrs().map(String) })
} else if (mode === 'dial') {
  const target = multiaddr(args[0])
  const mib = Number(args[1] ?? '1')
  out({ event: 'started', peerId: node.peerId.toString() })
  const identified = new Promise((resolve) => node.addEventListener('peer:identify', resolve, { once: true }))
  await node.dial(target)
  await identified
  try {
    const rtt = await node.services.ping.ping(target)
    out({ event: 'ping', ok: true, rtt })
  } catch (err) {
    out({ event: 'ping', ok: false, message: String(err) })
  }
  try {
    out({ event: 'echo', ...(await echo(target, mib)) })
  } catch (err) {
    out({ event: 'echo', ok: false, message: String(err) })
  }
  out({ event: 'done' })
} else {
  console.error('usage: libp2p-peer.mjs listen | dial <multiaddr> <MiB>')
  process.exit(2)
}

// stay up until the test closes stdin, so the Java side can identify, ping and echo us
process.stdin.resume()
process.stdin.on('end', async () => {
  await node.stop()
  process.exit(0)
})
