import {
  type DynamicModule,
  type InjectionToken,
  Module,
  type ModuleMetadata,
  type OptionalFactoryDependency,
  type Provider,
} from '@nestjs/common'
import { APP_FILTER, APP_GUARD, Reflector } from '@nestjs/core'
import { InvalidOptionError } from '../../errors.js'
import type { SessionManager } from '../../manager.js'
import { adapterCore, type BindingOptions, checkBinding } from '../core.js'
import { type GuardBinding, SessionupFilter, SessionupGuard } from './guard.js'
import { type NestRequest, slot } from './platform.js'
import { SessionupService } from './service.js'

export type { BindingOptions, Issued, LoginOptions } from '../core.js'
export {
  CurrentSession,
  type GuardBinding,
  OptionalAuth,
  Public,
  RequireFresh,
  SessionupFilter,
  SessionupGuard,
  SessionupRejection,
} from './guard.js'
export type {
  FastifyLikeReply,
  FastifyLikeRequest,
  NestRequest,
  NestResponse,
} from './platform.js'
export { SessionupService } from './service.js'

/** `SessionupModule.forRoot`'s options. */
export interface SessionupModuleOptions extends BindingOptions {
  /** The manager every route of the application authenticates with. */
  manager: SessionManager
  /**
   * Whether the guard refuses cross-origin state-changing requests on every route (the CSRF
   * guard, `manager.checkOrigin`) before it looks at the session. Default: `true`.
   */
  csrf?: boolean
}

/** `SessionupModule.forRootAsync`'s options: the module options made by an injected factory. */
export interface SessionupModuleAsyncOptions {
  /** Modules whose providers the factory needs. */
  imports?: ModuleMetadata['imports']
  /** The providers handed to `useFactory`, in order. */
  inject?: (InjectionToken | OptionalFactoryDependency)[]
  /** Makes the options (a promise of them is awaited). */
  // biome-ignore lint/suspicious/noExplicitAny: Nest's own factory signature; args are `inject`'s
  useFactory: (...args: any[]) => SessionupModuleOptions | Promise<SessionupModuleOptions>
}

const OPTIONS = Symbol('sessionup:options')
const BINDING = Symbol('sessionup:binding')

/**
 * sessionup for NestJS, on `@nestjs/platform-express` and `@nestjs/platform-fastify`: a global
 * module whose guard requires a session on every HTTP route unless it is marked `@Public()` or
 * `@OptionalAuth()`, checks `@RequireFresh(ms)`, runs the CSRF guard, and answers refusals as
 * the manager says. `SessionupService` logs in, rotates and revokes; `@CurrentSession()` gives
 * the session to a handler.
 *
 * @example
 * ```ts
 * @Module({ imports: [SessionupModule.forRoot({ manager })], controllers: [AccountController] })
 * export class AppModule {}
 * ```
 */
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with static factories
export class SessionupModule {
  /** The module on a manager made beforehand. */
  static forRoot(options: SessionupModuleOptions): DynamicModule {
    return sessionupModule({ provide: OPTIONS, useValue: options }, [])
  }

  /** The module on options an injected factory makes (a manager on a configured store). */
  static forRootAsync(options: SessionupModuleAsyncOptions): DynamicModule {
    const { imports = [], inject = [], useFactory } = options
    if (typeof useFactory !== 'function') {
      throw new InvalidOptionError('useFactory', 'expected a function making the module options')
    }
    return sessionupModule({ provide: OPTIONS, useFactory, inject }, imports)
  }
}
Module({})(SessionupModule)

function sessionupModule(options: Provider, imports: ModuleMetadata['imports']): DynamicModule {
  return {
    module: SessionupModule,
    global: true,
    imports,
    providers: [
      options,
      { provide: BINDING, useFactory: bind, inject: [OPTIONS] },
      {
        provide: SessionupService,
        useFactory: (binding: GuardBinding) => new SessionupService(binding.core),
        inject: [BINDING],
      },
      {
        provide: APP_GUARD,
        useFactory: (binding: GuardBinding, reflector: Reflector) =>
          new SessionupGuard(binding, reflector),
        inject: [BINDING, Reflector],
      },
      { provide: APP_FILTER, useFactory: () => new SessionupFilter() },
    ],
    exports: [SessionupService],
  }
}

/** Checks the module options once, and makes the adapter core the guard and service share. */
function bind(options: SessionupModuleOptions): GuardBinding {
  checkBinding(options, 'manager', 'csrf')
  const { manager, transport, csrf = true } = options
  if (typeof manager?.authenticate !== 'function') {
    throw new InvalidOptionError('manager', 'expected a SessionManager')
  }
  if (typeof csrf !== 'boolean') throw new InvalidOptionError('csrf', 'expected true or false')
  return { core: adapterCore<NestRequest>(manager, slot, transport), csrf }
}
