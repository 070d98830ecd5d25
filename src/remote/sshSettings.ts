import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, ParsedKey } from 'ssh2';
import { TroveError } from '../errors/index.js';
import type { BackendOptions } from './Backend.js';
import { RemoteSettings } from './remoteSettings.js';
import type { RemoteUrl } from './remoteUrl.js';

const { utils } = ssh2;

/** An SSH remote's settings, read once from its config and the environment. */
export interface SshSettings {
  readonly user: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly strict: boolean;
  readonly knownHosts: readonly string[];
  readonly knownHostsExplicit: boolean;
  readonly keyFile?: string;
  readonly passphrase?: string;
  readonly password?: string;
  readonly agent?: string;
  readonly home: string;
}

/**
 * Settings from the remote's config (and config.local.yaml), then the URL,
 * then the environment and ~/.ssh, as ssh(1) resolves them.
 */
export function readSshSettings(options: BackendOptions, url: RemoteUrl): SshSettings {
  const s = new RemoteSettings(options.name, options.settings);
  const env = options.env;
  const home = env.HOME || homedir();
  const user = s.string('user') ?? url.user ?? env.USER ?? env.LOGNAME ?? safeUserName();
  const port = s.int('port', { min: 1, max: 65535 }) ?? url.port ?? 22;
  const knownHostsSetting = s.string('known_hosts');
  // agent: a path names its socket; false turns the agent off, true keeps SSH_AUTH_SOCK's
  const agentSwitch = s.raw('agent');
  const noAgent = agentSwitch === false;
  const agentSetting = typeof agentSwitch === 'boolean' ? undefined : s.string('agent');
  const keyFile = s.string('key_file');
  const settings: SshSettings = {
    user,
    port,
    timeoutMs: s.durationMs('timeout_ms') ?? 15_000,
    strict: s.bool('strict_host_key_checking') ?? true,
    knownHosts: knownHostsSetting
      ? [expandHome(knownHostsSetting, home)]
      : [`${home}/.ssh/known_hosts`, `${home}/.ssh/known_hosts2`, '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
    knownHostsExplicit: knownHostsSetting !== undefined,
    keyFile: keyFile === undefined ? undefined : expandHome(keyFile, home),
    passphrase: s.string('passphrase'),
    password: s.string('password') ?? urlPassword(options.url),
    agent: noAgent ? undefined : agentSetting ?? (env.SSH_AUTH_SOCK || undefined),
    home,
  };
  return settings;
}

/**
 * The authentication methods ssh2 tries, in ssh(1)'s order: the configured
 * key, the agent, the default keys (only without a configured key), a
 * password. Throws AUTH when there is none, or the configured key is unusable.
 */
export function sshAuthMethods(cfg: SshSettings, remote: string, where: string): AnyAuthMethod[] {
  const username = cfg.user;
  const methods: AnyAuthMethod[] = [];
  if (cfg.keyFile) methods.push({ type: 'publickey', username, key: loadKey(cfg.keyFile, cfg, remote, where) });
  if (cfg.agent) methods.push({ type: 'agent', username, agent: cfg.agent });
  if (!cfg.keyFile) {
    for (const n of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
      const key = tryDefaultKey(`${cfg.home}/.ssh/${n}`, cfg.passphrase);
      if (key) methods.push({ type: 'publickey', username, key });
    }
  }
  if (cfg.password !== undefined) methods.push({ type: 'password', username, password: cfg.password });
  if (methods.length === 0) {
    throw new TroveError('AUTH', `No SSH credentials for ${where}: no key_file, no ssh-agent (SSH_AUTH_SOCK) and no ~/.ssh/id_* key.`, {
      hint: `Set a key: trove remote modify ${remote} key_file ~/.ssh/id_ed25519 (or start ssh-agent, or set password).`,
    });
  }
  return methods;
}

function loadKey(path: string, cfg: SshSettings, remote: string, where: string): ParsedKey {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    throw new TroveError('AUTH', `Cannot read the SSH key ${path} for ${where}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, {
      hint: `Point key_file at your private key: trove remote modify ${remote} key_file PATH.`,
      cause: err,
    });
  }
  const parsed = utils.parseKey(data, cfg.passphrase);
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
  if (!key || key instanceof Error || !key.isPrivateKey()) {
    const why = key instanceof Error ? key.message : 'it is not a private key';
    const encrypted = /passphrase|encrypted|decrypt|integrity/i.test(why);
    throw new TroveError('AUTH', `Cannot use the SSH key ${path} for ${where}: ${why}.`, {
      hint: encrypted
        ? `Set its passphrase (kept in the git-ignored config.local.yaml): trove remote modify ${remote} passphrase PASSPHRASE, or load it into ssh-agent.`
        : 'key_file must be an OpenSSH or PEM private key (not the .pub file).',
      cause: key instanceof Error ? key : undefined,
    });
  }
  return key;
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? `${home}${p.slice(1)}` : p;
}

function tryDefaultKey(path: string, passphrase: string | undefined): ParsedKey | undefined {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    // no default key at this path (the usual case): try the next one; no key at all is reported by authentication
    return undefined;
  }
  // an encrypted default key we cannot open is skipped, as ssh does in batch mode
  const parsed = utils.parseKey(data, passphrase);
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
  return key && !(key instanceof Error) && key.isPrivateKey() ? key : undefined;
}

/** ssh://user:password@host/… works, as with sftp(1) clients; the display never shows it. */
function urlPassword(url: string): string | undefined {
  try {
    const pw = new URL(url).password;
    return pw ? decodeURIComponent(pw) : undefined;
  } catch {
    // not a parsable URL: no password in it; the URL itself is validated (and reported) by parseRemoteUrl
    return undefined;
  }
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    // no passwd entry for this uid (containers): assume root, the usual user there; a wrong guess fails authentication, reported
    return 'root';
  }
}
