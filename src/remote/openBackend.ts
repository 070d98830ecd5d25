import type { Backend, BackendOptions } from './Backend.js';
import { parseRemoteUrl, type RemoteScheme } from './remoteUrl.js';

/**
 * Load the backend for a URL. Each cloud SDK costs 120–300 ms to import, so a
 * backend module is imported only when a command talks to that kind of remote.
 */
const LOADERS: Record<RemoteScheme, (o: BackendOptions) => Promise<Backend>> = {
  dir: async (o) => (await import('./DirectoryBackend.js')).DirectoryBackend.open(o),
  s3: async (o) => (await import('./S3Backend.js')).S3Backend.open(o),
  azure: async (o) => (await import('./AzureBackend.js')).AzureBackend.open(o),
  gs: async (o) => (await import('./GcsBackend.js')).GcsBackend.open(o),
  ssh: async (o) => (await import('./SftpBackend.js')).SftpBackend.open(o),
  http: async (o) => (await import('./HttpBackend.js')).HttpBackend.open(o),
};

export function openBackend(options: BackendOptions): Promise<Backend> {
  return LOADERS[parseRemoteUrl(options.url).scheme](options);
}
