/**
 * `bin/stake` with faults: `node dist/test/support/faulty-stake.js FAULTS ARGS...` runs the real
 * command line with ARGS and the step hook of ./faults.ts. Without arguments it does nothing, so
 * the test runner, which loads every file under test/, passes over it.
 */
import { main } from '../../src/cli.js';
import { faultHook } from './faults.js';

const [spec, ...args] = process.argv.slice(2);
if (spec !== undefined) {
  process.exitCode = await main([process.argv[0]!, process.argv[1]!, ...args], { failoverHook: faultHook(spec) });
}
