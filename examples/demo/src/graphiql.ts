import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphiQLOptions } from 'graphql-yoga';
import type { DevIssuer } from './dev-issuer.js';
import { PERSONAS } from './personas.js';

/**
 * GraphiQL with no CDN: yoga's page loads its script, styles and editor workers from unpkg, so it is
 * blank offline. The same bundle ships in `@graphql-yoga/render-graphiql`; it is served from here,
 * each part at its own cacheable URL, and loaded on first use (it is 9 MB of text).
 */
type Bundle = typeof import('@graphql-yoga/render-graphiql/graphiql');
let bundle: Promise<Bundle> | undefined;
const loadBundle = () => {
  bundle ??= import('@graphql-yoga/render-graphiql/graphiql');
  return bundle;
};

const ASSETS: Record<string, { part: keyof Bundle; type: string }> = {
  '/graphiql/graphiql.js': { part: 'js', type: 'text/javascript; charset=utf-8' },
  '/graphiql/graphiql.css': { part: 'css', type: 'text/css; charset=utf-8' },
  '/graphiql/editor.worker.js': { part: 'editorWorkerService', type: 'text/javascript; charset=utf-8' },
  '/graphiql/json.worker.js': { part: 'jsonWorker', type: 'text/javascript; charset=utf-8' },
  '/graphiql/graphql.worker.js': { part: 'graphqlWorker', type: 'text/javascript; charset=utf-8' },
  '/graphiql/favicon.ico': { part: 'favicon', type: 'image/x-icon' },
};

/** Serves GraphiQL's files under /graphiql/; false for other paths. */
export async function serveGraphiQLAsset(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const asset = ASSETS[path];
  if (!asset || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const text = (await loadBundle())[asset.part];
  const body = asset.part === 'favicon' ? Buffer.from(text.slice(text.indexOf(',') + 1), 'base64') : text;
  res.statusCode = 200;
  res.setHeader('content-type', asset.type);
  res.setHeader('cache-control', 'public, max-age=3600');
  res.setHeader('x-content-type-options', 'nosniff');
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

const DEFAULT_QUERY = `# \`me\` needs a token: the Headers tab holds the persona's.
# Try \`billing\`: a field the caller may not read stops the operation.
{
  health
  me { id name }
}
`;

/**
 * GraphiQL's options for one page load (yoga's `graphiql` factory). With the embedded dev issuer,
 * `/graphql?persona=<id>` opens GraphiQL with that persona's token in its headers.
 */
export async function graphiqlOptions(request: Request, devIssuer: DevIssuer | undefined): Promise<GraphiQLOptions> {
  const options: GraphiQLOptions = { title: 'Gatehouse demo: GraphiQL', defaultQuery: DEFAULT_QUERY };
  const id = new URL(request.url).searchParams.get('persona');
  const persona = PERSONAS.find((p) => p.id === id);
  const token = devIssuer && persona ? await devIssuer.mintFor(persona) : undefined;
  if (token) {
    options.headers = JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2);
    options.defaultHeaders = options.headers;
  }
  return options;
}

/** The GraphiQL page (yoga's `renderGraphiQL`), pointing at the files above. */
export function renderGraphiQL(options: GraphiQLOptions): string {
  const title = escapeHtml(options.title ?? 'GraphiQL');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="icon" href="/graphiql/favicon.ico" />
    <link rel="stylesheet" href="/graphiql/graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script>
      self.MonacoEnvironment = {
        globalAPI: false,
        getWorkerUrl: (moduleId, label) =>
          ({ json: '/graphiql/json.worker.js', graphql: '/graphiql/graphql.worker.js' })[label] ??
          '/graphiql/editor.worker.js',
      };
    </script>
    <script src="/graphiql/graphiql.js"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), ${scriptJson(options)});
    </script>
  </body>
</html>`;
}

/** JSON that cannot end the script element it sits in. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
