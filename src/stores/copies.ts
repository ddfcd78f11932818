/**
 * Store objects of this package whose reads hand out records no one else holds: every read
 * decodes a new record (from a row, a value, or the read cache's packed copy), as the Store
 * contract asks ("returned sessions are copies"). The manager then makes an app's session from
 * such a record without copying its dates and meta a second time. Only an instance of one of
 * these classes itself counts, not of a subclass (which may override a read), nor a wrapper.
 */
const copying = new WeakSet<object>()

/** Each store class of this package calls it in its constructor, with `new.target === Class`. */
export function handsOutCopies(store: object, exactClass: boolean): void {
  if (exactClass) copying.add(store)
}

/** Whether `store` is one of this package's stores that hands out fresh records. */
export function readsAreCopies(store: object): boolean {
  return copying.has(store)
}
