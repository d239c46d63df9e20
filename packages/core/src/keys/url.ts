import { GatehouseConfigError } from '../errors.js';

/** Keys come over https, or plain http to this machine only (tests, local issuers). */
export function keyServerUrl(value: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GatehouseConfigError(`${name} is not a valid URL`);
  }
  if (url.username || url.password) throw new GatehouseConfigError(`${name} must not carry credentials`);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  if (url.protocol !== 'http:') {
    throw new GatehouseConfigError(
      `${name} must be an https URL: its scheme "${url.protocol.slice(0, -1)}" is not https`,
    );
  }
  throw new GatehouseConfigError(`${name} must use https (plain http is allowed only for loopback addresses)`);
}

/**
 * Loopback by address, or the name `localhost`. Other `*.localhost` names are refused: the system
 * resolver may send them to DNS, and keys must never travel in clear text off this machine.
 */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
