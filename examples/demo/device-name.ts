// A device's name: the one its user gave it, kept in the session's meta, or else what its user
// agent says. Names are checked here, once, and escaped wherever a page shows them.
import type { Session } from 'sessionup'
import type { Message } from './messages.js'

/** The meta key the name is kept under. */
export const DEVICE_KEY = 'device'
/** At most this many characters, counted as the form's `maxlength` counts them (UTF-16 units). */
export const DEVICE_NAME_MAX = 40

/**
 * Line breaks, tabs and the other C0 and C1 controls, and the bidirectional marks and overrides
 * that can make a name read as another one.
 */
const CONTROL = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u

export type DeviceNameCheck = { name: string | null } | { error: Message }

/** A name from the form, trimmed and checked; an empty one (`null`) means "back to the default". */
export function checkDeviceName(input: string | null): DeviceNameCheck {
  const name = (input ?? '').trim()
  if (CONTROL.test(name)) return { error: 'name-control' }
  if (name.length > DEVICE_NAME_MAX) return { error: 'name-too-long' }
  return { name: name === '' ? null : name }
}

/** What the user agent says the device is: "Chrome on Linux". */
export function agentName(s: Session): string {
  return `${s.agent.browser || 'unknown browser'} on ${s.agent.os || 'unknown OS'}`
}

/** The name the user gave the device, or `null`. */
export function givenName(s: Session): string | null {
  return Object.hasOwn(s.meta, DEVICE_KEY) ? (s.meta[DEVICE_KEY] as string) : null
}

/** How the device is called: its given name, else its browser and OS. */
export function deviceName(s: Session): string {
  return givenName(s) ?? agentName(s)
}
