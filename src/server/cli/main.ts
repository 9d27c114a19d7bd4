/**
 * Command-line interface for IT staff: `npm run -s cli -- <command>`. Uses the same environment
 * as the server (DATA_DIR or DATABASE_URL). With `--format json` only JSON goes to stdout;
 * errors go to stderr with a non-zero exit code (1 = rejected input, 2 = usage, 3 = environment).
 */
import { Command, CommanderError, Option } from 'commander';
import { runCli } from './commands.js';

const program = new Command('samverka');
program
  .description('Samverka administration')
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

runCli(program, process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    console.error(err);
    process.exit(1);
  },
);
