/**
 * Node references in a Process's config. A field that names a node (a ledger, a primary, the
 * replicas of a group) is declared with `nodeRef()` instead of `z.string()`, so whoever loads the
 * config can find every such field and check it against the nodes that exist: a config naming a
 * node the topology lacks is an error at load time, not a run that quietly goes wrong.
 *
 *   z.object({
 *     ledger: nodeRef({ reserved: 'it keeps the balances; clients talk to the ATMs' }).default('n1'),
 *     voters: z.array(nodeRef()).min(1).optional(),
 *     versions: z.record(nodeRef(), z.string()),   // keys can be node names too
 *   })
 *
 * The mark lives on the schema instance nodeRef() returns (a zod registry) and on what is made from
 * it: wrap it (optional, default, array, record, object, union) or refine it (.min(), .refine()).
 * `nodeRefsIn(schema, parsed)` walks a parsed config alongside its schema and lists every node name
 * it holds, with its path.
 */
import { z } from 'zod';

export interface NodeRefMeta {
  /**
   * Clients must never be placed on this node, and why (the ledger, a lock server, a database behind
   * a proxy: nodes that refuse client requests or would serve them around the design under test).
   */
  reserved?: string;
}

/** The schemas that name nodes, with what their Process says about them. */
export const nodeRefs = z.registry<NodeRefMeta>();

const nodeNamePattern = /^[A-Za-z0-9_.-]+$/;

/** A config field holding a node's name (see the module comment). */
export function nodeRef(meta: NodeRefMeta = {}): z.ZodString {
  const s = z.string().regex(nodeNamePattern, 'a node name of letters, digits, _ . -');
  nodeRefs.add(s, meta);
  return s;
}

export interface FoundNodeRef {
  /** Where in the config, e.g. ['shards', 0, 2] or ['versions', 'n8'] for a record's key. */
  path: (string | number)[];
  id: string;
  meta: NodeRefMeta;
  /** For a record key: the path names the entry whose key is the node. */
  key?: true;
}

/**
 * The mark of a nodeRef() schema, or of one made from it by a refinement (.min(), .refine() clone
 * the schema and remember it as their parent). The registry's own get() will not do: it answers {}
 * for a clone of an unmarked schema, and undefined for a marked one whose metadata is empty.
 */
export function nodeRefMeta(schema: z.core.$ZodType): NodeRefMeta | undefined {
  for (let s: z.core.$ZodType | undefined = schema; s !== undefined; s = s._zod.parent) {
    if (nodeRefs.has(s)) return nodeRefs.get(s) ?? {};
  }
  return undefined;
}

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.core.$ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Every node name a value parsed by `schema` holds, in the order of the schema's fields. The value
 * is expected to be the output of `schema.parse` (a union takes the first option that accepts it).
 */
export function nodeRefsIn(schema: z.core.$ZodType, value: unknown): FoundNodeRef[] {
  const out: FoundNodeRef[] = [];
  walk(schema, value, [], out);
  return out;
}

function walk(schema: z.core.$ZodType, value: unknown, path: (string | number)[], out: FoundNodeRef[]): void {
  if (value === undefined || value === null) return;
  const meta = nodeRefMeta(schema);
  if (meta !== undefined) {
    if (typeof value === 'string') out.push({ path, id: value, meta });
    return;
  }
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return walk(def.innerType as z.core.$ZodType, value, path, out);
    case 'pipe': {
      // A transform's output is not its input's shape: read the refs from the side that matches.
      const outSide = def.out as z.core.$ZodType;
      return walk(defOf(outSide).type === 'transform' ? (def.in as z.core.$ZodType) : outSide, value, path, out);
    }
    case 'lazy':
      return walk((def.getter as () => z.core.$ZodType)(), value, path, out);
    case 'object': {
      if (!isObject(value)) return;
      const shape = def.shape as Record<string, z.core.$ZodType>;
      for (const [k, s] of Object.entries(shape)) walk(s, value[k], [...path, k], out);
      const rest = def.catchall as z.core.$ZodType | undefined;
      if (rest !== undefined) for (const k of Object.keys(value)) if (!(k in shape)) walk(rest, value[k], [...path, k], out);
      return;
    }
    case 'record': {
      if (!isObject(value)) return;
      const keyMeta = nodeRefMeta(def.keyType as z.core.$ZodType);
      for (const [k, v] of Object.entries(value)) {
        if (keyMeta !== undefined) out.push({ path: [...path, k], id: k, meta: keyMeta, key: true });
        walk(def.valueType as z.core.$ZodType, v, [...path, k], out);
      }
      return;
    }
    case 'array':
      if (Array.isArray(value)) value.forEach((x, i) => walk(def.element as z.core.$ZodType, x, [...path, i], out));
      return;
    case 'tuple': {
      if (!Array.isArray(value)) return;
      const items = def.items as z.core.$ZodType[];
      value.forEach((x, i) => {
        const s = i < items.length ? items[i] : (def.rest as z.core.$ZodType | undefined);
        if (s !== undefined) walk(s, x, [...path, i], out);
      });
      return;
    }
    case 'union': {
      const option = (def.options as z.core.$ZodType[]).find((o) => z.safeParse(o, value).success);
      if (option !== undefined) walk(option, value, path, out);
      return;
    }
    case 'intersection':
      walk(def.left as z.core.$ZodType, value, path, out);
      walk(def.right as z.core.$ZodType, value, path, out);
      return;
    default:
      return;
  }
}
