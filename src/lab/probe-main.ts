/**
 * `ip netns exec NS node probe-main.js TIMEOUT_MS`: probes from inside a namespace. Reads
 * [{ address, port }] as JSON on stdin, tries them all at once, prints the verdicts as JSON.
 */
import { probeAll, type ProbeTarget } from './probe.js';

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (input += chunk));
process.stdin.on('end', () => {
  void probeAll(JSON.parse(input) as ProbeTarget[], Number(process.argv[2] ?? 500)).then((verdicts) =>
    process.stdout.write(`${JSON.stringify(verdicts)}\n`),
  );
});
