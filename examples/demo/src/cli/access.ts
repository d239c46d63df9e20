import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { listFieldRequirements } from '@gatehousejs/graphql';
import { listProcedures } from '@gatehousejs/trpc';
import type { AnyTRPCRouter } from '@trpc/server';
import type { GraphQLSchema } from 'graphql';
import { parsingArgs } from './args.js';
import { CommandError, UsageError } from './errors.js';

const ACCESS_HELP = `Usage: gatehouse access <module> [options]

Prints every procedure of a tRPC router, or every field of a GraphQL schema, with who may reach it:
public, any authenticated caller, or the roles and permissions required.

<module> is a JavaScript module (build TypeScript first) that exports the router built with
gatehouse(t), or the schema returned by authDirectiveTransformer. Every such export is listed.

Options:
  --export <name>   list only this export ("default" for the default export)
  --json            print JSON instead of a table
  -h, --help        show this help

Example:
  gatehouse access examples/demo/dist/trpc.js
`;

interface Listing {
  readonly export: string;
  readonly kind: 'trpc' | 'graphql';
  readonly entries: readonly { readonly name: string; readonly type: string; readonly access: string }[];
}

export async function accessCommand(args: string[]): Promise<string> {
  const { values, positionals } = parsingArgs(() =>
    parseArgs({
      args,
      options: { export: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (values.help) return ACCESS_HELP;
  if (positionals.length === 0) throw new UsageError('a module is required, e.g. gatehouse access dist/router.js');
  if (positionals.length > 1) throw new UsageError(`one module at a time, got ${positionals.length}`);
  const file = resolve(positionals[0] as string);
  if (!existsSync(file)) throw new UsageError(`no such file: ${positionals[0]}`);
  if (/\.[cm]?tsx?$/.test(file)) throw new UsageError('give the built JavaScript module, not TypeScript source');

  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CommandError(`could not load ${positionals[0]}: ${(error as Error).message}`);
  }
  let names = Object.keys(module).sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
  if (values.export !== undefined) {
    if (!(values.export in module)) throw new UsageError(`${positionals[0]} has no export "${values.export}"`);
    names = [values.export];
  }
  const listings: Listing[] = [];
  for (const name of names) {
    const listing = await listingOf(name, module[name]);
    if (listing) listings.push(listing);
  }
  if (listings.length === 0) {
    const what = values.export === undefined ? 'exports' : `export "${values.export}" is`;
    throw new CommandError(`${positionals[0]} ${what} no tRPC router or GraphQL schema`);
  }
  return values.json ? JSON.stringify(listings, null, 2) : listings.map(formatListing).join('\n');
}

async function listingOf(name: string, value: unknown): Promise<Listing | undefined> {
  try {
    if (isRouter(value)) {
      const procedures = await listProcedures(value);
      return {
        export: name,
        kind: 'trpc',
        entries: procedures.map((p) => ({ name: p.path, type: p.type, access: p.description })),
      };
    }
    if (isSchema(value)) {
      const fields = listFieldRequirements(value);
      return {
        export: name,
        kind: 'graphql',
        entries: fields.map((f) => ({
          name: f.path,
          type: 'field',
          access:
            f.checkedAtRunTime.length > 0
              ? `${f.description} (${f.checkedAtRunTime.join(', ')}: checked per object)`
              : f.description,
        })),
      };
    }
  } catch (error) {
    throw new CommandError(`cannot list export "${name}": ${(error as Error).message}`);
  }
  return undefined;
}

function isRouter(value: unknown): value is AnyTRPCRouter {
  const def = (value as { _def?: { router?: unknown; procedures?: unknown } } | null)?._def;
  return typeof def === 'object' && def !== null && def.router === true && typeof def.procedures === 'object';
}

// Duck-typed: the module may load its own copy of graphql.
function isSchema(value: unknown): value is GraphQLSchema {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as GraphQLSchema).getQueryType === 'function' &&
    typeof (value as GraphQLSchema).getTypeMap === 'function'
  );
}

function formatListing(listing: Listing): string {
  const title = listing.kind === 'trpc' ? `tRPC router "${listing.export}"` : `GraphQL schema "${listing.export}"`;
  const header = { name: listing.kind === 'trpc' ? 'PROCEDURE' : 'FIELD', type: 'TYPE', access: 'ACCESS' };
  const rows = [header, ...listing.entries];
  const width = (key: 'name' | 'type') => Math.max(...rows.map((row) => row[key].length));
  const [nameWidth, typeWidth] = [width('name'), width('type')];
  const lines = rows.map((row) =>
    listing.kind === 'trpc'
      ? `  ${row.name.padEnd(nameWidth)}  ${row.type.padEnd(typeWidth)}  ${row.access}`
      : `  ${row.name.padEnd(nameWidth)}  ${row.access}`,
  );
  return `${title}\n${lines.join('\n')}\n`;
}
