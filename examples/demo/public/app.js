import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { CALLS } from './calls.js';

const $ = (selector) => document.querySelector(selector);
let run = 0;

/** The three ways the page talks to the server, each sending the token as `Authorization: Bearer`. */
function apis(token) {
  const authorization = () => (token ? { authorization: `Bearer ${token}` } : {});
  const client = createTRPCClient({ links: [httpLink({ url: `${location.origin}/trpc`, headers: authorization })] });
  return {
    async trpc(call) {
      try {
        return { allowed: true, code: '200', data: await call(client) };
      } catch (error) {
        if (!(error instanceof TRPCClientError)) throw error;
        const status = error.data?.httpStatus;
        return {
          allowed: false,
          code: `${error.data?.code ?? 'ERROR'}${status ? ` ${status}` : ''}`,
          data: error.message,
        };
      }
    },
    async graphql(query, variables) {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...authorization() },
        body: JSON.stringify({ query, variables }),
      });
      const body = await response.json();
      const error = body.errors?.[0];
      if (error)
        return { allowed: false, code: String(error.extensions?.code ?? response.status), data: error.message };
      return { allowed: true, code: String(response.status), data: body.data };
    },
    async rest(method, path, body) {
      const response = await fetch(path, {
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...authorization() },
        body: body ? JSON.stringify(body) : undefined,
      });
      const data = await response.json();
      if (response.ok) return { allowed: true, code: String(response.status), data };
      return { allowed: false, code: `${data.error ?? 'ERROR'} ${response.status}`, data: data.message };
    },
  };
}

/** Marks the start of a new run at once, so that nobody reads the previous caller's table as this one's. */
function begin(persona, text) {
  const status = $('#status');
  status.dataset.persona = persona;
  status.dataset.state = 'running';
  status.textContent = text;
  $('#results tbody').replaceChildren();
  return ++run;
}

async function runAll(current, label, token) {
  const status = $('#status');
  status.textContent = `Calling everything as ${label}…`;
  const api = apis(token);
  const rows = [];
  for (const call of CALLS) {
    let outcome;
    try {
      outcome = await call.run(api);
    } catch (error) {
      outcome = { allowed: false, code: 'NETWORK', data: String(error) };
    }
    if (current !== run) return;
    rows.push({ call, outcome });
    renderRows(rows);
  }
  const me = rows.find((row) => row.call.api === 'tRPC' && row.call.name === 'me');
  $('#me').textContent = me?.outcome.allowed ? JSON.stringify(me.outcome.data, null, 2) : `- (${me?.outcome.code})`;
  const allowed = rows.filter((row) => row.outcome.allowed).length;
  status.dataset.state = 'done';
  status.textContent = `${label}: ${allowed} of ${rows.length} calls allowed.`;
}

function renderRows(rows) {
  const body = $('#results tbody');
  body.replaceChildren(
    ...rows.map(({ call, outcome }) => {
      const tr = document.createElement('tr');
      tr.dataset.call = `${call.api}:${call.name}`;
      const result = outcome.allowed ? 'allowed' : 'denied';
      const cells = [call.api, call.name, call.requirement, result, outcome.code, summarize(outcome.data)];
      for (const [index, text] of cells.entries()) {
        const td = document.createElement('td');
        td.textContent = text;
        if (index === 3) td.dataset.result = result;
        if (index === 4) td.dataset.code = outcome.code;
        if (index === 5) td.className = 'response';
        tr.append(td);
      }
      return tr;
    }),
  );
}

function summarize(data) {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

function decode(jwt) {
  const part = (segment) => {
    const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  };
  try {
    const [header, payload] = jwt.split('.');
    return JSON.stringify({ header: part(header), payload: part(payload) }, null, 2);
  } catch {
    return 'This token is not a readable JWT.';
  }
}

function useToken(current, token, label) {
  if (current !== run) return;
  $('#token').textContent = token ? decode(token) : 'No token: anonymous caller.';
  $('#me').textContent = '…';
  return runAll(current, label, token);
}

async function pickPersona(persona, button) {
  for (const other of document.querySelectorAll('#personas button')) other.setAttribute('aria-pressed', 'false');
  button.setAttribute('aria-pressed', 'true');
  // GraphiQL gets its own token for the persona from the server: no token travels in the URL.
  $('#graphiql-link').href = `/graphql?persona=${encodeURIComponent(persona.id)}`;
  const current = begin(persona.id, `Getting a token for ${persona.label}…`);
  if (!persona.claims) return useToken(current, null, persona.label);
  const response = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(persona.claims),
  });
  if (!response.ok) {
    $('#status').dataset.state = 'error';
    $('#status').textContent = `Could not get a token (${response.status}).`;
    return;
  }
  const { accessToken } = await response.json();
  return useToken(current, accessToken, persona.label);
}

async function init() {
  const response = await fetch('/dev/personas');
  const personas = response.ok ? await response.json() : [{ id: 'anonymous', label: 'Anonymous (no token)' }];
  $('#dev-issuer-off').hidden = response.ok;
  for (const persona of personas) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = persona.label;
    button.dataset.persona = persona.id;
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', () => pickPersona(persona, button));
    $('#personas').append(button);
  }
  $('#paste-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('#pasted-token').value.trim();
    for (const other of document.querySelectorAll('#personas button')) other.setAttribute('aria-pressed', 'false');
    const current = begin('pasted', 'Using the pasted token…');
    useToken(current, value || null, value ? 'pasted token' : 'anonymous');
  });
  $('#status').dataset.state = 'ready';
}

init();
