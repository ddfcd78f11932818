import type { Session } from './session.js'

/** Where a manager keeps the hash of the secret that proved each session object it handed out. */
export interface Proofs {
  get(session: Session): string | undefined
  set(session: Session, hash: string): void
}

/** A base class whose constructor returns the object it is given, so a subclass can put its
 * private fields on an object it did not make. */
class Adopt {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the point of the class
    return target
  }
}

/**
 * Proofs in a private field of the session object itself, of a class made for this manager
 * alone. Like a WeakMap entry, the field is invisible to every other piece of code (keys,
 * symbols, JSON, structured clone, spreads, other managers) and goes with the object; unlike
 * one, setting it costs about what a property assignment does (a WeakMap entry cost ~0.8 µs
 * per request here, and work for every garbage collection).
 */
export function proofs(): Proofs {
  class Proof extends Adopt {
    #hash: string
    private constructor(session: Session, hash: string) {
      super(session)
      this.#hash = hash
    }
    static get(session: Session): string | undefined {
      return #hash in session ? (session as unknown as Proof).#hash : undefined
    }
    static set(session: Session, hash: string): void {
      if (#hash in session) (session as unknown as Proof).#hash = hash
      else new Proof(session, hash)
    }
  }
  return { get: (session) => Proof.get(session), set: (session, hash) => Proof.set(session, hash) }
}
