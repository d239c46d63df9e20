#!/usr/bin/env node
import { CommandError, UsageError } from './cli/errors.js';

const HELP = `Usage: gatehouse <command> [options]

Commands:
  token     mint an access token (from the running demo, or signed with your own key)
  access    print who may reach each procedure or field of a tRPC router or GraphQL schema

Run "gatehouse <command> --help" for a command's options.
`;

// Loaded on demand: `token` need not load tRPC and GraphQL.
const COMMANDS: Record<string, (args: string[], env: NodeJS.ProcessEnv) => Promise<string>> = {
  token: async (args, env) => (await import('./cli/token.js')).tokenCommand(args, env),
  access: async (args) => (await import('./cli/access.js')).accessCommand(args),
};

/** Runs the CLI; returns the exit code. */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    process.stderr.write(`gatehouse: a command is required\n\n${HELP}`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`gatehouse: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    const output = await command(args, env);
    process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`gatehouse ${name}: ${error.message}\nRun "gatehouse ${name} --help" for usage.\n`);
      return 2;
    }
    if (error instanceof CommandError) {
      process.stderr.write(`gatehouse ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await run(process.argv.slice(2));
