/**
 * An immutable map from strings that keeps insertion order, as `Map` does, and shares structure
 * between versions: `set` and `delete` return a new map in O(log n) and leave the old one as it
 * was. The book's journal-wide maps (positions, execs, summaries, …) were copied whole on each
 * event that touched them, so a rebuild slowed down the longer the journal grew.
 *
 * Two tries hold the same entries: a hash trie (HAMT, 32-way) from key to entry, for lookups, and
 * a 32-way trie by insertion slot, for iteration in insertion order. A delete leaves an empty slot
 * behind; once half the slots are empty the map is laid out afresh (amortized O(1) per delete).
 *
 * ```ts
 * const a = PersistentMap.empty<number>().set("x", 1);
 * const b = a.set("y", 2).delete("x");
 * [...a]; // [["x", 1]]   (a is unchanged)
 * [...b]; // [["y", 2]]
 * ```
 */

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

/** One key's value and where it stands in insertion order; shared by both tries. */
class Entry<V> {
  constructor(
    readonly hash: number,
    readonly key: string,
    readonly value: V,
    readonly slot: number,
  ) {}
}

/** Entries whose keys share all 32 bits of hash. */
class Collision<V> {
  constructor(
    readonly hash: number,
    readonly entries: readonly Entry<V>[],
  ) {}
}

/** A hash trie node: `bitmap` says which of the 32 children exist, `children` holds them densely. */
class Branch<V> {
  constructor(
    readonly bitmap: number,
    readonly children: readonly HashNode<V>[],
  ) {}
}

type HashNode<V> = Branch<V> | Entry<V> | Collision<V>;

/** A node of the slot trie: leaves (level 0) hold entries or holes, inner nodes hold nodes. */
type SlotNode = readonly unknown[];

/**
 * The last key hashed and its hash: a fold asks the same map, or the next map, for the same key
 * several times in a row (has, get, set of one position), each time with a string built anew, and
 * comparing two strings is cheaper than hashing one.
 */
let lastKey = "";
let lastHash = 0x811c9dc5;

/** FNV-1a over UTF-16 code units (exported for the tests, which need keys that collide). */
export function keyHash(key: string): number {
  if (key === lastKey) return lastHash;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  lastKey = key;
  lastHash = h;
  return h;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

function find<V>(root: HashNode<V> | null, hash: number, key: string): Entry<V> | undefined {
  let node = root;
  let shift = 0;
  while (node !== null) {
    if (node instanceof Branch) {
      const bit = 1 << ((hash >>> shift) & MASK);
      if ((node.bitmap & bit) === 0) return undefined;
      node = node.children[popcount(node.bitmap & (bit - 1))]!;
      shift += BITS;
    } else if (node instanceof Entry) {
      return node.key === key ? node : undefined;
    } else {
      if (node.hash !== hash) return undefined;
      for (const entry of node.entries) if (entry.key === key) return entry;
      return undefined;
    }
  }
  return undefined;
}

const withChild = <T>(items: readonly T[], at: number, item: T): T[] => {
  const copy = items.slice();
  copy[at] = item;
  return copy;
};

const inserted = <T>(items: readonly T[], at: number, item: T): T[] => [
  ...items.slice(0, at),
  item,
  ...items.slice(at),
];

const removed = <T>(items: readonly T[], at: number): T[] => [...items.slice(0, at), ...items.slice(at + 1)];

/** A branch (or chain of branches) holding two nodes of different hashes, from `shift` down. */
function split<V>(a: Entry<V> | Collision<V>, b: Entry<V>, shift: number): Branch<V> {
  const ia = (a.hash >>> shift) & MASK;
  const ib = (b.hash >>> shift) & MASK;
  if (ia === ib) return new Branch(1 << ia, [split(a, b, shift + BITS)]);
  return new Branch((1 << ia) | (1 << ib), ia < ib ? [a, b] : [b, a]);
}

/** `node` with `entry` in place of its key's entry, or added. */
function put<V>(node: HashNode<V> | null, entry: Entry<V>, shift: number): HashNode<V> {
  if (node === null) return entry;
  if (node instanceof Branch) {
    const bit = 1 << ((entry.hash >>> shift) & MASK);
    const at = popcount(node.bitmap & (bit - 1));
    if ((node.bitmap & bit) === 0) return new Branch(node.bitmap | bit, inserted(node.children, at, entry));
    return new Branch(
      node.bitmap,
      withChild(node.children, at, put(node.children[at]!, entry, shift + BITS)),
    );
  }
  if (node instanceof Entry) {
    if (node.key === entry.key) return entry;
    if (node.hash === entry.hash) return new Collision(node.hash, [node, entry]);
    return split(node, entry, shift);
  }
  if (node.hash !== entry.hash) return split(node, entry, shift);
  const at = node.entries.findIndex((e) => e.key === entry.key);
  return new Collision(node.hash, at < 0 ? [...node.entries, entry] : withChild(node.entries, at, entry));
}

/** `node` without `key` (null when nothing is left); `node` itself when it does not hold the key. */
function remove<V>(node: HashNode<V>, hash: number, key: string, shift: number): HashNode<V> | null {
  if (node instanceof Branch) {
    const bit = 1 << ((hash >>> shift) & MASK);
    if ((node.bitmap & bit) === 0) return node;
    const at = popcount(node.bitmap & (bit - 1));
    const child = node.children[at]!;
    const next = remove(child, hash, key, shift + BITS);
    if (next === child) return node;
    if (next !== null) {
      // A lone entry or collision moves up (its place depends only on its hash); a branch cannot.
      if (node.children.length === 1 && !(next instanceof Branch)) return next;
      return new Branch(node.bitmap, withChild(node.children, at, next));
    }
    if (node.children.length === 1) return null;
    const children = removed(node.children, at);
    if (children.length === 1 && !(children[0] instanceof Branch)) return children[0]!;
    return new Branch(node.bitmap & ~bit, children);
  }
  if (node instanceof Entry) return node.key === key ? null : node;
  if (node.hash !== hash) return node;
  const at = node.entries.findIndex((e) => e.key === key);
  if (at < 0) return node;
  const rest = removed(node.entries, at);
  return rest.length === 1 ? rest[0]! : new Collision(node.hash, rest);
}

/** The slot trie with `value` at `slot` (the trie is deep enough; missing nodes are made). */
function placed(node: SlotNode | undefined, shift: number, slot: number, value: unknown): SlotNode {
  const copy = node === undefined ? [] : node.slice();
  const at = (slot >>> shift) & MASK;
  copy[at] = shift === 0 ? value : placed(copy[at] as SlotNode | undefined, shift - BITS, slot, value);
  return copy;
}

/** The leaf of the slot trie that holds `slot`. */
function leafOf(root: SlotNode, shift: number, slot: number): SlotNode {
  let node = root;
  for (let s = shift; s > 0; s -= BITS) node = node[(slot >>> s) & MASK] as SlotNode;
  return node;
}

const EMPTY_ROOT: SlotNode = [];

/** An immutable, insertion-ordered map from strings (see the file's comment). */
export class PersistentMap<V> implements ReadonlyMap<string, V> {
  // Private fields: an equality check (vitest's toEqual) compares what the map holds, in order,
  // not how its tries happen to be shaped after different histories.
  readonly #hashRoot: HashNode<V> | null;
  readonly #slotRoot: SlotNode;
  /** Bits below the slot trie's root: 0 while it is one leaf. */
  readonly #slotShift: number;
  /** Slots used, holes included. */
  readonly #slots: number;
  readonly #size: number;

  private constructor(
    hashRoot: HashNode<V> | null,
    slotRoot: SlotNode,
    slotShift: number,
    slots: number,
    size: number,
  ) {
    this.#hashRoot = hashRoot;
    this.#slotRoot = slotRoot;
    this.#slotShift = slotShift;
    this.#slots = slots;
    this.#size = size;
  }

  static #EMPTY = new PersistentMap<never>(null, EMPTY_ROOT, 0, 0, 0);

  /** The empty map (one shared value). */
  static empty<V>(): PersistentMap<V> {
    return PersistentMap.#EMPTY;
  }

  /** A map of `entries`, in their order (a later duplicate key replaces the value, keeping the place). */
  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let map = PersistentMap.empty<V>();
    for (const [key, value] of entries) map = map.set(key, value);
    return map;
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): V | undefined {
    return find(this.#hashRoot, keyHash(key), key)?.value;
  }

  has(key: string): boolean {
    return find(this.#hashRoot, keyHash(key), key) !== undefined;
  }

  /** A map with `key` set to `value`: a new key goes last, a present one keeps its place (as `Map`). */
  set(key: string, value: V): PersistentMap<V> {
    const hash = keyHash(key);
    const old = find(this.#hashRoot, hash, key);
    if (old !== undefined) {
      // Object.is, not ===: a -0 replacing a 0 is a change, as in a Map.
      if (Object.is(old.value, value)) return this;
      const entry = new Entry(hash, key, value, old.slot);
      return new PersistentMap(
        put(this.#hashRoot, entry, 0),
        placed(this.#slotRoot, this.#slotShift, old.slot, entry),
        this.#slotShift,
        this.#slots,
        this.#size,
      );
    }
    const slot = this.#slots;
    let root = this.#slotRoot;
    let shift = this.#slotShift;
    // Full at this depth: the old root becomes the first child of a new one.
    if (slot === WIDTH << shift) {
      root = [root];
      shift += BITS;
    }
    const entry = new Entry(hash, key, value, slot);
    return new PersistentMap(
      put(this.#hashRoot, entry, 0),
      placed(root, shift, slot, entry),
      shift,
      slot + 1,
      this.#size + 1,
    );
  }

  /** A map without `key` (this map when it has none). */
  delete(key: string): PersistentMap<V> {
    const hash = keyHash(key);
    const old = find(this.#hashRoot, hash, key);
    if (old === undefined || this.#hashRoot === null) return this;
    if (this.#size === 1) return PersistentMap.empty();
    const hashRoot = remove(this.#hashRoot, hash, key, 0);
    const slotRoot = placed(this.#slotRoot, this.#slotShift, old.slot, undefined);
    const map = new PersistentMap(hashRoot, slotRoot, this.#slotShift, this.#slots, this.#size - 1);
    // Mostly holes: lay the entries out afresh, so iteration and memory follow the size.
    return map.#size * 2 < map.#slots && map.#slots > WIDTH ? PersistentMap.from(map) : map;
  }

  /** The slot trie's leaves in order; a leaf holds its slots and no more (holes are undefined). */
  *#leaves(): Generator<readonly (Entry<V> | undefined)[], undefined, unknown> {
    for (let base = 0; base < this.#slots; base += WIDTH)
      yield leafOf(this.#slotRoot, this.#slotShift, base) as readonly (Entry<V> | undefined)[];
    return undefined;
  }

  // Each kind walks the leaves itself: one generator step per entry, not two (a generator of
  // entries under each was ~15 % slower to iterate in a micro-benchmark).
  *entries(): MapIterator<[string, V]> {
    for (const leaf of this.#leaves()) for (const e of leaf) if (e !== undefined) yield [e.key, e.value];
    return undefined;
  }

  *keys(): MapIterator<string> {
    for (const leaf of this.#leaves()) for (const e of leaf) if (e !== undefined) yield e.key;
    return undefined;
  }

  *values(): MapIterator<V> {
    for (const leaf of this.#leaves()) for (const e of leaf) if (e !== undefined) yield e.value;
    return undefined;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const leaf of this.#leaves())
      for (const e of leaf) if (e !== undefined) callback.call(thisArg, e.value, e.key, this);
  }
}
