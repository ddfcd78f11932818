import { type ChildProcess, fork } from 'node:child_process'

/** A child process answering commands over IPC, one reply per command, in order. */
export interface Peer {
  ask<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>
  /** Disconnects (the peer exits) and resolves with its exit code and stderr. */
  stop(): Promise<{ code: number | null; err: string }>
}

/**
 * Starts `script` with `args` and resolves once it reported ready. A peer still alive after
 * `limitMs` is killed with SIGKILL, so a hang fails the test instead of stalling it; every
 * pending question then rejects.
 */
export function startPeer(script: string, args: string[], limitMs = 120_000): Promise<Peer> {
  const child: ChildProcess = fork(script, args, {
    execArgv: [], // plain node: the fixtures are JavaScript, and tsx would slow every start
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  })
  let err = ''
  child.stderr?.on('data', (c) => {
    err += c
  })
  const timer = setTimeout(() => {
    err += `\n[test] ${script} still running after ${limitMs} ms: killed`
    child.kill('SIGKILL')
  }, limitMs)
  const exited = new Promise<{ code: number | null; err: string }>((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer)
      for (const { reject } of pending.values()) reject(new Error(`peer exited (${code}): ${err}`))
      pending.clear()
      resolve({ code, err })
    })
  })
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  let seq = 0
  return new Promise((resolveReady, rejectReady) => {
    child.on('exit', (code) => rejectReady(new Error(`peer exited (${code}) before ready: ${err}`)))
    child.on(
      'message',
      (m: { ready?: boolean; seq?: number; result?: unknown; error?: string }) => {
        if (m.ready) {
          resolveReady({
            ask(op, args = {}) {
              const s = ++seq
              return new Promise((resolve, reject) => {
                pending.set(s, { resolve: resolve as (v: unknown) => void, reject })
                child.send({ seq: s, op, ...args })
              })
            },
            stop() {
              if (child.connected) child.disconnect()
              return exited
            },
          })
          return
        }
        const waiter = m.seq === undefined ? undefined : pending.get(m.seq)
        if (m.seq !== undefined) pending.delete(m.seq)
        if (m.error !== undefined) {
          const error = new Error(`peer: ${m.error}`)
          if (waiter) waiter.reject(error)
          else for (const { reject } of pending.values()) reject(error)
        } else waiter?.resolve(m.result)
      },
    )
  })
}

/**
 * Has every peer open the store at the same moment and create `sessions` sessions. SQLite's
 * peers write while others still open; LMDB's write once all have opened, as the README asks:
 * lmdb-js can lose a write made while another process opens the environment
 * (scripts/lmdb-open-race.mjs reproduces it without sessionup).
 */
export async function openTogether(kind: 'sqlite' | 'lmdb', peers: Peer[], sessions: number) {
  if (kind === 'sqlite') return Promise.allSettled(peers.map((p) => p.ask('open', { sessions })))
  const opened = await Promise.allSettled(peers.map((p) => p.ask('open')))
  if (opened.some((r) => r.status === 'rejected')) return opened
  return Promise.allSettled(peers.map((p) => p.ask('createMine', { count: sessions })))
}
