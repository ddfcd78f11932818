import type { AddressInfo } from 'node:net'
import {
  Controller,
  Get,
  HttpCode,
  type INestApplication,
  Inject,
  type InjectionToken,
  type ModuleMetadata,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import { Test } from '@nestjs/testing'
import type { Request, Response } from 'express'
import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  CurrentSession,
  type NestRequest,
  type NestResponse,
  OptionalAuth,
  Public,
  RequireFresh,
  SessionupModule,
  SessionupService,
} from '../../src/http/nest/index.js'
import type { SessionManager } from '../../src/index.js'
import type { Session } from '../../src/session.js'
import type { MakeApp } from '../adapter-list.js'

const FRESH = 10 * 60_000

/** Compiles only if each platform's own request and response types fit the service's. */
type Fits<Q extends NestRequest, R extends NestResponse> = [Q, R]
export type PlatformTypes = [Fits<Request, Response>, Fits<FastifyRequest, FastifyReply>]

/**
 * The standard app as one Nest controller, for both platforms. tsx (esbuild) compiles neither
 * legacy decorators nor their metadata, so `decorate` applies Nest's decorators the way `tsc
 * --experimentalDecorators` would, and every dependency is named with `@Inject`.
 */
class StandardController {
  constructor(private readonly s: SessionupService) {}
  async login(req: NestRequest, res: NestResponse, user: string) {
    if ('raw' in res) res.header('set-cookie', 'theme=dark; Path=/')
    else res.appendHeader('set-cookie', 'theme=dark; Path=/')
    await this.s.init(req, res, user)
    return 'in'
  }
  async apiLogin(req: NestRequest, res: NestResponse, user: string) {
    return { token: (await this.s.init(req, res, user, { transport: 'bearer' })).token }
  }
  me(session: Session) {
    return session.userKey
  }
  maybe(session: Session | undefined) {
    return session?.userKey ?? 'anonymous'
  }
  async sessions(req: NestRequest) {
    return (await this.s.fetchAll(req)).map(({ id, current }) => ({ id, current }))
  }
  async logout(req: NestRequest, res: NestResponse) {
    await this.s.revoke(req, res)
    return 'out'
  }
  async logoutOther(req: NestRequest) {
    await this.s.revokeOther(req)
    return 'out'
  }
  async logoutAll(req: NestRequest, res: NestResponse) {
    await this.s.revokeAll(req, res)
    return 'out'
  }
  async revoke(req: NestRequest, id: string) {
    return String(await this.s.revokeByIdExt(req, id))
  }
  danger() {
    return 'done'
  }
  async rotate(req: NestRequest, res: NestResponse) {
    return { token: (await this.s.rotate(req, res))?.token ?? null }
  }
  form() {
    return 'changed'
  }
  /** Not in the standard list: what `@CurrentSession()` gives a `@Public()` route. */
  open(session: Session | undefined) {
    return session === undefined ? 'none' : session.userKey
  }
}

type Decorators = [MethodDecorator[], ...ParameterDecorator[]]
const req = Req()
const res = Res({ passthrough: true })
const post = (path: string, ...more: MethodDecorator[]) => [Post(path), HttpCode(200), ...more]
decorate(StandardController, [SessionupService], {
  login: [post('login', Public()), req, res, Query('user')],
  apiLogin: [post('api/login', Public()), req, res, Query('user')],
  me: [[Get('me')], CurrentSession()],
  maybe: [[Get('maybe'), OptionalAuth()], CurrentSession()],
  sessions: [[Get('sessions')], req],
  logout: [post('logout'), req, res],
  logoutOther: [post('logout-other'), req],
  logoutAll: [post('logout-all'), req, res],
  revoke: [post('revoke'), req, Query('id')],
  danger: [post('danger', RequireFresh(FRESH))],
  rotate: [post('rotate'), req, res],
  form: [post('form')],
  open: [[Get('open'), Public()], CurrentSession()],
})

/** Applies class, method and parameter decorators as TypeScript's legacy decorators do. */
function decorate<T extends { prototype: object }>(
  target: T,
  inject: InjectionToken[],
  methods: Partial<Record<keyof T['prototype'], Decorators>>,
): void {
  Controller()(target as unknown as new () => object)
  for (const [i, token] of inject.entries()) Inject(token)(target, undefined, i)
  for (const [name, [onMethod, ...params]] of Object.entries(methods) as [string, Decorators][]) {
    const descriptor = Object.getOwnPropertyDescriptor(target.prototype, name)
    if (!descriptor) throw new Error(`no method ${name}`)
    for (const d of onMethod) d(target.prototype, name, descriptor)
    for (const [i, d] of params.entries()) d(target.prototype, name, i)
  }
}

/** Serves a Nest application on a free loopback port. */
async function serve(app: INestApplication) {
  await app.listen(0, '127.0.0.1')
  const { port } = app.getHttpServer().address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() }
}

/** The standard app on Nest, with any module imports (`SessionupModule.forRoot…`) given. */
export async function nestApp(imports: ModuleMetadata['imports'], platform: 'express' | 'fastify') {
  const moduleRef = await Test.createTestingModule({
    imports,
    controllers: [StandardController],
  }).compile()
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false })
  return serve(app)
}

/** The standard app on `@nestjs/platform-express`. */
export const nestExpressApp: MakeApp = (manager: SessionManager) =>
  nestApp([SessionupModule.forRoot({ manager })], 'express')

/** The standard app on `@nestjs/platform-fastify`. */
export const nestFastifyApp: MakeApp = (manager: SessionManager) =>
  nestApp([SessionupModule.forRoot({ manager })], 'fastify')
