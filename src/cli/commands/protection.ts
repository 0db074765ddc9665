/** `stake protection`: conformance, merge, check, export (EIP-3076 slashing protection). */
import { choice, required, value } from '../options.js';
import { defineCommand, defineGroup, type Entry } from '../spec.js';

const load = () => import('../../commands/protection.js');

export const PROTECTION_COMMANDS: Entry[] = [
  defineGroup({
    name: 'protection',
    summary: 'EIP-3076 slashing protection: check the module, merge interchange files',
    description: 'The EIP-3076 slashing-protection module, for operators who move keys by hand.',
  }),

  defineCommand({
    name: 'conformance',
    parent: 'protection',
    arguments: [{ name: '<files...>', help: "test files in the official suite's format" }],
    summary: 'run EIP-3076 interchange test files against this module',
    description:
      'Run test files in the format of the official EIP-3076 interchange test suite (eth-clients/slashing-protection-interchange-tests) and print pass or fail per file; exit 1 on any failure.\n\nExample: stake protection conformance tests/generated/*.json',
    options: {},
    load,
    run: ({ protectionConformance }, _opts, files, t) => protectionConformance({ files }, t),
  }),

  defineCommand({
    name: 'merge',
    parent: 'protection',
    arguments: [{ name: '<files...>', help: 'EIP-3076 interchange files of one chain' }],
    summary: 'merge interchange files: everything any of them signed',
    description:
      'Merge EIP-3076 interchange files of one chain into one holding every block and attestation any of them signed. Files of different chains are refused (exit 4).\n\nExample: stake protection merge old-host.json new-host.json -o merged.json',
    options: { out: value('-o, --out <file>', 'write here (atomically) instead of stdout') },
    load,
    run: ({ protectionMerge }, opts, files, t) => protectionMerge({ files, ...(opts.out ? { out: opts.out } : {}) }, t),
  }),

  defineCommand({
    name: 'check',
    parent: 'protection',
    arguments: [{ name: '<files...>', help: 'EIP-3076 interchange files: the signing history' }],
    summary: 'would this block or attestation be slashable given the history? exit 0 safe, 4 slashable',
    description:
      'Import the interchange files and decide whether signing a block or an attestation would be slashable: double proposal, double vote, surround votes, below the low watermarks. Exit 0 when safe, 4 when slashable.\n\nExample: stake protection check export.json --pubkey 0xb845... --attestation 120:121',
    options: {
      pubkey: required('--pubkey <hex>', 'the validator public key (0x...)'),
      block: value('--block <slot>', 'a block proposal at this slot'),
      attestation: value('--attestation <source:target>', 'an attestation with these source and target epochs'),
      signingRoot: value('--signing-root <hex>', 'its signing root (a re-sign of the same root is not slashable)'),
    },
    load,
    run: ({ protectionCheck }, opts, files, t) =>
      protectionCheck(
        {
          files,
          pubkey: opts.pubkey,
          ...(opts.block ? { block: opts.block } : {}),
          ...(opts.attestation ? { attestation: opts.attestation } : {}),
          ...(opts.signingRoot ? { signingRoot: opts.signingRoot } : {}),
        },
        t,
      ),
  }),

  defineCommand({
    name: 'export',
    parent: 'protection',
    arguments: [{ name: '<files...>', help: 'EIP-3076 interchange files of one chain' }],
    summary: 'the history as one interchange file, complete or minimal',
    description:
      'Import interchange files and export their history as one EIP-3076 file: complete (every record) or minimal (one block and one attestation per key, which protects the same).\n\nExample: stake protection export a.json b.json --form minimal -o for-import.json',
    options: {
      form: choice(
        '--form <form>',
        'complete: every record; minimal: the highest block and attestation per key',
        ['complete', 'minimal'],
        'complete',
      ),
      out: value('-o, --out <file>', 'write here (atomically) instead of stdout'),
    },
    load,
    run: ({ protectionExport }, opts, files, t) =>
      protectionExport({ files, form: opts.form, ...(opts.out ? { out: opts.out } : {}) }, t),
  }),
];
