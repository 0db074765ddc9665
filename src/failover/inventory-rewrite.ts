/**
 * Step 8's inventory rewrite: `active` becomes the target and the old host takes the target's
 * place among the standbys. Only those two scalars are replaced, at their positions in the text
 * (found through yaml's parser), so every comment, quote and space stays as the operator wrote it
 * and the change reviews as a two-line diff. Pure.
 */
import { isScalar, isSeq, parseDocument, type Scalar } from 'yaml';

export class RewriteError extends Error {}

export function rewriteActive(text: string, identity: string, from: string, to: string): string {
  const doc = parseDocument(text);
  const active = doc.getIn(['validators', identity, 'active'], true);
  if (!isScalar(active)) throw new RewriteError(`validators.${identity}.active is missing`);
  if (active.value === to) return text; // already recorded (a resumed record step)
  if (active.value !== from)
    throw new RewriteError(
      `validators.${identity}.active is ${JSON.stringify(active.value)}, not ${from}: the file changed since the failover started`,
    );
  const standby = doc.getIn(['validators', identity, 'standby'], true);
  if (!isSeq(standby)) throw new RewriteError(`validators.${identity}.standby is not a list`);
  const item = standby.items.find((i): i is Scalar => isScalar(i) && i.value === to);
  if (!item) throw new RewriteError(`${to} is not among validators.${identity}.standby`);
  // Later position first, so the earlier range stays valid.
  const edits = [
    { range: active.range!, value: to },
    { range: item.range!, value: from },
  ].sort((a, b) => b.range[0] - a.range[0]);
  let out = text;
  for (const e of edits) out = out.slice(0, e.range[0]) + e.value + out.slice(e.range[1]);
  return out;
}
