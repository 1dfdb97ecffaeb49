// Independent check of Filecoin retrieval messages that vrn's provider sent in an end-to-end run
// (captured by RetrievalInteropIT): each file is decoded with @ipld/dag-cbor and checked against the
// field lists of filecoin-retrieval.md §2 (QueryResponse), §8.1 (transports) and §3.1/§3.3
// (data-transfer TransferMessage, DealResponse), and must be canonical (re-encoding gives the same bytes).
// Usage: node retrieval-decode.mjs DIR   (files: query-*.cbor, transports-*.cbor, dt-*.cbor)
// Prints "ok FILE <summary>" or "fail FILE <reason>" per file; exit 1 when any failed.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import * as dagCbor from '@ipld/dag-cbor'

const dir = process.argv[2]
let failed = 0

const sameKeys = (o, keys, what) => {
  const got = Object.keys(o).sort()
  const want = [...keys].sort()
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what} keys ${got} != ${want}`)
}
const isUint = (v) => Number.isInteger(v) && v >= 0 || typeof v === 'bigint' && v >= 0n
const check = (cond, msg) => { if (!cond) throw new Error(msg) }
const bigIntBytes = (b, what) => {
  check(b instanceof Uint8Array, `${what} is not bytes`)
  check(b.length === 0 || (b[0] === 0 && b.length > 1 && b[1] !== 0), `${what} is not a non-negative Filecoin BigInt`)
}

function queryResponse (m) {
  sameKeys(m, ['Size', 'Status', 'Message', 'UnsealPrice', 'PieceCIDFound', 'PaymentAddress', 'MinPricePerByte',
    'MaxPaymentInterval', 'MaxPaymentIntervalIncrease'], 'QueryResponse')
  check([0, 1, 2].includes(m.Status), 'Status')
  check([0, 1, 2].includes(m.PieceCIDFound), 'PieceCIDFound')
  check(isUint(m.Size) && isUint(m.MaxPaymentInterval) && isUint(m.MaxPaymentIntervalIncrease), 'uint fields')
  check(typeof m.Message === 'string', 'Message')
  check(m.PaymentAddress instanceof Uint8Array && m.PaymentAddress.length > 1 && m.PaymentAddress[0] <= 4, 'PaymentAddress empty or bad')
  bigIntBytes(m.MinPricePerByte, 'MinPricePerByte')
  bigIntBytes(m.UnsealPrice, 'UnsealPrice')
  return `status ${m.Status}`
}

function transports (m) {
  sameKeys(m, ['Protocols'], 'transports')
  check(Array.isArray(m.Protocols) && m.Protocols.length > 0, 'Protocols')
  for (const p of m.Protocols) {
    sameKeys(p, ['Name', 'Addresses'], 'protocol')
    check(['libp2p', 'bitswap', 'http'].includes(p.Name), `Name ${p.Name}`)
    check(p.Addresses.every((a) => a instanceof Uint8Array && a.length > 2), 'Addresses')
  }
  return m.Protocols.map((p) => p.Name).join(',')
}

function dealResponse (v) {
  sameKeys(v, ['ID', 'Status', 'Message', 'PaymentOwed'], 'DealResponse')
  check(isUint(v.ID), 'DealResponse.ID')
  check([6, 7, 9, 10, 13, 14, 15, 16, 17].includes(v.Status), `DealResponse.Status ${v.Status}`)
  check(typeof v.Message === 'string', 'DealResponse.Message')
  bigIntBytes(v.PaymentOwed, 'PaymentOwed')
  return `deal ${v.Status}`
}

function transferMessage (m) {
  sameKeys(m, ['IsRq', 'Request', 'Response'], 'TransferMessage')
  check(m.IsRq === false, 'a provider sends responses (IsRq false)')
  check(m.Request === null, 'Request must be null')
  const r = m.Response
  sameKeys(r, ['Type', 'Acpt', 'Paus', 'XferID', 'VRes', 'VTyp'], 'TransferResponse')
  check([0, 1, 2, 3, 5, 6].includes(r.Type), `Type ${r.Type}`)
  check(typeof r.Acpt === 'boolean' && typeof r.Paus === 'boolean', 'Acpt/Paus')
  check(isUint(r.XferID), 'XferID')
  let s = `type ${r.Type} acpt ${r.Acpt} paus ${r.Paus}`
  if (r.VRes === null) {
    check(r.VTyp === '', 'VTyp must be "" without VRes')
  } else {
    check(r.VTyp === 'RetrievalDealResponse/1', `VTyp ${r.VTyp}`)
    s += ' ' + dealResponse(r.VRes)
  }
  return s
}

for (const f of readdirSync(dir).sort()) {
  if (!f.endsWith('.cbor')) continue
  try {
    const bytes = readFileSync(join(dir, f))
    const m = dagCbor.decode(bytes)
    const again = dagCbor.encode(m)
    check(Buffer.compare(Buffer.from(again), bytes) === 0, 'not canonical dag-cbor')
    let summary
    if (f.startsWith('query-')) summary = queryResponse(m)
    else if (f.startsWith('transports-')) summary = transports(m)
    else if (f.startsWith('dt-')) summary = transferMessage(m)
    else throw new Error('unknown file kind')
    console.log(`ok ${f} ${summary}`)
  } catch (e) {
    failed++
    console.log(`fail ${f} ${String(e?.message ?? e).replace(/\s+/g, ' ')}`)
  }
}
process.exit(failed ? 1 : 0)
