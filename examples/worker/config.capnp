# workerd configuration: the Worker on http://127.0.0.1:8787, with no account and no network
# beyond what the key source needs. Build first (`npm run build`); keys come from the environment.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # Outbound fetches (the key set). "local" and "private" let it reach an issuer on this machine.
    (name = "internet", network = (allow = ["public", "private", "local"], tlsOptions = (trustBrowserCas = true))),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "dist/worker.bundle.js")],
  # No nodejs_compat: Gatehouse needs no Node APIs on Workers.
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "GATEHOUSE_JWKS_URI", fromEnvironment = "GATEHOUSE_JWKS_URI"),
    (name = "GATEHOUSE_ISSUER", fromEnvironment = "GATEHOUSE_ISSUER"),
    (name = "GATEHOUSE_AUDIENCE", fromEnvironment = "GATEHOUSE_AUDIENCE"),
  ],
);
