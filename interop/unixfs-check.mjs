// Cross-checks a UnixFS CAR that vrn packed (`vrn car pack`) against the JS reference stack.
// Usage: node unixfs-check.mjs CAR SOURCE PROFILE [roots-only]
//   CAR     the CARv1 vrn wrote
//   SOURCE  the file or directory vrn packed (hidden names skipped, symlinks kept, as vrn does),
//           or gen:N for a generated directory "d" of N files f-00000… each holding "x"
//   PROFILE unixfs-v1-2025 | unixfs-v0-2015
//   roots-only  skip step 2 (for big directories whose only question is the root)
// Checks, printing one JSON line {"carRoot","exported","importerRoot","blocks"}:
//   1. @ipld/car reads the CAR, its single root is a CID, every block hashes to its CID;
//   2. ipfs-unixfs-exporter walks the DAG from that root and every file, directory entry and
//      symlink equals SOURCE;
//   3. ipfs-unixfs-importer, given the same SOURCE with the same profile, yields the same root.
// Exits 1 with a reason on the first difference.
import { CarReader } from '@ipld/car'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { exporter } from 'ipfs-unixfs-exporter'
import { importer } from 'ipfs-unixfs-importer'
import { sha256 } from 'multiformats/hashes/sha2'
import { equals } from 'multiformats/bytes'
import fs from 'node:fs'
import path from 'node:path'

const [car, source, profile, mode] = process.argv.slice(2)
const fail = (msg) => { console.error(`unixfs-check: ${msg}`); process.exit(1) }

// 1. read and verify the CAR
const reader = await CarReader.fromBytes(fs.readFileSync(car))
const roots = await reader.getRoots()
if (roots.length !== 1) fail(`expected one root, got ${roots.length}`)
const store = new MemoryBlockstore()
let blocks = 0
for await (const { cid, bytes } of reader.blocks()) {
  if (cid.multihash.code !== sha256.code) fail(`block ${cid} is not sha2-256`)
  const digest = await sha256.digest(bytes)
  if (!equals(digest.digest, cid.multihash.digest)) fail(`block ${cid} does not hash to its CID`)
  await store.put(cid, bytes)
  blocks++
}

// 2. export and compare with the source tree
const isHidden = (name) => name.startsWith('.')
let exported = 0
async function compare (cid, p, rel) {
  const entry = await exporter(cid, store)
  const st = fs.lstatSync(p)
  if (st.isSymbolicLink()) {
    // the exporter does not follow symlinks; read the UnixFS node's target
    const target = fs.readlinkSync(p)
    const got = Buffer.from(entry.unixfs?.data ?? []).toString('utf8')
    if (entry.unixfs?.type !== 'symlink' || got !== target) fail(`${rel}: symlink ${got} != ${target}`)
  } else if (st.isDirectory()) {
    if (entry.type !== 'directory') fail(`${rel}: expected a directory, got ${entry.type}`)
    const want = fs.readdirSync(p).filter(n => !isHidden(n)).sort()
    const got = []
    for await (const child of entry.entries()) got.push(child)
    const names = got.map(c => c.name).sort()
    if (JSON.stringify(names) !== JSON.stringify(want)) fail(`${rel}: entries ${names.length} differ from ${want.length} on disk`)
    for (const child of got) await compare(child.cid, path.join(p, child.name), rel + '/' + child.name)
  } else {
    if (entry.type !== 'file' && entry.type !== 'raw') fail(`${rel}: expected a file, got ${entry.type}`)
    const parts = []
    for await (const chunk of entry.content()) parts.push(chunk)
    if (!equals(Buffer.concat(parts), fs.readFileSync(p))) fail(`${rel}: bytes differ`)
  }
  exported++
}
const gen = source.startsWith('gen:') ? Number(source.slice(4)) : -1
const genName = (i) => 'f-' + String(i).padStart(5, '0')
if (gen >= 0 && mode !== 'roots-only') {
  const entry = await exporter(roots[0], store)
  if (entry.type !== 'directory') fail(`expected a directory, got ${entry.type}`)
  const seen = new Set()
  for await (const child of entry.entries()) {
    const file = await exporter(child.cid, store)
    const parts = []
    for await (const chunk of file.content()) parts.push(chunk)
    if (Buffer.concat(parts).toString() !== 'x') fail(`${child.name}: bytes differ`)
    seen.add(child.name)
  }
  for (let i = 0; i < gen; i++) if (!seen.has(genName(i))) fail(`missing ${genName(i)}`)
  if (seen.size !== gen) fail(`${seen.size} entries, expected ${gen}`)
  exported = seen.size
} else if (mode !== 'roots-only') {
  await compare(roots[0], source, '.')
}

// 3. the reference importer over the same source with the same profile
function * candidates (p, rel) {
  const st = fs.lstatSync(p)
  if (st.isSymbolicLink()) {
    yield { path: rel, link: fs.readlinkSync(p) }
  } else if (st.isDirectory()) {
    yield { path: rel }
    for (const n of fs.readdirSync(p).sort()) {
      if (!isHidden(n)) yield * candidates(path.join(p, n), rel + '/' + n)
    }
  } else {
    yield { path: rel, content: fs.readFileSync(p) }
  }
}
const options = { profile }
let last
const base = path.basename(source)
function * generated (n) {
  yield { path: 'd' }
  for (let i = 0; i < n; i++) yield { path: 'd/' + genName(i), content: Uint8Array.of(0x78) }
}
const input = gen >= 0 ? generated(gen)
  : fs.statSync(source).isDirectory() ? candidates(source, base) : [{ content: fs.readFileSync(source) }]
for await (const entry of importer(input, new MemoryBlockstore(), options)) last = entry
const importerRoot = last.cid.toString()
console.log(JSON.stringify({ carRoot: roots[0].toString(), exported, importerRoot, blocks }))
if (importerRoot !== roots[0].toString()) fail(`importer root ${importerRoot} != CAR root ${roots[0]}`)
