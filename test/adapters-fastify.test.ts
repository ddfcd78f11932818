import { adapterList } from './adapter-list.js'
import { fastifyApp } from './apps/fastify.js'

adapterList('Fastify', fastifyApp)
