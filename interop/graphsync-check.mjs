// Independent check of graphsync 2.0.0 messages vrn sent, with @ipld/dag-cbor and multiformats.
// Usage: node graphsync-check.mjs FILE
//   FILE holds one framed message per line as hex (unsigned-varint length + dag-cbor body), as
//   captured on the wire. For each line this prints "ok <summary>" when the frame length is right,
//   the body is canonical dag-cbor (decode + encode gives the same bytes) and every field matches
//   go-graphsync's schema (message/ipldbind/schema.ipldsch); otherwise "bad <reason>".
import { readFileSync } from 'node:fs'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'

const STATUSES = new Set([10, 11, 12, 13, 14, 15, 20, 21, 30, 31, 32, 33, 34, 35])
const ACTIONS = new Set(['p', 'm', 'd', 's'])
const isBytes = (b) => b instanceof Uint8Array
const isMap = (m) => m !== null && typeof m === 'object' && !Array.isArray(m) && !isBytes(m) && !CID.asCID(m)

function readVarint (bytes, at) {
  let n = 0; let shift = 0; let i = at
  for (;;) {
    const b = bytes[i++]
    n += (b & 0x7f) * 2 ** shift
    if ((b & 0x80) === 0) return [n, i - at]
    shift += 7
  }
}

function keysOnly (m, allowed, what) {
  for (const k of Object.keys(m)) if (!allowed.includes(k)) throw new Error(`${what}: unexpected key ${k}`)
}

async function check (hex) {
  const framed = Buffer.from(hex, 'hex')
  const [len, n] = readVarint(framed, 0)
  if (framed.length - n !== len) throw new Error(`frame says ${len} bytes, has ${framed.length - n}`)
  if (len > 4 * 1024 * 1024) throw new Error('message over 4 MiB')
  const body = framed.subarray(n)
  const msg = dagCbor.decode(body)
  if (Buffer.compare(Buffer.from(dagCbor.encode(msg)), body) !== 0) throw new Error('not canonical dag-cbor')
  keysOnly(msg, ['gs2'], 'root')
  const gs = msg.gs2
  if (!isMap(gs)) throw new Error('gs2 is not a map')
  keysOnly(gs, ['blk', 'req', 'rsp'], 'gs2')
  const summary = []
  const blocks = new Map()
  for (const b of gs.blk ?? []) {
    if (!Array.isArray(b) || b.length !== 2 || !isBytes(b[0]) || !isBytes(b[1])) throw new Error('block is not [bytes, bytes]')
    let at = 0
    const pre = []
    for (let i = 0; i < 4; i++) { const [v, k] = readVarint(b[0], at); pre.push(v); at += k }
    if (at !== b[0].length) throw new Error('trailing bytes in block prefix')
    const [version, codec, mh, dlen] = pre
    if (mh !== 0x12 || dlen !== 32) throw new Error(`unexpected hash ${mh}/${dlen}`)
    const digest = await sha256.digest(b[1])
    const cid = version === 0 ? CID.createV0(digest) : CID.createV1(codec, digest)
    blocks.set(cid.toString(), b[1])
  }
  if (gs.blk) summary.push(`blk=${gs.blk.length}`)
  for (const r of gs.req ?? []) {
    keysOnly(r, ['id', 'type', 'pri', 'root', 'sel', 'ext'], 'request')
    if (!isBytes(r.id) || r.id.length !== 16) throw new Error('request id is not 16 bytes')
    if (!['n', 'c', 'u'].includes(r.type)) throw new Error(`request type ${r.type}`)
    if (r.type === 'n' && (!CID.asCID(r.root) || !isMap(r.sel))) throw new Error('new request without root/sel')
    if (r.type === 'c' && Object.keys(r).length !== 2) throw new Error('cancel carries more than id and type')
    if (r.ext !== undefined && !isMap(r.ext)) throw new Error('ext is not a map')
    summary.push(`req=${r.type}`)
  }
  for (const r of gs.rsp ?? []) {
    keysOnly(r, ['reqid', 'stat', 'meta', 'ext'], 'response')
    if (!isBytes(r.reqid) || r.reqid.length !== 16) throw new Error('reqid is not 16 bytes')
    if (!STATUSES.has(r.stat)) throw new Error(`status ${r.stat}`)
    if (r.ext !== undefined && !isMap(r.ext)) throw new Error('ext is not a map')
    const acts = []
    for (const m of r.meta ?? []) {
      if (!Array.isArray(m) || m.length !== 2 || !CID.asCID(m[0]) || !ACTIONS.has(m[1])) throw new Error('metadatum is not [CID, action]')
      acts.push(m[1])
    }
    if (r.meta !== undefined && r.meta.length === 0) throw new Error('empty meta written instead of omitted')
    summary.push(`rsp=${r.stat}:${acts.length}${r.ext ? ':ext=' + Object.keys(r.ext).join('+') : ''}`)
  }
  for (const [cid] of blocks) {
    const announced = (gs.rsp ?? []).some(r => (r.meta ?? []).some(m => m[0].toString() === cid && m[1] === 'p'))
    if (!announced) throw new Error(`block ${cid} without a "p" metadatum in the same message`)
  }
  return summary.join(' ')
}

for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line.trim()) continue
  try {
    console.log(`ok ${await check(line.trim())}`)
  } catch (e) {
    console.log(`bad ${String(e.message).replace(/\s+/g, ' ')}`)
  }
}
