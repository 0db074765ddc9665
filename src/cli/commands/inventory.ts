/** The commands that only read the inventory: validate, hosts, render, graph, firewall explain. */
import { DEFAULT_RENDER_OUT } from '../../defaults.js';
import { choice, flag, many, value, valueOr } from '../options.js';
import { defineCommand, defineGroup, type Entry } from '../spec.js';

export const INVENTORY_COMMANDS: Entry[] = [
  defineCommand({
    name: 'validate',
    summary: 'check an inventory against the schema and topology rules',
    description:
      'Check an inventory against the schema and the topology rules, reporting every finding at once.\n\nExample: stake validate -i inventories/cosmos.yaml --strict',
    options: { strict: flag('--strict', 'treat warnings as errors') },
    load: () => import('../../commands/validate.js'),
    run: ({ validate }, opts, _args, t) => validate({ inventory: opts.inventory, strict: opts.strict }, t),
  }),

  defineCommand({
    name: 'hosts',
    summary: 'list the hosts by tier and datacenter, with their roles',
    description:
      'List the hosts by tier and datacenter: name, tier, dc, address, client and active/standby role.\n\nExample: stake hosts -i inventories/ethereum.yaml --json',
    options: {},
    load: () => import('../../commands/hosts.js'),
    run: ({ hosts }, opts, _args, t) => hosts({ inventory: opts.inventory }, t),
  }),

  defineCommand({
    name: 'render',
    summary: 'write the client configs, service units, hardening and firewall of each host',
    description:
      'Render every file each host needs, derived from the topology graph, into OUT/<host>/<path>, with OUT/<host>/manifest.json.\n\nExample: stake render -i inventories/cosmos.yaml --out rendered/ --tier validator',
    options: {
      out: valueOr('-o, --out <dir>', 'where to write', DEFAULT_RENDER_OUT),
      host: many('--host <names>', 'only these hosts (repeat or comma-separate)'),
      tier: many('--tier <tiers>', 'only hosts of these tiers (repeat or comma-separate)'),
      templates: value(
        '--templates <dir>',
        'your templates; a file at the same path as a built-in one wins (default: templates/ next to the inventory)',
      ),
    },
    load: () => import('../../commands/render.js'),
    run: ({ render }, opts, _args, t) =>
      render(
        {
          inventory: opts.inventory,
          out: opts.out,
          hosts: opts.host,
          tiers: opts.tier,
          ...(opts.templates ? { templates: opts.templates } : {}),
        },
        t,
      ),
  }),

  defineCommand({
    name: 'graph',
    summary: 'draw the topology: datacenters, tiers and the flows between hosts',
    description:
      'Draw the topology computed from the inventory: datacenters as clusters, tiers as shapes, flows as edges.\n\nExample: stake graph --format dot | dot -Tsvg > topology.svg',
    options: {
      format: choice('--format <format>', 'output format', ['text', 'dot', 'mermaid'], 'text'),
      all: flag('--all', 'include SSH, metrics and loopback flows'),
    },
    load: () => import('../../commands/graph.js'),
    run: ({ graph }, opts, _args, t) => graph({ inventory: opts.inventory, format: opts.format, all: opts.all }, t),
  }),
];

export const FIREWALL_COMMANDS: Entry[] = [
  defineGroup({
    name: 'firewall',
    summary: "explain a host's firewall rules",
    description: 'Firewall rules derived from the topology graph.',
  }),
  defineCommand({
    name: 'explain',
    parent: 'firewall',
    arguments: [{ name: '<host>', help: 'the host whose ruleset to explain' }],
    summary: 'each rule of a host with the flow and inventory lines that cause it',
    description:
      "Show each rule of a host's nftables ruleset with the flow it allows and the inventory lines that cause it.\n\nExample: stake firewall explain val-fra -i inventories/cosmos.yaml",
    options: {},
    load: () => import('../../commands/firewall-explain.js'),
    run: ({ firewallExplain }, opts, [host = ''], t) => firewallExplain({ inventory: opts.inventory, host }, t),
  }),
];
