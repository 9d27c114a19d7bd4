import { fileURLToPath } from 'node:url';

/**
 * How to run a sibling benchmark script in a child process: compiled (dist/node/bench, plain
 * Node.js, as `npm start` runs the server, and as `npm run bench` runs) or from its TypeScript
 * source under tsx (`npx tsx bench/…`).
 */
export function childArgs(moduleUrl: string, file: string): string[] {
  const self = fileURLToPath(moduleUrl);
  const compiled = self.endsWith('.js');
  const target = fileURLToPath(new URL(`./${file}.${compiled ? 'js' : 'ts'}`, moduleUrl));
  return compiled ? [target] : ['--import', 'tsx', target];
}
