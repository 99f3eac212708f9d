import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { nodeRef, nodeRefsIn } from './node-ref.js';

const found = (schema: z.ZodType, input: unknown) => nodeRefsIn(schema, schema.parse(input)).map((r) => [r.path.join('.'), r.id, r.key === true, r.meta.reserved ?? null]);

test('nodeRefsIn finds node names through defaults, optionals, arrays, records, unions and extends', () => {
  const leg = z.object({ kind: z.literal('leg'), at: nodeRef() }).strict();
  const schema = z
    .object({
      ledger: nodeRef({ reserved: 'keeps balances' }).default('n1'),
      voters: z.array(nodeRef()).min(1).optional(),
      groups: z.array(z.array(nodeRef()).min(1)).default([['a1', 'a2']]),
      versions: z.record(nodeRef(), z.string()).default({}),
      shards: z.record(z.string(), nodeRef()).default({}),
      hop: z.union([leg, z.object({ kind: z.literal('none') }).strict()]).optional(),
      label: z.string().default('not a node'),
    })
    .strict()
    .superRefine(() => {});
  assert.deepEqual(found(schema, { voters: ['n2', 'n3'], versions: { n8: 'v1' }, shards: { us: 'n4' }, hop: { kind: 'leg', at: 'n5' } }), [
    ['ledger', 'n1', false, 'keeps balances'],
    ['voters.0', 'n2', false, null],
    ['voters.1', 'n3', false, null],
    ['groups.0.0', 'a1', false, null],
    ['groups.0.1', 'a2', false, null],
    ['versions.n8', 'n8', true, null],
    ['shards.us', 'n4', false, null],
    ['hop.at', 'n5', false, null],
  ]);
  const extended = schema.extend({ extra: nodeRef() });
  assert.deepEqual(found(extended, { extra: 'n9' }).at(-1), ['extra', 'n9', false, null]);
  assert.deepEqual(found(schema, { hop: { kind: 'none' } }).map((r) => r[0]), ['ledger', 'groups.0.0', 'groups.0.1']);
});

test('nodeRef accepts only node-like names, and keeps its mark when refined', () => {
  assert.equal(nodeRef().safeParse('n1').success, true);
  assert.equal(nodeRef().safeParse('two words').success, false);
  const refined = z.object({ at: nodeRef().min(2), plain: z.string().min(2) });
  assert.deepEqual(nodeRefsIn(refined, { at: 'n1', plain: 'n2' }).map((r) => r.id), ['n1'], 'a refined nodeRef keeps its mark; a refined string gets none');
});
