// STUB (h/reg-read) until h/reg-write lands registry/loadRegistry.ts: the contract's signature. Take theirs on merge.
import { TroveError } from '../errors/index.js';
import type { RegistrySnapshot } from '../core/registryTypes.js';
import type { RegistryContext } from './RegistryContext.js';

export async function loadRegistry(ctx: RegistryContext, options: { rev?: string } = {}): Promise<RegistrySnapshot> {
  void ctx;
  void options;
  throw new TroveError('INTERNAL', 'loadRegistry is not merged into this branch yet.');
}
