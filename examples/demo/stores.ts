import { MemoryStore, type Store } from '../../src/index.js'

export interface OpenedStore {
  store: Store
  /** Closes what the demo opened for the store (its database), after `store.close()`. */
  close(): Promise<void>
  description: string
}

/** Opens the store named by SESSIONUP_STORE. */
export async function openStore(kind: string): Promise<OpenedStore> {
  switch (kind) {
    case 'memory':
      return {
        store: new MemoryStore({ cleanupInterval: 60_000 }),
        close: async () => {},
        description: 'memory',
      }
    default:
      throw new Error(`SESSIONUP_STORE="${kind}" is not one of: memory`)
  }
}
