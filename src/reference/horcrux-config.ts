/**
 * What horcrux v3.3.2 refuses in <home>/config.yaml, in its own words (docs/reference/horcrux.md,
 * each rule with its source file and line): unknown keys are ignored (yaml.v2, not strict), but
 * `start` runs ValidateThresholdModeConfig (signer/config.go) and refuses a legacy file, a sign
 * mode it does not know, a threshold that is not a strict majority, shard ids out of 1..n,
 * duplicate ids, a cosigner address without a scheme or port, or 0.0.0.0. The tests hold stake's
 * render to it; the lab's simulated cosigner refuses the same. Pure.
 */
import { parse as parseYaml } from 'yaml';
import { isObject } from '../observe/json-fields.js';

export interface HorcruxVerdict {
  refusal?: string;
  threshold: number;
  cosigners: { shardId: number; p2pAddr: string }[];
  chainNodes: string[];
  keyDir?: string;
}

/** A Go duration as time.ParseDuration takes it (units ns us µs ms s m h, one or more parts). */
const GO_DURATION = /^[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$|^0$/;

/** host:port of a cosigner's tcp://host:port, as Go's url.Parse and net.SplitHostPort see it. */
function hostPort(addr: string): { host: string; port: string } | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(addr);
  if (!m) return undefined;
  const hp = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d*)$/.exec(m[1]!);
  return hp ? { host: hp[1] ?? hp[2] ?? '', port: hp[3]! } : undefined;
}

/**
 * Checks a config.yaml as `horcrux start` reads it, for the cosigner whose ECIES key has this id
 * (its own shard id, from ecies_keys.json).
 */
export function checkHorcruxConfig(text: string, ownShardId?: number): HorcruxVerdict {
  const verdict: HorcruxVerdict = { threshold: 0, cosigners: [], chainNodes: [] };
  const refuse = (why: string): HorcruxVerdict => ({ ...verdict, refusal: why });
  let doc: unknown;
  try {
    // yaml.v3 under viper refuses duplicate keys; yaml.v2 then reads the rest loosely
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    // viper's read error: horcrux carries on with an empty config, whose sign mode is nothing
    return refuse(`no config exists at default location ${(err as Error).message.split('\n')[0]}`);
  }
  const cfg = isObject(doc) ? doc : {};
  if (typeof cfg['chain-id'] === 'string' && cfg['chain-id'] !== '')
    return refuse('this is a legacy config. run `horcrux config migrate` to migrate to the latest format');
  if (cfg.signMode !== 'threshold')
    return refuse(
      cfg.signMode === 'single'
        ? 'risk not accepted. --accept-risk flag required to run single signer mode'
        : `unexpected sign mode: ${typeof cfg.signMode === 'string' ? cfg.signMode : ''}`,
    );
  for (const n of (cfg.chainNodes as unknown[] | undefined) ?? []) {
    if (!isObject(n) || typeof n.privValAddr !== 'string') return refuse('chainNodes: a node without privValAddr');
    verdict.chainNodes.push(n.privValAddr);
  }
  if (typeof cfg.keyDir === 'string') verdict.keyDir = cfg.keyDir;
  const tm = cfg.thresholdMode;
  if (!isObject(tm)) return refuse("cosigner config can't be empty");
  const cosigners = Array.isArray(tm.cosigners) ? tm.cosigners : [];
  const n = cosigners.length;
  const threshold = typeof tm.threshold === 'number' ? tm.threshold : 0;
  verdict.threshold = threshold;
  if (threshold <= Math.floor(n / 2))
    return refuse(`threshold (${threshold}) must be greater than number of shards (${n}) / 2`);
  if (n < threshold) return refuse(`number of shards (${n}) must be greater or equal to threshold (${threshold})`);
  for (const [name, value] of [
    ['raftTimeout', tm.raftTimeout],
    ['grpcTimeout', tm.grpcTimeout],
  ] as const)
    if (typeof value !== 'string' || !GO_DURATION.test(value))
      return refuse(`invalid ${name}: time: invalid duration "${typeof value === 'string' ? value : ''}"`);
  const byId = new Map<number, string[]>();
  for (const c of cosigners) {
    const id = isObject(c) && typeof c.shardID === 'number' ? c.shardID : 0;
    const addr = isObject(c) && typeof c.p2pAddr === 'string' ? c.p2pAddr : '';
    byId.set(id, [...(byId.get(id) ?? []), addr]);
  }
  const duplicates = [...byId].filter(([, addrs]) => addrs.length > 1);
  if (duplicates.length)
    return refuse(
      `found duplicate cosigner shard ID(s) in args: map[${duplicates.map(([id, a]) => `${id}:[${a.join(' ')}]`).join(' ')}]`,
    );
  for (const c of cosigners) {
    const id = isObject(c) && typeof c.shardID === 'number' ? c.shardID : 0;
    const addr = isObject(c) && typeof c.p2pAddr === 'string' ? c.p2pAddr : '';
    if (id < 1 || id > n)
      return refuse(`cosigner shard ID ${id} in args is out of range, must be between 1 and ${n}, inclusive`);
    // Go's url.Parse: without a scheme (a first character that is no letter) and a colon before
    // any slash, "first path segment in URL cannot contain colon"; "host:2222" parses, as scheme
    // "host" with no host, and then fails net.SplitHostPort
    if (/^[^A-Za-z][^/]*:/.test(addr))
      return refuse(
        `failed to parse cosigner (shard ID: ${id}) p2p address: parse ${JSON.stringify(addr)}: first path segment in URL cannot contain colon`,
      );
    const hp = hostPort(addr);
    if (!hp) return refuse(`failed to parse cosigner (shard ID: ${id}) host port: missing port in address`);
    if (hp.host === '0.0.0.0') return refuse('host cannot be 0.0.0.0, must be reachable from other cosigners');
    verdict.cosigners.push({ shardId: id, p2pAddr: addr });
  }
  if (ownShardId !== undefined && !verdict.cosigners.some((c) => c.shardId === ownShardId))
    return refuse(`cosigner config does not exist for our shard ID ${ownShardId}`);
  return verdict;
}
