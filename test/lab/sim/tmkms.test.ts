/**
 * The lab's simulated tmkms (src/lab/sim/tmkms.ts) against a validator's privval listener on
 * loopback, with real files: it starts with stake's rendered config, creates its state at height
 * 0 as tmkms does, signs only above its watermark (written before the signature leaves), ends
 * the session on a regression and redials, refuses a second block at one height/round/step and
 * carries on, and refuses at start what tmkms refuses, in its words.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseTmkmsState } from '../../../src/chain/remote-signer-state.js';
import { resolveInventory } from '../../../src/inventory/resolve.js';
import { cometbftKey } from '../../../src/lab/keys.js';
import { onPrivvalLines, sendPrivval, type PrivvalRequest } from '../../../src/lab/sim/privval.js';
import { startTmkms, type TmkmsIo } from '../../../src/lab/sim/tmkms.js';
import { ACCEPT_TIMEOUT_MS, listenForSigner } from '../../../src/lab/sim/remote-signer.js';
import { TemplateEngine } from '../../../src/render/engine.js';
import { renderInventory } from '../../../src/render/render.js';
import { loadTemplates } from '../../../src/render/templates.js';
import { computeGraph } from '../../../src/topology/graph.js';
import { cosmosWithTmkms, validateText } from '../../support/helpers.js';
import { scratchDir } from '../../support/scratch.js';

/** The privval listener of a validator: its signer's connections, one request at a time. */
class Listener {
  readonly server: Server;
  private current: Socket | undefined;
  private waiting: ((s: Socket) => void)[] = [];
  private replies = new Map<Socket, Record<string, unknown>[]>();
  constructor() {
    this.server = createServer((s) => {
      this.current = s;
      this.replies.set(s, []);
      onPrivvalLines(s, (m) => this.replies.get(s)!.push(m));
      for (const w of this.waiting.splice(0)) w(s);
    });
  }
  listen = () =>
    new Promise<number>((resolve) =>
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as { port: number }).port)),
    );
  private open = (s: Socket | undefined): s is Socket => s !== undefined && !s.destroyed && !s.readableEnded;
  /** The signer's connection: the newest, while it is open, else the next one made. */
  connection(): Promise<Socket> {
    if (this.open(this.current)) return Promise.resolve(this.current);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  /** Hangs up on the signer's connection (one that was stopped). */
  drop() {
    this.current?.destroy();
    this.current = undefined;
  }
  async ask(request: PrivvalRequest): Promise<Record<string, unknown> | 'closed'> {
    const socket = await this.connection();
    const got = this.replies.get(socket)!;
    const before = got.length;
    sendPrivval(socket, request);
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      if (got.length > before) return got[before]!;
      if (!this.open(socket)) return 'closed';
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no answer to ${JSON.stringify(request)}`);
  }
  close() {
    this.current?.destroy();
    this.server.close();
  }
}

const dir = scratchDir('stake-tmkms-');
const logs: string[] = [];
const io: TmkmsIo = {
  read: (p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined),
  write: (p, text) => {
    writeFileSync(`${p}.tmp`, text);
    renameSync(`${p}.tmp`, p);
  },
  dial: (host, port) => createConnection({ host, port }),
  dirExists: (d) => existsSync(d),
  log: (l) => logs.push(l),
};

/** stake's rendered serving config for val-fra, its paths moved into the scratch folder and its validator onto the listener. */
function renderedConfig(port: number): string {
  const inv = resolveInventory(validateText(cosmosWithTmkms()).inventory!);
  const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
  const text = renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), {})
    .find((r) => r.host === 'kms-fra')!
    .files.find((f) => f.path === '/etc/tmkms/serve-val-fra.toml')!.content;
  return text
    .replaceAll('/var/lib/tmkms/secrets/', `${dir}/`)
    .replaceAll('/var/lib/tmkms/state/', `${dir}/`)
    .replace('tcp://10.1.0.10:26659', `tcp://127.0.0.1:${port}`);
}

const sign = (height: number, round: number, step: number, block: string | null = 'AB12CD34EF'): PrivvalRequest => ({
  type: 'sign',
  chainId: 'cosmoshub-4',
  height: String(height),
  round,
  step,
  block,
});

describe('the lab tmkms', () => {
  const listener = new Listener();
  let stop: (() => void) | undefined;
  after(() => {
    stop?.();
    listener.close();
  });

  test('signs above its watermark through the privval link, the watermark on disk first; a regression ends the session, a redial follows', async () => {
    const port = await listener.listen();
    const key = cometbftKey();
    writeFileSync(join(dir, 'cosmoshub.priv_validator_key.json'), key.text, { mode: 0o600 });
    const state = join(dir, 'cosmoshub-4-consensus.json');
    const started = startTmkms(renderedConfig(port), io);
    assert.ok(!('refused' in started), JSON.stringify(started));
    stop = started.stop;
    // no state file: made at height 0, as tmkms does
    assert.deepEqual(parseTmkmsState(readFileSync(state, 'utf8')), { height: 0n, round: 0, step: 0 });
    assert.deepEqual(await listener.ask({ type: 'pubkey', chainId: 'cosmoshub-4' }), {
      type: 'pubkey',
      address: key.address,
    });
    const signed = await listener.ask(sign(10, 0, 2));
    assert.equal((signed as { type: string }).type, 'signed');
    assert.deepEqual(parseTmkmsState(readFileSync(state, 'utf8')), {
      height: 10n,
      round: 0,
      step: 2,
      blockId: 'AB12CD34EF',
    });
    assert.ok(
      logs.includes('[cosmoshub-4@tcp://127.0.0.1:' + port + '] signed Prevote:AB12CD34EF at h/r/s 10/0/1 (0 ms)'),
      logs.join('\n'),
    );

    // the same height, round and step for another block: refused, the session goes on
    assert.deepEqual(await listener.ask(sign(10, 0, 2, 'FFFF000011')), {
      type: 'refused',
      code: 2,
      description: 'double signing requested at height: 10',
    });
    assert.equal(((await listener.ask({ type: 'ping' })) as { type: string }).type, 'pong');

    // below it: tmkms ends the session, and redials a second later
    const first = await listener.connection();
    assert.equal(await listener.ask(sign(9, 0, 3)), 'closed');
    assert.ok(logs.some((l) => l.endsWith('attempted double sign: height regression: last height:10 new height:9')));
    const t0 = Date.now();
    const second = await listener.connection();
    assert.notEqual(second, first);
    assert.ok(Date.now() - t0 >= 800, 'redialed after its respawn delay');
    assert.equal(((await listener.ask(sign(11, 0, 1))) as { type: string }).type, 'signed');
    stop();
    stop = undefined;
    listener.drop(); // the stopped signer's connection, closing on its side
  });

  test('restarted without its state file, tmkms starts from height 0 and signs below the chain: why stake must never start it so', async () => {
    const port = (listener.server.address() as { port: number }).port;
    rmSync(join(dir, 'cosmoshub-4-consensus.json'));
    const started = startTmkms(renderedConfig(port), io);
    assert.ok(!('refused' in started));
    stop = started.stop;
    const below = await listener.ask(sign(5, 0, 3));
    assert.equal(
      (below as { type: string }).type,
      'signed',
      `height 5, below the 11 it had signed: ${JSON.stringify(below)}`,
    );
    stop();
    stop = undefined;
  });

  test('at start: what tmkms refuses, exit 1 and its words', () => {
    const ok = renderedConfig(1);
    const refused = (text: string) => {
      const r = startTmkms(text, io);
      return 'refused' in r ? r.refused : undefined;
    };
    assert.deepEqual(refused(ok.replace('reconnect = true', 'reconnect = true\nretries = 2')), {
      exitCode: 1,
      message:
        'error: tmkms fatal error: config error: unknown field `retries`, expected one of `addr`, `chain_id`, `reconnect`, `timeout`, `secret_key`, `max_height`, `protocol_version`',
    });
    writeFileSync(join(dir, 'cosmoshub-4-consensus.json'), '{"height":12,"round":"0","step":2,"block_id":null}\n');
    assert.match(
      refused(ok)!.message,
      /^error: error loading configuration: parse error: error parsing .*cosmoshub-4-consensus\.json: .*height must be a decimal string/,
    );
    // no state and no folder for it: tmkms cannot make one, and does not start
    assert.match(
      refused(ok.replace(`${dir}/cosmoshub-4-consensus.json`, `${dir}/gone/cosmoshub-4-consensus.json`))!.message,
      /^error: error loading configuration: error syncing state to disk: error writing state to .*\/gone\/cosmoshub-4-consensus\.json/,
    );
    rmSync(join(dir, 'cosmoshub-4-consensus.json'));
    rmSync(join(dir, 'cosmoshub.priv_validator_key.json'));
    assert.match(
      refused(ok)!.message,
      /^error: error loading configuration: config error: couldn't load `.*cosmoshub\.priv_validator_key\.json`: No such file/,
    );
  });
});

describe("the lab validator's privval listener", () => {
  test("without a signer within 3 s the start fails in CometBFT's words; with tmkms it signs through it, one vote per step", async () => {
    const t0 = Date.now();
    await assert.rejects(
      listenForSigner({ host: '127.0.0.1', port: 0 }, 'cosmoshub-4', () => undefined),
      (err: Error) =>
        err.message ===
        "ERROR: failed to create node: error with private validator socket client: can't get pubkey: endpoint connection timed out",
    );
    assert.ok(Date.now() - t0 >= ACCEPT_TIMEOUT_MS - 50, 'after the accept timeout');

    // a port of our own to listen on: taken from the system, then handed to the listener
    const probe = createServer();
    const port = await new Promise<number>((r) =>
      probe.listen(0, '127.0.0.1', () => r((probe.address() as { port: number }).port)),
    );
    await new Promise((r) => probe.close(r));
    const key = cometbftKey();
    writeFileSync(join(dir, 'cosmoshub.priv_validator_key.json'), key.text, { mode: 0o600 });
    rmSync(join(dir, 'cosmoshub-4-consensus.json'), { force: true });
    const listening = listenForSigner({ host: '127.0.0.1', port }, 'cosmoshub-4', () => undefined);
    const kms = startTmkms(renderedConfig(port), io);
    assert.ok(!('refused' in kms));
    const remote = await listening;
    try {
      assert.equal(remote.address(), key.address);
      const first = await remote.sign(20, 0, 3, 'AA11');
      assert.equal(first.type, 'signed');
      // the same vote again: the same signature (a retry); another block at that step: refused
      assert.deepEqual(await remote.sign(20, 0, 3, 'AA11'), first);
      assert.deepEqual(await remote.sign(20, 0, 3, 'BB22'), {
        type: 'failed',
        why: 'RemoteSignerError: double signing requested at height: 20',
      });
    } finally {
      kms.stop();
      remote.close();
    }
  });
});
