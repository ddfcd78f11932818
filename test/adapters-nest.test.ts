import { adapterList } from './adapter-list.js'
import { nestExpressApp, nestFastifyApp } from './apps/nest.js'

adapterList('Nest (Express)', nestExpressApp)
adapterList('Nest (Fastify)', nestFastifyApp)
